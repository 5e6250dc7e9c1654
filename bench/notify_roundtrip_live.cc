// notify_roundtrip_live measures the real kernel's user-notification round trip on
// this machine, for comparison with the simulator's (docs/kernel_sim.md), with
// live/notify_round_trip.h: without and with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP.
// Usage: notify_roundtrip_live [iterations]
#include <cstdio>
#include <cstdlib>

#include "live/notify_round_trip.h"

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 200000;
  const sclab::live::RoundTrip plain = sclab::live::MeasureNotifyRoundTrip(iterations, false);
  const sclab::live::RoundTrip sync = sclab::live::MeasureNotifyRoundTrip(iterations, true);
  if (!plain.ok || !sync.ok) {
    std::fprintf(stderr, "notify_roundtrip_live: %s\n", (!plain.ok ? plain : sync).why.c_str());
    return 1;
  }
  std::printf(
      "real kernel round trips/s: %.0f (%.2f us each); with SYNC_WAKE_UP: %.0f (%.2f us each)\n",
      plain.per_second, 1e6 / plain.per_second, sync.per_second, 1e6 / sync.per_second);
  return 0;
}
