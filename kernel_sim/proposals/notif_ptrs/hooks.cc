// notif_ptrs's kernel hooks: discovery (sizes_vector's ioctl) and the pointer receive;
// the pairs read before the wait are kept across it.
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/ioctl_number.h"
#include "kernel_sim/proposals/notif_ptrs/notif_ptrs.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"

namespace sclab::ksim::proposals::notif_ptrs {

namespace {

class NotifPtrsHooks final : public AbiHooks {
 public:
  using AbiHooks::AbiHooks;

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    if (cmd == sizes_vector::kIoctlNotifGetLayout) {
      return Answered(sizes_vector::SeccompNotifGetLayout(call.mem, call.counters, arg, kernel_));
    }
    if (!SameIoctlIgnoringSize(cmd, kIoctlNotifRecvPtrs)) return std::nullopt;
    PtrsRequest& req = StateOf<PtrsRequest>(call.call_state);
    return ReceiveOne(
        call,
        [&]() -> model::SysResult<void> {
          auto r = RecvPtrsPrepare(call.mem, call.counters, arg, IoctlSize(cmd), kernel_);
          if (!r.ok()) return r.failure();
          req = std::move(r).value();
          return model::Ok();
        },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          return AsValue(SeccompNotifyRecvPtrs(call.mem, call.counters, arg, req, kernel_, facts,
                                               call.queue.TargetMemory(facts.id)));
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  return std::make_unique<NotifPtrsHooks>(kernel);
}

}  // namespace sclab::ksim::proposals::notif_ptrs
