// ksim_sim_machine: SimMachine runs the runner's primitives as docs/execution.md says
// (buffer slots, clone shapes, sigactions, outcomes, settled after every call).
#define BOOST_TEST_MODULE sim_machine_test
#include <boost/test/unit_test.hpp>

#include <cstring>

#include "bpf/actions.h"
#include "bpf/insn.h"
#include "model/errno.h"
#include "model/syscall_table.h"
#include "scenarios/sim_machine.h"

namespace sclab::scn {
namespace {

namespace nr = model::nr;
using Kind = RawOutcome::Kind;

void Put64(SimMachine& m, TaskId t, uint64_t addr, uint64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);
  m.WriteMemory(t, addr, b);
}

uint64_t Get64(SimMachine& m, TaskId t, uint64_t addr) {
  const auto b = m.ReadMemory(t, addr, 8);
  uint64_t v = 0;
  std::memcpy(&v, b.data(), 8);
  return v;
}

int64_t Ret(SimMachine& m, CallId c) {
  const RawOutcome o = m.Poll(c);
  BOOST_REQUIRE(o.kind == Kind::kReturned);
  return o.ret;
}

// install(F, flags) as docs/execution.md §3 lays it out.
CallId Install(SimMachine& m, TaskId t, const std::vector<bpf::Insn>& prog, uint64_t flags) {
  const uint64_t p = m.AllocBuffer(t, 8 * prog.size());
  std::vector<uint8_t> bytes(8 * prog.size());
  std::memcpy(bytes.data(), prog.data(), bytes.size());
  m.WriteMemory(t, p, bytes);
  const uint64_t f = m.AllocBuffer(t, 16);
  std::vector<uint8_t> hdr(16, 0);
  const auto len = static_cast<uint16_t>(prog.size());
  std::memcpy(hdr.data(), &len, 2);
  std::memcpy(hdr.data() + 8, &p, 8);
  m.WriteMemory(t, f, hdr);
  return m.StartSyscall(t, nr::kSeccomp, {1, flags, f, 0, 0, 0});
}

// NotifyNr is a filter that notifies syscall `n` and allows everything else.
std::vector<bpf::Insn> NotifyNr(int n) {
  return {
      bpf::Stmt(bpf::kLdWAbs, 0),                             // A = nr
      bpf::Jump(bpf::kJeqK, static_cast<uint32_t>(n), 0, 1),  // n?
      bpf::Stmt(bpf::kRetK, bpf::kRetUserNotif),              //   notify
      bpf::Stmt(bpf::kRetK, bpf::kRetAllow),                  //   allow
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_sim_machine)

BOOST_AUTO_TEST_CASE(buffers_sit_at_the_end_of_consecutive_20_kib_slots) {
  SimMachine m;
  const TaskId t = m.SpawnProcess("p", false);
  const uint64_t a = m.AllocBuffer(t, 100);
  const uint64_t b = m.AllocBuffer(t, 16384);
  BOOST_TEST((a + 100) % 4096 == 0u);
  BOOST_TEST((b + 16384) % 4096 == 0u);
  BOOST_TEST((b + 16384) - (a + 100) == 5u * 4096);
  BOOST_CHECK_THROW(m.ReadMemory(t, a + 100, 1), MachineError);  // the unmapped page
  BOOST_TEST(m.ReadMemory(t, a - 16284, 4).size() == 4u);        // slot start: mapped zeros
  BOOST_CHECK_THROW(m.AllocBuffer(t, 16385), MachineError);
  for (int i = 2; i < 512; ++i) {
    (void)m.AllocBuffer(t, 8);
  }
  BOOST_CHECK_THROW(m.AllocBuffer(t, 8), MachineError);
}

BOOST_AUTO_TEST_CASE(spawn_ids_pids_and_the_scratch_path) {
  SimMachine m;
  const TaskId a = m.SpawnProcess("a", false);
  const TaskId b = m.SpawnProcess("b", true);
  BOOST_TEST(a == 0u);
  BOOST_TEST(b == 1u);
  BOOST_TEST(m.Pid(a) == m.Tid(a));
  BOOST_TEST(Ret(m, m.StartSyscall(a, nr::kGetppid, {})) == m.RunnerPid());
  BOOST_TEST(Ret(m, m.StartSyscall(b, nr::kGetuid, {})) == 0);
  BOOST_TEST(m.ScratchPath().size() == 17u);
}

BOOST_AUTO_TEST_CASE(fork_and_thread_are_the_two_clone_shapes) {
  SimMachine m;
  const TaskId p = m.SpawnProcess("p", false);
  const CallId f = m.StartClone(p, CloneKind::kFork);
  const auto child = m.ChildOf(f);
  BOOST_REQUIRE(child.has_value());
  BOOST_TEST(*child == 1u);
  BOOST_TEST(Ret(m, m.StartSyscall(*child, nr::kGetppid, {})) == m.Pid(p));
  const CallId th = m.StartClone(p, CloneKind::kThread);
  const auto thread = m.ChildOf(th);
  BOOST_REQUIRE(thread.has_value());
  BOOST_TEST(m.Pid(*thread) == m.Pid(p));
  BOOST_TEST(m.Tid(*thread) != m.Tid(p));
  // fork copied the slots: the child's next buffer is where the parent's would be.
  const uint64_t pc = m.AllocBuffer(p, 8);
  const uint64_t cc = m.AllocBuffer(*child, 8);
  BOOST_TEST(pc == cc);
}

BOOST_AUTO_TEST_CASE(a_notified_call_blocks_and_the_outcome_follows_the_reply) {
  SimMachine m;
  const TaskId sup = m.SpawnProcess("sup", false);
  const TaskId target = m.SpawnProcess("target", false);
  BOOST_TEST(Ret(m, m.StartSyscall(target, nr::kPrctl, {38, 1, 0, 0, 0, 0})) == 0);
  BOOST_TEST(Ret(m, Install(m, target, NotifyNr(nr::kGetppid), ksim::kFilterFlagNewListener)) == 3);
  BOOST_TEST(m.SendFdToChannel(target, 3, sup));
  const uint64_t msg = m.AllocBuffer(sup, 120);
  Put64(m, sup, msg + 16, msg + 56);
  Put64(m, sup, msg + 24, 1);
  Put64(m, sup, msg + 32, msg + 80);
  Put64(m, sup, msg + 40, 24);
  Put64(m, sup, msg + 56, msg + 72);
  Put64(m, sup, msg + 64, 1);
  BOOST_TEST(Ret(m, m.StartSyscall(sup, nr::kRecvmsg, {1023, msg, 0, 0, 0, 0})) == 1);
  const CallId c = m.StartSyscall(target, nr::kGetppid, {});
  BOOST_TEST((m.Poll(c).kind == Kind::kBlocked));
  BOOST_CHECK_THROW(m.StartSyscall(target, nr::kGetpid, {}), MachineError);
  const uint64_t n = m.AllocBuffer(sup, 80);
  BOOST_TEST(Ret(m, m.StartSyscall(sup, nr::kIoctl, {3, ksim::kIoctlNotifRecv, n, 0, 0, 0})) == 0);
  const uint64_t r = m.AllocBuffer(sup, 24);
  Put64(m, sup, r, Get64(m, sup, n));
  Put64(m, sup, r + 8, 4242);
  BOOST_TEST(Ret(m, m.StartSyscall(sup, nr::kIoctl, {3, ksim::kIoctlNotifSend, r, 0, 0, 0})) == 0);
  BOOST_TEST(Ret(m, c) == 4242);
  BOOST_TEST(m.Await(c).ret == 4242);
}

// A notified fork() returns only after the supervisor's reply: CONTINUE makes the
// kernel run clone() then, and ChildOf() must find that child; a faked positive
// value (val=4242, or the pid of a task that exists) makes no task. Found by
// scenarios/corpus/supervisor/fork_under_supervision.scn, which the live kernel ran.
BOOST_AUTO_TEST_CASE(a_notified_fork_continued_later_still_names_its_child) {
  SimMachine m;
  const TaskId p = m.SpawnProcess("p", false);
  const CallId th = m.StartClone(p, CloneKind::kThread);  // unfiltered: the supervisor
  const auto sup = m.ChildOf(th);
  BOOST_REQUIRE(sup.has_value());
  BOOST_TEST(Ret(m, m.StartSyscall(p, nr::kPrctl, {38, 1, 0, 0, 0, 0})) == 0);
  BOOST_TEST(Ret(m, Install(m, p, NotifyNr(nr::kClone), ksim::kFilterFlagNewListener)) == 3);
  auto answer = [&](int64_t val, uint32_t flags) {
    const uint64_t n = m.AllocBuffer(*sup, 80);
    BOOST_TEST(Ret(m, m.StartSyscall(*sup, nr::kIoctl, {3, ksim::kIoctlNotifRecv, n, 0, 0, 0})) ==
               0);
    const uint64_t r = m.AllocBuffer(*sup, 24);
    Put64(m, *sup, r, Get64(m, *sup, n));
    Put64(m, *sup, r + 8, static_cast<uint64_t>(val));
    Put64(m, *sup, r + 16, static_cast<uint64_t>(flags) << 32);
    BOOST_TEST(Ret(m, m.StartSyscall(*sup, nr::kIoctl, {3, ksim::kIoctlNotifSend, r, 0, 0, 0})) ==
               0);
  };
  const CallId f = m.StartClone(p, CloneKind::kFork);
  BOOST_TEST((m.Poll(f).kind == Kind::kBlocked));
  BOOST_TEST(!m.ChildOf(f).has_value());
  answer(0, ksim::kUserNotifFlagContinue);
  const auto child = m.ChildOf(f);
  BOOST_REQUIRE(child.has_value());
  BOOST_TEST(Ret(m, f) == m.Pid(*child));
  BOOST_TEST(Ret(m, m.StartSyscall(*child, nr::kGetppid, {})) == m.Pid(p));
  const CallId fake = m.StartClone(p, CloneKind::kFork);
  answer(4242, 0);
  BOOST_TEST(Ret(m, fake) == 4242);
  BOOST_TEST(!m.ChildOf(fake).has_value());
  const CallId other = m.StartClone(p, CloneKind::kFork);
  answer(m.Pid(*child), 0);  // an existing task, but not made by this call
  BOOST_TEST(!m.ChildOf(other).has_value());
}

BOOST_AUTO_TEST_CASE(sigaction_for_installs_the_recording_handler_and_lastsigsys_reads_it) {
  SimMachine m;
  const TaskId t = m.SpawnProcess("t", false);
  const auto act = m.SigactionFor(t, 31, HandleMode::kNoRestart);
  BOOST_TEST(act.size() == 32u);
  const uint64_t a = m.AllocBuffer(t, 32);
  m.WriteMemory(t, a, act);
  BOOST_TEST(Ret(m, m.StartSyscall(t, nr::kRtSigaction, {31, a, 0, 8, 0, 0})) == 0);
  BOOST_TEST(Ret(m, m.StartSyscall(t, nr::kPrctl, {38, 1, 0, 0, 0, 0})) == 0);
  const std::vector<bpf::Insn> trap = {
      bpf::Stmt(bpf::kLdWAbs, 0),
      bpf::Jump(bpf::kJeqK, static_cast<uint32_t>(nr::kGetpgid), 0, 1),
      bpf::Stmt(bpf::kRetK, bpf::kRetTrap | 5),
      bpf::Stmt(bpf::kRetK, bpf::kRetAllow),
  };
  BOOST_TEST(Ret(m, Install(m, t, trap, 0)) == 0);
  BOOST_TEST(Ret(m, m.StartSyscall(t, nr::kGetpgid, {0, 0, 0, 0, 0, 0})) == nr::kGetpgid);
  const auto info = m.LastSigsys(t);
  BOOST_REQUIRE(info.has_value());
  BOOST_TEST(info->error == 5);
  BOOST_TEST(info->syscall == nr::kGetpgid);
  BOOST_TEST(info->arch == ksim::kAuditArchX86_64);
}

BOOST_AUTO_TEST_CASE(exit_outcomes_and_task_states) {
  SimMachine m;
  const TaskId p = m.SpawnProcess("p", false);
  const auto t = m.ChildOf(m.StartClone(p, CloneKind::kThread));
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST((m.Poll(m.StartSyscall(*t, nr::kExit, {4, 0, 0, 0, 0, 0})).kind == Kind::kGone));
  BOOST_TEST((m.TaskState(*t).kind == TaskEnd::Kind::kGone));
  const RawOutcome o = m.Poll(m.StartSyscall(p, nr::kExitGroup, {6, 0, 0, 0, 0, 0}));
  BOOST_TEST((o.kind == Kind::kExited));
  BOOST_TEST(o.exit_code == 6);
  BOOST_TEST((m.TaskState(p).kind == TaskEnd::Kind::kExited));
  BOOST_CHECK_THROW(m.StartSyscall(p, nr::kGetpid, {}), MachineError);
  m.Shutdown();
  m.Shutdown();
}

BOOST_AUTO_TEST_CASE(the_step_budget_is_a_machine_error) {
  SimMachineOptions options;
  options.step_budget = 50;
  SimMachine m(options);
  const TaskId t = m.SpawnProcess("t", false);
  auto run = [&] {
    for (int i = 0; i < 100; ++i) {
      (void)m.StartSyscall(t, nr::kGetpid, {});
    }
  };
  BOOST_CHECK_THROW(run(), MachineError);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::scn
