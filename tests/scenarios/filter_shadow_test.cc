// The filter shadow: what it learns from install results, what it refuses to
// believe, inheritance and TSYNC, and its two answers (certainly skipped, futex
// allowed).
#include "scenarios/filter_shadow.h"

#include <boost/test/unit_test.hpp>
#include <map>

#include "bpf/compiler.h"

namespace sclab::scn {
namespace {

constexpr int kSeccomp = 317, kPrctl = 157;
constexpr uint64_t kFprog = 0x5000, kInsns = 0x6000;
constexpr int kMount = 165, kGetpid = 39, kFutex = 202;

// Memory is a task's memory holding one sock_fprog at kFprog.
struct Memory {
  std::map<uint64_t, uint8_t> bytes;

  void Put(uint64_t addr, uint64_t value, size_t width) {
    for (size_t i = 0; i < width; ++i) {
      bytes[addr + i] = static_cast<uint8_t>(value >> (8 * i));
    }
  }
  void Program(const std::vector<bpf::Insn>& insns) {
    Put(kFprog, insns.size(), 8);
    Put(kFprog + 8, kInsns, 8);
    for (size_t i = 0; i < insns.size(); ++i) {
      Put(kInsns + 8 * i, insns[i].code, 2);
      Put(kInsns + 8 * i + 2, insns[i].jt, 1);
      Put(kInsns + 8 * i + 3, insns[i].jf, 1);
      Put(kInsns + 8 * i + 4, insns[i].k, 4);
    }
  }
  FilterShadow::ReadMemory Reader() {
    return [this](uint64_t addr, uint64_t len) {
      std::vector<uint8_t> out;
      for (uint64_t i = 0; i < len; ++i) {
        out.push_back(bytes.at(addr + i));
      }
      return out;
    };
  }
};

std::vector<bpf::Insn> Compile(uint32_t default_action, std::vector<bpf::Rule> rules) {
  bpf::RuleList list;
  list.default_action = default_action;
  list.rules = std::move(rules);
  auto p = bpf::Compile(list);
  BOOST_TEST_REQUIRE(p.ok());
  return p.value();
}

constexpr uint32_t kAllow = 0x7fff0000, kErrnoEperm = 0x00050001, kKill = 0x80000000,
                   kNotify = 0x7fc00000, kTrap = 0x00030000;

std::array<uint64_t, 6> InstallArgs(uint64_t flags) { return {1, flags, kFprog, 0, 0, 0}; }

BOOST_AUTO_TEST_SUITE(scn_filter_shadow)

BOOST_AUTO_TEST_CASE(a_fresh_task_skips_nothing_and_may_sleep_in_futex) {
  FilterShadow s;
  s.AddTask(0);
  BOOST_TEST(s.Mode(0) == 0);
  BOOST_TEST(!s.CertainlySkipped(0, kMount));
  BOOST_TEST(s.FutexAllowed(0));
}

BOOST_AUTO_TEST_CASE(an_installed_errno_rule_makes_its_syscall_certainly_skipped) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {}, kErrnoEperm}}));
  const std::vector<TaskId> changed = s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(changed == std::vector<TaskId>{0});
  BOOST_TEST(s.Mode(0) == 2);
  BOOST_TEST(s.FilterCount(0) == 1u);
  BOOST_TEST(s.CertainlySkipped(0, kMount));
  BOOST_TEST(!s.CertainlySkipped(0, kGetpid));
  BOOST_TEST(s.FutexAllowed(0));
}

BOOST_AUTO_TEST_CASE(a_rule_on_arguments_is_not_certain) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {bpf::ArgCmp{0, bpf::ArgCmp::Op::kEq, 0, 0}}, kKill}}));
  BOOST_TEST(!s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader()).empty());
  BOOST_TEST(!s.CertainlySkipped(0, kMount));
}

BOOST_AUTO_TEST_CASE(any_filter_of_the_chain_can_make_it_certain) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {}, kTrap}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  mem.Program(Compile(kAllow, {{kGetpid, {}, kErrnoEperm}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(s.FilterCount(0) == 2u);
  BOOST_TEST(s.CertainlySkipped(0, kMount));
  BOOST_TEST(s.CertainlySkipped(0, kGetpid));
}

BOOST_AUTO_TEST_CASE(futex_is_allowed_only_when_every_filter_allows_it_outright) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kErrnoEperm, {{kGetpid, {}, kAllow}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(!s.FutexAllowed(0));
  BOOST_TEST(s.CertainlySkipped(0, kFutex));
  FilterShadow t;
  t.AddTask(0);
  mem.Program(
      Compile(kAllow, {{kFutex, {bpf::ArgCmp{1, bpf::ArgCmp::Op::kEq, 0, 0}}, kErrnoEperm}}));
  (void)t.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(!t.FutexAllowed(0));
}

BOOST_AUTO_TEST_CASE(failed_installs_change_nothing) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {}, kErrnoEperm}}));
  BOOST_TEST(s.NoteSyscall(0, kSeccomp, InstallArgs(0), -13, mem.Reader()).empty());   // EACCES
  BOOST_TEST(s.NoteSyscall(0, kSeccomp, InstallArgs(1), 1234, mem.Reader()).empty());  // TSYNC tid
  BOOST_TEST(s.Mode(0) == 0);
  // With NEW_LISTENER a positive result is the listener fd: a success.
  BOOST_TEST(!s.NoteSyscall(0, kSeccomp, InstallArgs(8), 3, mem.Reader()).empty());
  BOOST_TEST(s.FilterCount(0) == 1u);
}

