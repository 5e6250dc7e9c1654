// ea_notif's kernel hooks: the extensible receive, at VER0 (old ABI) or VER1 (new).
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/ea_notif/ea_notif.h"
#include "kernel_sim/proposals/ioctl_number.h"

namespace sclab::ksim::proposals::ea_notif {

namespace {

class EaNotifHooks final : public AbiHooks {
 public:
  using AbiHooks::AbiHooks;

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    if (!SameIoctlIgnoringSize(cmd, kIoctlNotifRecvEa)) return std::nullopt;
    RecvRequest& req = StateOf<RecvRequest>(call.call_state);
    return ReceiveOne(
        call,
        [&]() -> model::SysResult<void> {
          auto r = SeccompNotifyRecvEaPrepare(call.mem, call.counters, arg);
          if (!r.ok()) return r.failure();
          req = r.value();
          return model::Ok();
        },
        [&](const NotificationFacts& facts) -> model::SysResult<int64_t> {
          // The pidfd travels in the struct; the ioctl itself returns 0.
          auto delivered = SeccompNotifyRecvEaDeliver(call.mem, call.counters, arg, req, facts,
                                                      kernel_, &call.fds);
          if (!delivered.ok()) return delivered.failure();
          return int64_t{0};
        });
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  return std::make_unique<EaNotifHooks>(kernel);
}

}  // namespace sclab::ksim::proposals::ea_notif
