// ksim_signals: sending (kill, tgkill: EINVAL, ESRCH, EPERM), dispositions
// (rt_sigaction), delivery on the return to user mode, handlers and rt_sigreturn
// through the filters, job control (kernel/signal.c, arch/x86/kernel/signal.c).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

namespace {

int StateOf(const CallStatus& s) { return static_cast<int>(s.state); }
int EndOf(Kernel& k, Pid t) { return static_cast<int>(k.TaskEnd(t).kind); }
constexpr int kKilled = static_cast<int>(CallState::kKilled);
constexpr int kInFlight = static_cast<int>(CallState::kInFlight);
constexpr int kReturned = static_cast<int>(CallState::kReturned);

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_signals)

BOOST_AUTO_TEST_CASE(kill_checks_the_signal_only_once_a_target_is_found_check_kill_permission) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(p), 65}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kKill, {9999, 65}) == Err(model::kESRCH));
  BOOST_TEST(s.Call(p, nr::kKill, {9999, 0}) == Err(model::kESRCH));
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(p), 0}) == 0);
}

BOOST_AUTO_TEST_CASE(kill_of_a_root_process_by_nobody_is_eperm_kill_ok_by_cred) {
  Sim s;
  const Pid nobody = s.Spawn();
  const Pid root = s.Spawn(true);
  BOOST_TEST(s.Call(nobody, nr::kKill, {static_cast<uint64_t>(root), 0}) == Err(model::kEPERM));
  BOOST_TEST(s.Call(nobody, nr::kKill, {static_cast<uint64_t>(root), 15}) == Err(model::kEPERM));
  BOOST_TEST(s.Call(root, nr::kKill, {static_cast<uint64_t>(nobody), 0}) == 0);
}

BOOST_AUTO_TEST_CASE(kill_0_signals_the_callers_process_group_kill_pgrp) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  BOOST_TEST(s.Ignore(p, 10) == 0);  // the parent ignores SIGUSR1, the child inherited that
  BOOST_TEST(s.Default(c, 10) == 0);
  BOOST_TEST(s.Call(p, nr::kKill, {0, 10}) == 0);
  BOOST_TEST(EndOf(s.k(), c) == kKilled);
  BOOST_TEST(EndOf(s.k(), p) == static_cast<int>(CallState::kNone));
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(-12345), 0}) == Err(model::kESRCH));
}

BOOST_AUTO_TEST_CASE(tgkill_rules_do_send_specific) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid q = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kTgkill, {0, static_cast<uint64_t>(q), 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kTgkill, {static_cast<uint64_t>(q), 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(q), 0}) ==
             Err(model::kESRCH));
  BOOST_TEST(s.Call(p, nr::kTgkill, {static_cast<uint64_t>(q), static_cast<uint64_t>(q), 99}) ==
             Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kTgkill, {static_cast<uint64_t>(q), static_cast<uint64_t>(q), 0}) == 0);
}

BOOST_AUTO_TEST_CASE(rt_sigaction_checks_in_order_sigsetsize_efault_signal) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 32);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {9, model::kBadAddr, 0, 4}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {9, model::kBadAddr, 0, 8}) == Err(model::kEFAULT));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {9, a, 0, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {19, a, 0, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {0, a, 0, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {65, a, 0, 8}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {9, 0, a, 8}) == 0);  // reading SIGKILL's action is fine
  BOOST_TEST(s.Handle(p, 10, true) == 0);
  const uint64_t old = s.Buf(p, 32);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {10, 0, old, 8}) == 0);
  BOOST_TEST(s.U64(p, old) == kRecordingHandler);
  BOOST_TEST(s.U64(p, old + 8) == (kSaSiginfo | kSaRestorer | kSaRestart));
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {10, 0, model::kBadAddr, 8}) == Err(model::kEFAULT));
}

BOOST_AUTO_TEST_CASE(default_fatal_signal_kills_the_process_and_its_call) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  const Pid c = s.Fork(p);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(c), 0, 0, 0});
  BOOST_TEST(StateOf(s.Status(h)) == kInFlight);
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 15}) == 0);
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 15);
}

BOOST_AUTO_TEST_CASE(ignored_signals_are_discarded_at_send_sig_ignored) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  for (int sig : {17, 23, 28}) {  // default-ignore: SIGCHLD, SIGURG, SIGWINCH
    BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), static_cast<uint64_t>(sig)}) ==
               0);
  }
  BOOST_TEST(s.Ignore(p, 15) == 0);
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 15}) == 0);
  BOOST_TEST(s.k().FindProcess(p)->shared_pending.mask == 0u);
  BOOST_TEST(EndOf(s.k(), p) == static_cast<int>(CallState::kNone));
}

BOOST_AUTO_TEST_CASE(a_handled_signal_runs_the_recording_handler_and_returns_through_rt_sigreturn) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Handle(p, 31, false) == 0);
  BOOST_TEST(s.Tgkill(p, p, 31) == 0);
  const auto info = s.k().LastSigsys(p);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(info->signo == 31);
  BOOST_TEST(info->code == kSiTkill);
  BOOST_TEST(s.k().FindTask(p)->frames.empty());
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
}

