// ksim_diverges: every deliberate difference from Linux 6.18, pinned (each is marked
// `DIVERGES(kernel)` where it is implemented and listed in docs/kernel_sim.md).
#include <boost/test/unit_test.hpp>

#include "model/open_how.h"
#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

BOOST_AUTO_TEST_SUITE(ksim_diverges)

BOOST_AUTO_TEST_CASE(an_allowed_syscall_outside_the_table_returns_enosys) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, 2) == Err(model::kENOSYS));  // open(2) would run on Linux
  BOOST_TEST(s.k().Reason(s.Start(p, 2)) ==
             "DIVERGES(kernel): syscall not modelled by the simulator");
}

BOOST_AUTO_TEST_CASE(clone3_supports_only_the_fork_shape) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t args = s.Buf(p, 64);
  s.PutU64(p, args + 32, 17);  // exit_signal = SIGCHLD
  const int64_t child = s.Call(p, nr::kClone3, {args, 64});
  BOOST_TEST(child == p + 1);
  s.PutU64(p, args, kCloneVm);
  BOOST_TEST(s.Call(p, nr::kClone3, {args, 64}) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(a_killed_process_status_never_has_the_core_dump_bit) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(c), 31}) ==
             0);  // SIGSYS dumps core by default
  const uint64_t w = s.Buf(p, 4);
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c), w, 0, 0}) == c);
  BOOST_TEST(s.U32(p, w) == 31u);
}

BOOST_AUTO_TEST_CASE(poll_timeouts_do_not_pass_time) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t pfd = s.Buf(p, 8);
  s.PutU32(p, pfd, 0);
  s.PutU32(p, pfd + 4, 0);  // no events asked: /dev/null is never "ready"
  BOOST_TEST(s.Call(p, nr::kPoll, {pfd, 1, 1000}) == 0);  // expires at once
  const CallHandle h = s.Start(p, nr::kPoll, {pfd, 1, static_cast<uint64_t>(-1)});
  BOOST_TEST(std::string(s.Status(h).wait_name) == "do_poll (interruptible)");
}

BOOST_AUTO_TEST_CASE(the_runner_channel_only_does_recvmsg) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t b = s.Buf(p, 8);
  BOOST_TEST(s.Call(p, nr::kRead, {1023, b, 1}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kWrite, {1023, b, 1}) == Err(model::kEINVAL));
  BOOST_TEST(s.k().SendFdToChannel(p, 0, p));
  const uint64_t m = s.Buf(p, 56);  // a msghdr without an iovec: nothing is taken
  BOOST_TEST(s.Call(p, nr::kRecvmsg, {1023, m, 0}) == 0);
  BOOST_TEST(s.Pass(p, 0, p) == 3);  // the first message is still queued: it comes first
}

BOOST_AUTO_TEST_CASE(only_the_tiny_tree_exists) {
  Sim s;
  const Pid p = s.Spawn(true);
  BOOST_TEST(s.Call(p, nr::kOpenat, {static_cast<uint64_t>(-100), s.Str(p, "/etc/passwd"), 0, 0}) ==
             Err(model::kENOENT));
}

BOOST_AUTO_TEST_CASE(generic_ioctls_beyond_the_modelled_six_are_enotty) {
  Sim s;
  const Pid p = s.Spawn();
  const int64_t fd =
      s.Call(p, nr::kOpenat,
             {static_cast<uint64_t>(-100), s.Str(p, "f"), model::kOCreat | model::kORdwr, 0600});
  BOOST_TEST(s.Call(p, nr::kIoctl, {static_cast<uint64_t>(fd), 0x5460 /*FIOQSIZE*/, s.Buf(p, 8)}) ==
             Err(model::kENOTTY));
}

BOOST_AUTO_TEST_CASE(wait4_rusage_is_all_zero) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  (void)s.Start(c, nr::kExit, {0});
  const uint64_t ru = s.Bytes(p, std::vector<uint8_t>(144, 0xff));
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c), 0, 0, ru}) == c);
  BOOST_TEST(s.Read(p, ru, 144) == std::vector<uint8_t>(144, 0));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
