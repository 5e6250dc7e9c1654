// ksim_tasks: processes, threads, ids, exit, wait4, zombies and reparenting
// (kernel/fork.c, kernel/exit.c, kernel/sys.c).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <ostream>

#include "tests/kernel_sim/harness.h"

namespace sclab::ksim::testing {

namespace {

bool Returned(const CallStatus& s) { return s.state == CallState::kReturned; }

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_tasks)

BOOST_AUTO_TEST_CASE(spawned_process_has_devnull_on_0_to_2_and_the_channel_at_1023) {
  Sim s;
  const Pid p = s.Spawn();
  const Process* proc = s.k().FindProcess(p);
  BOOST_REQUIRE(proc != nullptr);
  BOOST_TEST(proc->fds.slots().size() == 4u);
  BOOST_TEST(static_cast<int>(proc->fds.Get(0)->kind) == static_cast<int>(FileKind::kDevNull));
  BOOST_TEST(proc->fds.Get(0) == proc->fds.Get(2));
  BOOST_TEST(static_cast<int>(proc->fds.Get(1023)->kind) == static_cast<int>(FileKind::kChannel));
  BOOST_TEST(s.Call(p, nr::kGetuid) == 65534);
  BOOST_TEST(s.Call(p, nr::kGetgid) == 65534);
  const Pid root = s.Spawn(true);
  BOOST_TEST(s.Call(root, nr::kGetuid) == 0);
}

BOOST_AUTO_TEST_CASE(getppid_is_the_runner_and_getpgid_0_is_the_process_itself_sys_c) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
  BOOST_TEST(s.Call(p, nr::kGettid) == p);
  BOOST_TEST(s.Call(p, nr::kGetppid) == s.k().RunnerPid());
  BOOST_TEST(s.Call(p, nr::kGetpgid, {0}) == p);
  BOOST_TEST(s.Call(p, nr::kGetpgid, {static_cast<uint64_t>(s.k().RunnerPid())}) ==
             s.k().RunnerPid());
  BOOST_TEST(s.Call(p, nr::kGetpgid, {9999}) == Err(model::kESRCH));
  // pid_t truncation: 2^32 + p is p.
  const uint64_t wide = (uint64_t{1} << 32) | static_cast<uint32_t>(p);
  BOOST_TEST(s.Call(p, nr::kGetpgid, {wide}) == p);
}

BOOST_AUTO_TEST_CASE(fork_child_joins_the_parents_group_and_copies_fds_copy_process) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  BOOST_TEST(c == p + 1);
  BOOST_TEST(s.Call(c, nr::kGetppid) == p);
  BOOST_TEST(s.Call(c, nr::kGetpgid, {0}) == p);
  BOOST_TEST(s.Call(c, nr::kGetpid) == c);
  BOOST_TEST(s.k().FindProcess(c)->fds.slots().size() == 4u);
  BOOST_TEST(s.k().FindProcess(c)->fds.Get(1023) == s.k().FindProcess(p)->fds.Get(1023));
}

BOOST_AUTO_TEST_CASE(thread_shares_the_pid_and_parent_settid_writes_its_tid) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t words = s.Buf(p, 16);
  const int64_t t = s.Call(p, nr::kClone, {kCloneThreadFlags, 0x7000, words, words + 8, 0});
  BOOST_TEST(t == p + 1);
  BOOST_TEST(s.U32(p, words) == static_cast<uint32_t>(t));
  BOOST_TEST(s.Call(static_cast<Pid>(t), nr::kGetpid) == p);
  BOOST_TEST(s.Call(static_cast<Pid>(t), nr::kGettid) == t);
  BOOST_TEST(s.Call(static_cast<Pid>(t), nr::kGetppid) == s.k().RunnerPid());
}

BOOST_AUTO_TEST_CASE(clone_thread_without_sighand_is_einval_copy_process) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kClone, {kCloneThread | kCloneVm, 0, 0, 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kClone, {kCloneSighand, 0, 0, 0, 0}) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(clone_shapes_other_than_fork_and_thread_are_einval_diverges) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kClone, {0, 0, 0, 0, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kClone, {kCloneVm | 17, 0, 0, 0, 0}) == Err(model::kEINVAL));
}

