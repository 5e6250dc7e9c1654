// Notify is a ready-made user-notification setup for the notify suites: a target
// process with NNP and a filter sending `nr` to a listener, and a supervisor process
// that received the listener through its runner channel.
#pragma once

#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

struct Notify {
  explicit Notify(Sim& sim, int nr_notified = nr::kGetppid, uint32_t flags = kFilterFlagNewListener)
      : s(sim) {
    sup = s.Spawn();
    target = s.Spawn();
    SCLAB_CHECK(s.Nnp(target) == 0, "nnp");
    const int64_t fd = s.Install(target, IfNr(nr_notified, bpf::kRetUserNotif), flags);
    SCLAB_CHECK(fd == 3, "listener fd");
    SCLAB_CHECK(s.Pass(target, 3, sup) == 3, "pass");
    SCLAB_CHECK(s.Call(target, nr::kClose, {3}) == 0, "close");
  }
  // Trigger makes `who` (default: the target) issue the notified syscall.
  CallHandle Trigger(Pid who = 0) { return s.Start(who == 0 ? target : who, nr::kGetppid); }
  int State(const CallHandle& h) const { return static_cast<int>(s.Status(h).state); }

  Sim& s;
  Pid sup = 0;
  Pid target = 0;
  static constexpr int kFd = 3;  // the listener in the supervisor
};

inline constexpr int kInFlight = static_cast<int>(CallState::kInFlight);
inline constexpr int kReturned = static_cast<int>(CallState::kReturned);
inline constexpr int kKilled = static_cast<int>(CallState::kKilled);

}  // namespace sclab::ksim::testing
