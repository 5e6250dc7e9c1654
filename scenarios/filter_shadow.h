// FilterShadow is the runner's own account of every task's seccomp state, kept from
// the syscalls the runner makes tasks issue and from their results, never from the
// backend's insides. It answers the two questions docs/execution.md §6 asks of it:
// is an unmodelled `syscall(NR)` certainly skipped by the task's filters (KILL,
// TRAP or ERRNO whatever the arguments), and is futex(2) allowed whatever its
// arguments (reported to the backend through Machine::NoteFutexAllowed).
//
// What it tracks, per task: the mode (0, strict, filter), the filter chain (shared
// with the tasks it was inherited by), and an `uncertain` mark.
// - A successful SECCOMP_SET_MODE_FILTER (seccomp(1, flags, prog) returning 0, a
//   listener fd with NEW_LISTENER, not a TSYNC tid) or prctl(PR_SET_SECCOMP,
//   SECCOMP_MODE_FILTER, prog) returning 0 adds the program, read back from the
//   task's memory through the `sock_fprog` the call pointed to; with TSYNC every
//   thread of the process gets the caller's new chain. seccomp(0, …) or
//   prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) returning 0 sets strict mode.
// - A "success" may be fake: the task's own filters can answer the call (ERRNO(0)
//   returns 0, TRAP returns the syscall number once a handler returns, a supervisor
//   can reply val=0). So the shadow first runs the task's chain on the call's
//   arguments (bpf::RunStack): ERRNO/TRAP/KILL/TRACE mean nothing was installed;
//   USER_NOTIF, or a chain that reads the instruction pointer (which the runner does
//   not know), leaves the outcome unknown and marks the task uncertain. An
//   uncertain task never has a syscall certainly skipped nor futex allowed: the
//   shadow errs only towards refusing.
// - fork() and thread() children inherit their creator's state.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "bpf/insn.h"
#include "scenarios/machine.h"

namespace sclab::scn {

class FilterShadow {
 public:
  // ReadMemory reads `len` bytes at `addr` in the task's memory.
  using ReadMemory = std::function<std::vector<uint8_t>(uint64_t addr, uint64_t len)>;

  // AddTask registers a fresh task (mode 0, no filters), or one that inherits the
  // state of `creator` (fork/thread).
  void AddTask(TaskId task, std::optional<TaskId> creator = std::nullopt);

  // SetProcess records the process a task belongs to (threads share one; TSYNC uses it).
  void SetProcess(TaskId task, int process);

  // NoteSyscall updates the state after task `task` issued syscall `nr` with `args`
  // and it returned `ret` (the raw register: -errno on failure). Returns the tasks
  // whose state changed.
  std::vector<TaskId> NoteSyscall(TaskId task, int nr, const std::array<uint64_t, 6>& args,
                                  int64_t ret, const ReadMemory& read);

  // CertainlySkipped is true when the task's filters make syscall `nr` fail or kill
  // without running it, whatever its arguments (strict mode counts).
  bool CertainlySkipped(TaskId task, int64_t nr) const;

  // FutexAllowed is true when futex(2) runs for the task whatever its arguments.
  bool FutexAllowed(TaskId task) const;

  // Mode is 0, 1 (strict) or 2 (filter); FilterCount the chain's length; Uncertain
  // whether the shadow lost track.
  int Mode(TaskId task) const;
  size_t FilterCount(TaskId task) const;
  bool Uncertain(TaskId task) const;

 private:
  struct Filter;
  struct Node {
    std::shared_ptr<const Filter> filter;
    std::shared_ptr<const Node> older;
  };
  struct State {
    int mode = 0;
    std::shared_ptr<const Node> chain;  // newest first
    bool uncertain = false;
    int process = -1;
  };
  enum class Ran : uint8_t { kYes, kNo, kUnknown };

  Ran DidRun(const State& s, int nr, const std::array<uint64_t, 6>& args) const;
  std::shared_ptr<const Filter> ReadFilter(uint64_t fprog, const ReadMemory& read);

  std::map<TaskId, State> tasks_;
  // Every program read so far, by its raw bytes (a Filter is immutable once read).
  std::map<std::vector<uint8_t>, std::shared_ptr<const Filter>> filters_by_bytes_;
};

}  // namespace sclab::scn
