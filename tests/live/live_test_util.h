// Helpers for the live tests: BPF literals, syscall shorthands over a LiveMachine,
// feature probes and a /proc count of the test process's descendants.
#pragma once

#include <linux/filter.h>

#include <boost/test/tools/assertion_result.hpp>
#include <boost/test/tree/test_unit.hpp>

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "live/live_machine.h"

namespace sclab::scn {
// Printable outcomes for BOOST_TEST.
std::ostream& operator<<(std::ostream& os, RawOutcome::Kind kind);
std::ostream& operator<<(std::ostream& os, TaskEnd::Kind kind);
}  // namespace sclab::scn

namespace sclab::live::testing {

inline sock_filter Stmt(uint16_t code, uint32_t k) { return {code, 0, 0, k}; }
inline sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return {code, jt, jf, k};
}

// Filters used across the tests (x86_64 only: the arch is not checked).
std::vector<sock_filter> ReturnAlways(uint32_t action);
// OnSyscall returns `action` for syscall `nr` and ALLOW otherwise.
std::vector<sock_filter> OnSyscall(int nr, uint32_t action);
// AllowOnly allows the listed syscalls and returns `otherwise` for everything else.
std::vector<sock_filter> AllowOnly(const std::vector<int>& nrs, uint32_t otherwise);

// Driver wraps a LiveMachine with the shorthands the scenario runner will provide.
class Driver {
 public:
  explicit Driver(LiveMachine& machine) : m_(machine) {}

  uint64_t Buffer(scn::TaskId task, const std::vector<uint8_t>& bytes);
  uint64_t String(scn::TaskId task, const std::string& text);
  // Call starts the syscall and awaits it; the outcome must be kReturned.
  int64_t Call(scn::TaskId task, int nr, std::array<uint64_t, 6> args = {});
  scn::RawOutcome Outcome(scn::TaskId task, int nr, std::array<uint64_t, 6> args = {});
  int64_t Nnp(scn::TaskId task);
  int64_t Install(scn::TaskId task, const std::vector<sock_filter>& program, uint32_t flags = 0);
  // Pass queues `fd` of `from` on `to`'s channel and makes `to` receive it.
  int64_t Pass(scn::TaskId from, int fd, scn::TaskId to);
  int64_t Sigaction(scn::TaskId task, int sig, scn::HandleMode mode);
  uint64_t U64(scn::TaskId task, uint64_t addr);

 private:
  LiveMachine& m_;
};

// Preconditions (Boost.Test reports the test as skipped, with the reason).
boost::test_tools::assertion_result NeedsRoot(boost::unit_test::test_unit_id);
boost::test_tools::assertion_result NeedsUserNotif(boost::unit_test::test_unit_id);

// CountDescendants counts the processes below the test process (zombies included).
int CountDescendants();

// ProcessGroupEmpty is true when no process (zombie or not) is in group `pgid`.
bool ProcessGroupEmpty(int pgid);

}  // namespace sclab::live::testing
