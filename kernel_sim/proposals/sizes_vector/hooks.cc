// sizes_vector's kernel hooks: discovery and the whole-record receive.
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/ioctl_number.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"

namespace sclab::ksim::proposals::sizes_vector {

namespace {

class SizesVectorHooks final : public AbiHooks {
 public:
  using AbiHooks::AbiHooks;

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    if (cmd == kIoctlNotifGetLayout) {
      return Answered(SeccompNotifGetLayout(call.mem, call.counters, arg, kernel_));
    }
    if (!SameIoctlIgnoringSize(cmd, kIoctlNotifRecvLayout)) return std::nullopt;
    const uint64_t len = IoctlSize(cmd);
    return ReceiveOne(
        call, [&] { return RecvLayoutPrepare(kernel_, len); },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          return AsValue(SeccompNotifyRecvLayout(call.mem, call.counters, arg, kernel_, facts,
                                                 call.queue.TargetMemory(facts.id)));
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  return std::make_unique<SizesVectorHooks>(kernel);
}

}  // namespace sclab::ksim::proposals::sizes_vector
