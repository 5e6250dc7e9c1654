// perf_config's kernel hooks: the one-shot configure (the configuration is the
// listener's state) and the flat receive.
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/ioctl_number.h"
#include "kernel_sim/proposals/perf_config/perf_config.h"

namespace sclab::ksim::proposals::perf_config {

namespace {

class PerfConfigHooks final : public AbiHooks {
 public:
  using AbiHooks::AbiHooks;

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    NotifConfig& config = StateOf<NotifConfig>(call.state);
    if (SameIoctlIgnoringSize(cmd, kIoctlNotifConfig)) {
      return Answered(SeccompNotifyConfig(call.mem, call.counters, arg, kernel_, &config));
    }
    if (!SameIoctlIgnoringSize(cmd, kIoctlNotifRecvFlat)) return std::nullopt;
    const uint64_t len = IoctlSize(cmd);
    return ReceiveOne(
        call, [&] { return RecvFlatPrepare(config, len); },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          return AsValue(SeccompNotifyRecvFlat(call.mem, call.counters, arg, config, facts,
                                               call.queue.TargetMemory(facts.id)));
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  return std::make_unique<PerfConfigHooks>(kernel);
}

}  // namespace sclab::ksim::proposals::perf_config
