// read_notif's kernel hooks: the old ABI is Linux 6.18 (no read or write operation on
// the listener); the new one gives the listener read(2) and write(2), and accepts
// SECCOMP_USER_NOTIF_FD_BATCH_READ in SET_FLAGS.
#include "kernel_sim/proposals/hooks.h"
#include "kernel_sim/proposals/read_notif/read_notif.h"
#include "model/open_how.h"

namespace sclab::ksim::proposals::read_notif {

namespace {

constexpr uint32_t kIoctlNotifSetFlags = 0x40082104;

class ReadNotifHooks final : public ProposalHooks {
 public:
  bool ListenerReads() const override { return true; }
  bool ListenerWrites() const override { return true; }

  std::optional<model::SysResult<HookResult>> ListenerIoctl(ListenerCall& call, uint32_t cmd,
                                                            uint64_t arg) override {
    // SET_FLAGS with the new bit is this proposal's; without it, the kernel's own.
    if (cmd != kIoctlNotifSetFlags || (arg & kUserNotifFdBatchRead) == 0) return std::nullopt;
    return Answered(SeccompNotifySetFlags(arg, Abi::kNew, &StateOf<ListenerMode>(call.state)));
  }

  std::optional<model::SysResult<HookResult>> ListenerRead(ListenerCall& call, uint64_t buf,
                                                           uint64_t count) override {
    ListenerMode& mode = StateOf<ListenerMode>(call.state);
    mode.nonblock = (call.f_flags & model::kONonblock) != 0;
    auto r = SeccompNotifyRead(call.mem, call.counters, buf, count, mode, call.queue);
    if (!r.ok()) return model::SysResult<HookResult>(r.failure());
    return model::SysResult<HookResult>(
        HookResult{static_cast<int64_t>(r.value().bytes), r.value().would_block});
  }

  std::optional<model::SysResult<HookResult>> ListenerWrite(ListenerCall& call, uint64_t buf,
                                                            uint64_t count) override {
    auto r = SeccompNotifyWrite(call.mem, call.counters, buf, count, call.queue);
    if (!r.ok()) return model::SysResult<HookResult>(r.failure());
    return model::SysResult<HookResult>(HookResult{static_cast<int64_t>(r.value()), false});
  }
};

}  // namespace

std::unique_ptr<ProposalHooks> KernelHooks(Abi kernel) {
  if (kernel == Abi::kOld) return nullptr;
  return std::make_unique<ReadNotifHooks>();
}

}  // namespace sclab::ksim::proposals::read_notif
