// ksim_eval: running the chain and acting on the result (kernel/seccomp.c
// seccomp_run_filters(), __seccomp_filter(), force_sig_seccomp(); the constant-action
// cache seccomp_cache_check_allow()).
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

namespace {

int StateOf(const CallStatus& s) { return static_cast<int>(s.state); }
constexpr int kKilled = static_cast<int>(CallState::kKilled);
constexpr int kGone = static_cast<int>(CallState::kGone);

Pid Filtered(Sim& s, const std::vector<bpf::Insn>& prog) {
  const Pid p = s.Spawn();
  SCLAB_CHECK(s.Nnp(p) == 0, "nnp");
  SCLAB_CHECK(s.Install(p, prog) == 0, "install");
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_eval)

BOOST_AUTO_TEST_CASE(on_equal_actions_the_newest_filters_data_wins_seccomp_run_filters) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, Errno(11))) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, Errno(13))) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, Errno(12))) == 0);
  BOOST_TEST(s.Call(p, nr::kGetpid) == -12);
  BOOST_TEST(s.k().Reason(s.Start(p, nr::kGetpid)) ==
             "seccomp_run_filters: filter #3 (3 of 3, newest) returned ERRNO(12)");
}

BOOST_AUTO_TEST_CASE(the_lowest_action_wins_whatever_the_order) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, bpf::kRetTrace)) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, Errno(1))) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, bpf::kRetLog)) == 0);
  BOOST_TEST(s.Call(p, nr::kGetpid) == -1);
}

BOOST_AUTO_TEST_CASE(an_unknown_action_ranks_by_value_and_acts_as_kill_process) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, 0x10000000));
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, Errno(9))) == 0);
  BOOST_TEST(s.Call(p, nr::kGetpid) == -9);  // ERRNO outranks 0x10000000
  const Pid q = Filtered(s, IfNr(nr::kGetpid, 0x10000000));
  BOOST_TEST(s.Install(q, IfNr(nr::kGetpid, bpf::kRetUserNotif)) == 0);
  const CallHandle h = s.Start(q, nr::kGetpid);  // 0x10000000 outranks USER_NOTIF
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 31);
}

BOOST_AUTO_TEST_CASE(errno_data_is_clamped_to_4095_and_0_returns_success_without_running) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, Errno(5000)));
  BOOST_TEST(s.Call(p, nr::kGetpid) == -4095);
  const Pid q = Filtered(s, IfNr(nr::kClose, Errno(0)));
  BOOST_TEST(s.Call(q, nr::kClose, {0}) == 0);
  BOOST_TEST(s.k().FindProcess(q)->fds.Get(0) != nullptr);  // close() did not run
}

BOOST_AUTO_TEST_CASE(trap_with_a_handler_returns_the_syscall_number_and_fills_siginfo) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Handle(p, 31, false) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpgid, Trap(7))) == 0);
  BOOST_TEST(s.Call(p, nr::kGetpgid, {0}) == nr::kGetpgid);
  const auto info = s.k().LastSigsys(p);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(info->signo == 31);
  BOOST_TEST(info->code == kSysSeccomp);
  BOOST_TEST(info->errno_value == 7);
  BOOST_TEST(info->word24 == nr::kGetpgid);
  BOOST_TEST(info->word28 == kAuditArchX86_64);
}

BOOST_AUTO_TEST_CASE(trap_without_a_handler_kills_with_sigsys) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpgid, Trap(0)));
  const CallHandle h = s.Start(p, nr::kGetpgid, {0});
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 31);
}

BOOST_AUTO_TEST_CASE(trap_with_sigsys_ignored_resets_the_disposition_and_kills) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Ignore(p, 31) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpgid, Trap(0))) == 0);
  BOOST_TEST(s.Status(s.Start(p, nr::kGetpgid, {0})).signal == 31);
}

BOOST_AUTO_TEST_CASE(trace_without_a_tracer_is_enosys) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, bpf::kRetTrace | 3));
  BOOST_TEST(s.Call(p, nr::kGetpid) == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(log_and_allow_run_the_syscall) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, bpf::kRetLog));
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
}

BOOST_AUTO_TEST_CASE(kill_thread_of_the_only_thread_kills_the_process_with_sigsys) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, bpf::kRetKillThread));
  const CallHandle h = s.Start(p, nr::kGetpid);
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 31);
}

BOOST_AUTO_TEST_CASE(kill_thread_of_one_thread_of_several_ends_only_that_thread) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, bpf::kRetKillThread));
  const Pid t = s.Thread(p);
  const CallHandle h = s.Start(t, nr::kGetpid);
  BOOST_TEST(StateOf(s.Status(h)) == kGone);
  BOOST_TEST(s.Call(p, nr::kGettid) == p);
}

// With the leader gone (a zombie still in the thread list), KILL_THREAD in the last
// live thread ends the process by SIGSYS (forced, as signal->live == 1; a do_exit(SIGSYS)
// would give the same status through synchronize_group_exit()); the leader keeps the
// `gone` it ended with.
BOOST_AUTO_TEST_CASE(kill_thread_after_the_leader_exited_kills_the_process) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetpid, bpf::kRetKillThread));
  const Pid t = s.Thread(p);
  BOOST_TEST(StateOf(s.Status(s.Start(p, nr::kExit, {0}))) == kGone);
  const CallHandle h = s.Start(t, nr::kGetpid);
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(s.Status(h).signal == 31);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(p).kind) == kGone);
}

