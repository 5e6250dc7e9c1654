// today's kernel hooks: the old ABI is Linux 6.18 itself; the new one adds the grown
// RECV number (process_vm_readv comes with every proposal kernel: hooks.h).
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/today/today.h"

namespace sclab::ksim::proposals::today {

namespace {

class TodayHooks final : public ProposalHooks {
 public:
  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    if (cmd != kIoctlNotifRecvV2) return std::nullopt;
    return ReceiveOne(
        call,
        [&] { return SeccompNotifyRecvPrepare(call.mem, call.counters, arg, kSizeofNotifV2); },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          return AsValue(
              SeccompNotifyRecvDeliver(call.mem, call.counters, arg, kSizeofNotifV2, facts));
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  if (kernel == Abi::kOld) return nullptr;
  return std::make_unique<TodayHooks>();
}

}  // namespace sclab::ksim::proposals::today