BOOST_AUTO_TEST_CASE(prctl_installs_and_strict_mode_are_followed) {
  FilterShadow s;
  s.AddTask(0);
  s.AddTask(1);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {}, kErrnoEperm}}));
  (void)s.NoteSyscall(0, kPrctl, {22, 2, kFprog, 0, 0, 0}, 0, mem.Reader());
  BOOST_TEST(s.CertainlySkipped(0, kMount));
  (void)s.NoteSyscall(1, kSeccomp, {0, 0, 0, 0, 0, 0}, 0, mem.Reader());
  BOOST_TEST(s.Mode(1) == 1);
  BOOST_TEST(s.CertainlySkipped(1, kGetpid));
  BOOST_TEST(!s.CertainlySkipped(1, 0));   // read
  BOOST_TEST(!s.CertainlySkipped(1, 15));  // rt_sigreturn
  BOOST_TEST(!s.FutexAllowed(1));
  FilterShadow p;
  p.AddTask(0);
  (void)p.NoteSyscall(0, kPrctl, {22, 1, 0, 0, 0, 0}, 0, mem.Reader());
  BOOST_TEST(p.Mode(0) == 1);
}

BOOST_AUTO_TEST_CASE(children_inherit_and_tsync_reaches_every_thread) {
  FilterShadow s;
  s.AddTask(0);
  s.SetProcess(0, 0);
  s.AddTask(1, TaskId{0});  // a thread
  s.SetProcess(1, 0);
  s.AddTask(2);  // another process
  s.SetProcess(2, 1);
  Memory mem;
  mem.Program(Compile(kAllow, {{kMount, {}, kErrnoEperm}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(!s.CertainlySkipped(1, kMount));
  s.AddTask(3, TaskId{0});  // fork after the install: inherits
  s.SetProcess(3, 2);
  BOOST_TEST(s.CertainlySkipped(3, kMount));
  mem.Program(Compile(kAllow, {{kGetpid, {}, kErrnoEperm}}));
  const std::vector<TaskId> changed = s.NoteSyscall(0, kSeccomp, InstallArgs(1), 0, mem.Reader());
  BOOST_TEST(changed == (std::vector<TaskId>{0, 1}));
  BOOST_TEST(s.CertainlySkipped(1, kMount));
  BOOST_TEST(s.CertainlySkipped(1, kGetpid));
  BOOST_TEST(!s.CertainlySkipped(2, kGetpid));
  BOOST_TEST(!s.CertainlySkipped(3, kGetpid));
}

BOOST_AUTO_TEST_CASE(a_success_the_filters_could_have_faked_is_not_believed) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  // ERRNO(0) for seccomp: seccomp() "returns 0" without running.
  mem.Program(Compile(kAllow, {{kSeccomp, {}, 0x00050000}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(s.FilterCount(0) == 1u);
  mem.Program(Compile(kAllow, {{kMount, {}, kKill}}));
  BOOST_TEST(s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader()).empty());
  BOOST_TEST(s.FilterCount(0) == 1u);
  BOOST_TEST(!s.CertainlySkipped(0, kMount));
}

BOOST_AUTO_TEST_CASE(a_notified_install_makes_the_task_uncertain) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kAllow, {{kSeccomp, {}, kNotify}, {kMount, {}, kKill}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(s.CertainlySkipped(0, kMount));
  mem.Program(Compile(kAllow, {{kGetpid, {}, kKill}}));
  BOOST_TEST(s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader()) == std::vector<TaskId>{0});
  BOOST_TEST(s.Uncertain(0));
  BOOST_TEST(!s.CertainlySkipped(0, kMount));  // uncertain: refuse rather than guess
  BOOST_TEST(!s.FutexAllowed(0));
  s.AddTask(1, TaskId{0});
  BOOST_TEST(s.Uncertain(1));
}

BOOST_AUTO_TEST_CASE(uprobe_syscalls_bypass_every_filter) {
  FilterShadow s;
  s.AddTask(0);
  Memory mem;
  mem.Program(Compile(kKill, {{kGetpid, {}, kAllow}}));
  (void)s.NoteSyscall(0, kSeccomp, InstallArgs(0), 0, mem.Reader());
  BOOST_TEST(s.CertainlySkipped(0, 400));
  BOOST_TEST(!s.CertainlySkipped(0, 335));
  BOOST_TEST(!s.CertainlySkipped(0, 336));
  BOOST_TEST(s.CertainlySkipped(0, 0x40000000 | 39));  // x32 numbers reach the filter
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