BOOST_AUTO_TEST_CASE(kill_process_ignores_a_sigsys_handler) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Handle(p, 31, false) == 0);
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetpid, bpf::kRetKillProcess)) == 0);
  const Pid t = s.Thread(p);
  const CallHandle h = s.Start(t, nr::kGetpid);
  BOOST_TEST(StateOf(s.Status(h)) == kKilled);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(p).kind) == kKilled);
  BOOST_TEST(s.k().TaskEnd(p).signal == 31);
}

BOOST_AUTO_TEST_CASE(user_notif_without_a_listener_is_enosys) {
  Sim s;
  const Pid p = Filtered(s, IfNr(nr::kGetppid, bpf::kRetUserNotif));
  BOOST_TEST(s.Call(p, nr::kGetppid) == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(only_the_newest_notify_filter_counts_even_if_an_older_one_listens) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Nnp(p) == 0);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetppid, bpf::kRetUserNotif), kFilterFlagNewListener) == 3);
  BOOST_TEST(s.Install(p, IfNr(nr::kGetppid, bpf::kRetUserNotif)) == 0);
  BOOST_TEST(s.Call(p, nr::kGetppid) == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(syscall_minus_1_is_enosys_unless_a_filter_matches_0xffffffff) {
  Sim s;
  const Pid bare = s.Spawn();
  BOOST_TEST(s.Call(bare, -1) == Err(model::kENOSYS));
  const Pid p = Filtered(s, {Ld(0), Jeq(0xffffffff, 0, 1), Ret(Errno(7)), Ret(bpf::kRetAllow)});
  BOOST_TEST(s.Call(p, -1) == -7);
  BOOST_TEST(s.Call(p, -101) == Err(model::kENOSYS));
}

BOOST_AUTO_TEST_CASE(filters_see_the_full_64_bit_arguments_populate_seccomp_data) {
  Sim s;
  // getpgid(arg0) with a non-zero high word of arg0 -> ERRNO(1)
  const Pid p = Filtered(s, {Ld(0), Jeq(nr::kGetpgid, 0, 3), Ld(20), Jeq(1, 0, 1), Ret(Errno(1)),
                             Ret(bpf::kRetAllow)});
  BOOST_TEST(s.Call(p, nr::kGetpgid, {0}) == p);
  BOOST_TEST(s.Call(p, nr::kGetpgid, {1ULL << 32}) == -1);
}

BOOST_AUTO_TEST_CASE(uretprobe_and_uprobe_bypass_every_filter_on_6_18) {
  for (bool cache : {true, false}) {
    Sim s(1, true, cache);
    const Pid p = Filtered(s, Always(Errno(77)));
    BOOST_TEST(s.Call(p, kNrUretprobe) == Err(model::kENOSYS));  // ran (not modelled)
    BOOST_TEST(s.Call(p, kNrUprobe) == Err(model::kENOSYS));
    BOOST_TEST(s.Call(p, 337) == -77);
  }
}

BOOST_AUTO_TEST_CASE(the_action_cache_never_changes_a_result) {
  // Programs with constant and argument-dependent paths, run for every syscall number
  // that has no side effect here, with the cache and without.
  const std::vector<std::vector<bpf::Insn>> programs = {
      IfNr(nr::kGetpid, Errno(1)),
      {Ld(4), Jeq(kAuditArchX86_64, 1, 0), Ret(bpf::kRetKillProcess), Ld(0),
       bpf::Jump(bpf::kJgeK, 400, 0, 1), Ret(Errno(2)), Ret(bpf::kRetAllow)},
      {Ld(0), bpf::Jump(bpf::kJsetK, 1, 0, 2), Ld(16), Jeq(0, 0, 1), Ret(Errno(3)),
       Ret(bpf::kRetAllow)},
      {Ld(0), bpf::Stmt(bpf::kAndK, 0xf0), Jeq(0x20, 0, 1), Ret(bpf::kRetLog),
       Ret(bpf::kRetAllow | 5)},
  };
  std::vector<int64_t> with;
  std::vector<int64_t> without;
  for (bool cache : {true, false}) {
    Sim s(1, false, cache);
    const Pid p = s.Spawn();
    SCLAB_CHECK(s.Nnp(p) == 0, "nnp");
    for (const auto& prog : programs) {
      SCLAB_CHECK(s.Install(p, prog) == 0, "install");
    }
    auto& out = cache ? with : without;
    for (int n = -2; n < kNrSyscalls + 2; ++n) {
      if (model::FindModelledSyscall(n) != nullptr && n != nr::kGetpid && n != nr::kGetuid) {
        continue;
      }
      if (n == 219) {
        continue;  // restart_syscall
      }
      out.push_back(s.Call(p, n, {0, 0}));
      out.push_back(s.Call(p, n, {1, 0}));
    }
  }
  BOOST_TEST(with == without);
  BOOST_TEST(with.size() == 896u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