BOOST_AUTO_TEST_CASE(rt_sigreturn_refused_by_a_filter_ends_in_ud2_and_sigill) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Handle(p, 10, false) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kRtSigreturn, Errno(1))) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 10});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 4);
}

BOOST_AUTO_TEST_CASE(
    rt_sigreturn_trapped_inside_the_sigsys_handler_kills_with_sigsys_force_sig_info) {
  // SIGSYS is blocked while its handler runs, so the TRAP of the handler's own
  // rt_sigreturn resets the disposition and the process dies of SIGSYS.
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Handle(p, 31, false) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kRtSigreturn, Trap(0))) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 31});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 31);
}

BOOST_AUTO_TEST_CASE(
    rt_sigreturn_trapped_forever_with_sa_nodefer_ends_in_sigsegv_when_frames_run_out) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 32);
  s.PutU64(p, a, kRecordingHandler);
  s.PutU64(p, a + 8, kSaSiginfo | kSaRestorer | kSaNodefer);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {31, a, 0, 8}) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kRtSigreturn, Trap(0))) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 31});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 11);
}

BOOST_AUTO_TEST_CASE(a_handler_at_another_address_faults_sigsegv_diverges) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 32);
  s.PutU64(p, a, 0x1234000);
  s.PutU64(p, a + 8, kSaSiginfo | kSaRestorer);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {10, a, 0, 8}) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 10});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 11);
}

BOOST_AUTO_TEST_CASE(a_handler_without_sa_restorer_cannot_get_a_frame_setup_rt_frame) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 32);
  s.PutU64(p, a, kRecordingHandler);
  s.PutU64(p, a + 8, kSaSiginfo);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {10, a, 0, 8}) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 10});
  BOOST_TEST(s.Status(h).signal == 11);
}

BOOST_AUTO_TEST_CASE(sa_resethand_restores_the_default_after_one_delivery) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t a = s.Buf(p, 32);
  s.PutU64(p, a, kRecordingHandler);
  s.PutU64(p, a + 8, kSaSiginfo | kSaRestorer | kSaResethand);
  BOOST_TEST(s.Call(p, nr::kRtSigaction, {10, a, 0, 8}) == 0);
  BOOST_TEST(s.Tgkill(p, p, 10) == 0);
  const CallHandle h =
      s.Start(p, nr::kTgkill, {static_cast<uint64_t>(p), static_cast<uint64_t>(p), 10});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 10);
}

BOOST_AUTO_TEST_CASE(sigkill_to_one_thread_kills_the_whole_process_complete_signal) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid t = s.Thread(p);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Tgkill(other, t, 9) == 0);
  BOOST_TEST(EndOf(s.k(), p) == kKilled);
  BOOST_TEST(EndOf(s.k(), t) == kKilled);
  BOOST_TEST(s.k().TaskEnd(p).signal == 9);
}

BOOST_AUTO_TEST_CASE(sigstop_stops_and_sigcont_restarts_the_interrupted_call_transparently) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  const Pid c = s.Fork(p);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(c), 0, 0, 0});
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 19}) == 0);
  BOOST_TEST(std::string(s.Status(h).wait_name) == "do_signal_stop (stopped)");
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 18}) == 0);
  BOOST_TEST(std::string(s.Status(h).wait_name) == "do_wait (interruptible)");
  (void)s.Start(c, nr::kExit, {1});
  BOOST_TEST(StateOf(s.Status(h)) == kReturned);
  BOOST_TEST(s.Status(h).ret == c);
}

BOOST_AUTO_TEST_CASE(sigtstp_is_discarded_in_an_orphaned_process_group) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 20}) == 0);
  BOOST_TEST(s.k().Idle(p));
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
}

BOOST_AUTO_TEST_CASE(wait4_wuntraced_reports_a_stopped_child) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(c), 19}) == 0);
  const uint64_t w = s.Buf(p, 4);
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c), w, kWuntraced, 0}) == c);
  BOOST_TEST(s.U32(p, w) == ((19u << 8) | 0x7f));
  BOOST_TEST(s.Call(p, nr::kKill, {static_cast<uint64_t>(c), 18}) == 0);
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c), w, kWcontinued, 0}) == c);
  BOOST_TEST(s.U32(p, w) == 0xffffu);
}

BOOST_AUTO_TEST_CASE(a_sigchld_handler_interrupts_the_parent_when_a_child_exits_do_notify_parent) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  const Pid c2 = s.Fork(p);
  BOOST_TEST(s.Handle(p, 17, false) == 0);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(c2), 0, 0, 0});
  (void)s.Start(c, nr::kExit, {0});
  BOOST_TEST(s.Status(h).ret == Err(model::kEINTR));
}

BOOST_AUTO_TEST_CASE(sigchld_ignored_makes_children_autoreap) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Ignore(p, 17) == 0);
  const Pid c = s.Fork(p);
  (void)s.Start(c, nr::kExit, {0});
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(-1), 0, 0, 0}) == Err(model::kECHILD));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
