// MeasureNotifyRoundTrip measures the real kernel's user-notification round trip on
// this machine: a forked child installs a filter that sends getppid() to a listener,
// hands the listener to the parent over a socketpair (SCM_RIGHTS) and calls getppid()
// `iterations` times; the parent RECVs and SENDs each notification (with
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP when `sync_wake_up`). Wall-clock time: this is a
// benchmark, never part of a simulation.
//
// Errors (the value's `why`): a step the kernel refused (seccomp, RECV …), in the
// order the measurement makes them.
#pragma once

#include <string>

namespace sclab::live {

struct RoundTrip {
  bool ok = false;
  double per_second = 0;  // round trips per second
  std::string why;        // when !ok: which step failed and its errno name
};

RoundTrip MeasureNotifyRoundTrip(long iterations, bool sync_wake_up);

}  // namespace sclab::live