BOOST_AUTO_TEST_CASE(exit_of_a_thread_whose_process_lives_on_is_gone) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid t = s.Thread(p);
  const CallHandle h = s.Start(t, nr::kExit, {3});
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kGone));
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(t).kind) == static_cast<int>(CallState::kGone));
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(p).kind) == static_cast<int>(CallState::kNone));
  BOOST_TEST(s.Call(p, nr::kGetpid) == p);
}

BOOST_AUTO_TEST_CASE(exit_group_ends_every_thread_with_the_group_code_do_group_exit) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid t = s.Thread(p);
  const CallHandle h = s.Start(t, nr::kExitGroup, {7});
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kExited));
  BOOST_TEST(s.Status(h).exit_code == 7);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(p).kind) == static_cast<int>(CallState::kExited));
  BOOST_TEST(s.k().TaskEnd(p).exit_code == 7);
}

// Linux 6.18 (seen live): the process's status is the code of the thread that exits
// last, whether it is the leader or not; synchronize_group_exit() makes that thread
// start a group exit with its own code. Each row: who exits first (with 3 or 5), the
// state of that first call, and the status the last call and the parent's wait4 show.
struct TwoExitsCase {
  bool leader_first;
  int first_code;
  int last_code;
};

std::ostream& operator<<(std::ostream& os, const TwoExitsCase& row) {
  return os << (row.leader_first ? "leader" : "thread") << " exits first with "
            << row.first_code << ", the other with " << row.last_code;
}

BOOST_DATA_TEST_CASE(process_status_is_the_last_threads_code_synchronize_group_exit,
                     boost::unit_test::data::make({TwoExitsCase{true, 3, 5},
                                                   TwoExitsCase{false, 5, 3}}),
                     row) {
  Sim s;
  const Pid parent = s.Spawn();
  const Pid c = s.Fork(parent);
  const Pid t = s.Thread(c);
  const Pid first = row.leader_first ? c : t;
  const Pid last = row.leader_first ? t : c;
  BOOST_TEST(static_cast<int>(s.Status(s.Start(first, nr::kExit,
                                               {static_cast<uint64_t>(row.first_code)}))
                                  .state) == static_cast<int>(CallState::kGone));
  const CallHandle h = s.Start(last, nr::kExit, {static_cast<uint64_t>(row.last_code)});
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kExited));
  BOOST_TEST(s.Status(h).exit_code == row.last_code);
  const uint64_t w = s.Buf(parent, 4);
  BOOST_TEST(s.Call(parent, nr::kWait4, {static_cast<uint64_t>(c), w, 0, 0}) == c);
  BOOST_TEST(s.U32(parent, w) == static_cast<uint32_t>(row.last_code) << 8);
}

BOOST_AUTO_TEST_CASE(wait4_collects_a_zombie_and_encodes_the_status_kernel_wait4) {
  Sim s;
  const Pid parent = s.Spawn();
  const Pid c = s.Fork(parent);
  (void)s.Start(c, nr::kExitGroup, {42});
  BOOST_TEST(s.Call(parent, nr::kKill, {static_cast<uint64_t>(c), 0}) ==
             0);  // a zombie still has a pid
  const uint64_t w = s.Buf(parent, 4);
  BOOST_TEST(s.Call(parent, nr::kWait4, {static_cast<uint64_t>(-1), w, 0, 0}) == c);
  BOOST_TEST(s.U32(parent, w) == (42u << 8));
  BOOST_TEST(s.Call(parent, nr::kKill, {static_cast<uint64_t>(c), 0}) == Err(model::kESRCH));
  BOOST_TEST(s.Call(parent, nr::kWait4, {static_cast<uint64_t>(-1), w, 0, 0}) ==
             Err(model::kECHILD));
}

BOOST_AUTO_TEST_CASE(wait4_of_a_killed_child_reports_the_signal) {
  Sim s;
  const Pid parent = s.Spawn();
  const Pid c = s.Fork(parent);
  BOOST_TEST(s.Call(parent, nr::kKill, {static_cast<uint64_t>(c), 15}) == 0);
  BOOST_TEST(static_cast<int>(s.k().TaskEnd(c).kind) == static_cast<int>(CallState::kKilled));
  const uint64_t w = s.Buf(parent, 4);
  BOOST_TEST(s.Call(parent, nr::kWait4, {static_cast<uint64_t>(c), w, 0, 0}) == c);
  BOOST_TEST(s.U32(parent, w) == 15u);
}

BOOST_AUTO_TEST_CASE(wait4_checks_options_then_children) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(-1), 0, 0x10, 0}) == Err(model::kEINVAL));
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(-1), 0, 0, 0}) == Err(model::kECHILD));
  BOOST_TEST(s.Call(p, nr::kWait4, {0x80000000ULL, 0, 0, 0}) == Err(model::kESRCH));
  const Pid c = s.Fork(p);
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c), 0, kWnohang, 0}) == 0);
  BOOST_TEST(s.Call(p, nr::kWait4, {static_cast<uint64_t>(c) + 5, 0, kWnohang, 0}) ==
             Err(model::kECHILD));
}

BOOST_AUTO_TEST_CASE(wait4_sleeps_in_do_wait_until_the_child_exits) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  const uint64_t w = s.Buf(p, 4);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(c), w, 0, 0});
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kInFlight));
  BOOST_TEST(std::string(s.Status(h).wait_name) == "do_wait (interruptible)");
  (void)s.Start(c, nr::kExit, {9});
  BOOST_TEST(Returned(s.Status(h)));
  BOOST_TEST(s.Status(h).ret == c);
  BOOST_TEST(s.U32(p, w) == (9u << 8));
}

BOOST_AUTO_TEST_CASE(wait4_interrupted_by_a_handler_is_eintr_without_sa_restart) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  (void)s.Fork(p);
  BOOST_TEST(s.Handle(p, 10, false) == 0);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(-1), 0, 0, 0});
  BOOST_TEST(s.Tgkill(other, p, 10) == 0);
  BOOST_TEST(Returned(s.Status(h)));
  BOOST_TEST(s.Status(h).ret == Err(model::kEINTR));
}

BOOST_AUTO_TEST_CASE(wait4_restarts_with_sa_restart_and_keeps_waiting) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid other = s.Spawn();
  const Pid c = s.Fork(p);
  BOOST_TEST(s.Handle(p, 10, true) == 0);
  const CallHandle h = s.Start(p, nr::kWait4, {static_cast<uint64_t>(-1), 0, 0, 0});
  BOOST_TEST(s.Call(other, nr::kKill, {static_cast<uint64_t>(p), 10}) == 0);
  BOOST_TEST(static_cast<int>(s.Status(h).state) == static_cast<int>(CallState::kInFlight));
  (void)s.Start(c, nr::kExit, {0});
  BOOST_TEST(s.Status(h).ret == c);
}

BOOST_AUTO_TEST_CASE(orphans_are_reparented_to_the_runner_forget_original_parent) {
  Sim s;
  const Pid p = s.Spawn();
  const Pid c = s.Fork(p);
  (void)s.Start(p, nr::kExitGroup, {0});
  BOOST_TEST(s.Call(c, nr::kGetppid) == s.k().RunnerPid());
}

BOOST_AUTO_TEST_CASE(clear_child_tid_is_zeroed_when_the_thread_exits_mm_release) {
  Sim s;
  const Pid p = s.Spawn();
  const uint64_t words = s.Buf(p, 16);
  const auto t =
      static_cast<Pid>(s.Call(p, nr::kClone, {kCloneThreadFlags, 0x7000, words, words + 8, 0}));
  s.PutU32(p, words + 8, 77);
  (void)s.Start(t, nr::kExit, {0});
  BOOST_TEST(s.U32(p, words + 8) == 0u);
}

BOOST_AUTO_TEST_CASE(unmodelled_and_invalid_numbers_return_enosys_do_syscall_64) {
  Sim s;
  const Pid p = s.Spawn();
  BOOST_TEST(s.Call(p, 200) == Err(model::kENOSYS));  // tkill: not modelled (DIVERGES)
  BOOST_TEST(s.Call(p, 470) == Err(model::kENOSYS));
  BOOST_TEST(s.Call(p, -1) == Err(model::kENOSYS));
  BOOST_TEST(s.Call(p, 0x40000027) == Err(model::kENOSYS));
  BOOST_TEST(s.Call(p, 219) == Err(model::kEINTR));  // restart_syscall without a restart block
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
