// Machine is the set of primitive operations a backend provides to the one shared
// scenario runner: create tasks, place buffers in a task's memory, make a task
// issue one syscall, wait for calls and tasks. The runner (scenarios/runner.h)
// turns every scenario step into these primitives in the same way for both
// backends, so the simulator and the real kernel see the same syscalls with the
// same arguments. docs/execution.md is the contract, step by step.
//
// Rules every implementation keeps:
// - Runner-side operations (AllocBuffer, WriteMemory, ReadMemory, SigactionFor,
//   LastSigsys, the explain hooks) never make a task issue a syscall.
// - A task issues exactly the syscalls StartSyscall/StartClone ask for,
//   plus rt_sigreturn when one of its signal handlers returns.
// - Every call returns only once the backend is *settled*: each in-flight call has
//   either finished or is asleep inside the kernel, no handler is running, and no
//   pending signal is about to interrupt a sleep. (SimMachine: the scheduler ran to
//   quiescence. LiveMachine: observed through /proc and the agents' pages.)
// - Every wait is bounded; a backend failure (an agent that vanished, a timeout of
//   the backend itself) throws MachineError, which the runner reports as a tool
//   error, never as a kernel outcome.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sclab::scn {

// kChannelFd is the fd number of every process's runner channel (a unix socket,
// inherited by fork); scenarios may not name it.
inline constexpr int kChannelFd = 1023;

// TaskId is the runner's handle for a task: 0, 1, 2 … in creation order, the same
// on every backend.
using TaskId = uint32_t;
// CallId is the handle of one started call: 0, 1, 2 … in start order.
using CallId = uint32_t;

class MachineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// RawOutcome is what happened to a call, before normalisation.
struct RawOutcome {
  enum class Kind : uint8_t {
    kReturned,  // `ret` holds the raw return register: -errno (-4095..-1) on error
    kBlocked,   // still asleep inside the kernel
    kKilled,    // the task's process died by `signal` while the call was in flight
    kExited,    // the process exited with `exit_code` (exit_group, or exit of the last thread)
    kGone,      // the thread ended while its process lives on (Linux reports no status)
  };
  Kind kind = Kind::kBlocked;
  int64_t ret = 0;
  int signal = 0;
  int exit_code = 0;
};

// TaskEnd is how a task ended (or that it has not).
struct TaskEnd {
  enum class Kind : uint8_t { kAlive, kExited, kKilled, kGone };
  Kind kind = Kind::kAlive;
  int exit_code = 0;
  int signal = 0;
};

// SigsysInfo is the siginfo of the last SIGSYS a task's handler caught.
struct SigsysInfo {
  int signo = 0;
  int code = 0;        // si_code; SYS_SECCOMP = 1
  int error = 0;       // si_errno: the filter's SECCOMP_RET_DATA
  int syscall = 0;     // si_syscall
  uint32_t arch = 0;   // si_arch
  uint64_t call_addr = 0;  // si_call_addr: an instruction pointer, never compared
};

// HandleMode is the disposition `handle(SIG, MODE)` installs.
enum class HandleMode : uint8_t { kRestart, kNoRestart, kIgnore, kDefault };

// CloneKind is what `fork()` and `thread()` ask for. Both are one clone(2) syscall
// issued by the task; docs/execution.md gives the exact flags, identical on both
// backends because filters can see them.
enum class CloneKind : uint8_t { kFork, kThread };

// BackendInfo describes the backend for the trace header.
struct BackendInfo {
  std::string backend;        // "sim" or "live"
  std::string kernel;         // `uname -r` (live) or "sim (Linux 6.18 model)"
  std::string runner_status;  // live: the runner's Seccomp:/Seccomp_filters: lines
  bool user_notif_available = true;  // live: "user_notif" in actions_avail
};

class Machine {
 public:
  virtual ~Machine() = default;

  virtual BackendInfo Info() = 0;

  // SpawnProcess creates a fresh process with one thread, in the state the language
  // promises (own session and process group, fds 0-2 on /dev/null and nothing else
  // in the low numbers, uid/gid 65534 without capabilities unless privileged,
  // dumpable, no filters, NNP off). Called for each `process` before the first step.
  virtual TaskId SpawnProcess(std::string_view name, bool privileged) = 0;

  // Pid/Tid are the raw ids of a task as the kernel reports them (getpid/gettid);
  // RunnerPid is the pid `runner` stands for (the parent of every `process`).
  virtual int64_t Pid(TaskId task) = 0;
  virtual int64_t Tid(TaskId task) = 0;
  virtual int64_t RunnerPid() = 0;

  // ScratchPath is the per-run scratch directory `$scratch` expands to. Both
  // backends use paths of the same length (see docs/execution.md).
  virtual std::string ScratchPath() = 0;

  // AllocBuffer places `size` zero bytes in the task's memory so that the buffer
  // ends exactly at the end of a mapping (the next byte is unmapped on both
  // backends), and returns its address. Threads share their process's memory.
  virtual uint64_t AllocBuffer(TaskId task, uint64_t size) = 0;
  virtual void WriteMemory(TaskId task, uint64_t addr, std::span<const uint8_t> bytes) = 0;
  virtual std::vector<uint8_t> ReadMemory(TaskId task, uint64_t addr, uint64_t len) = 0;

  // StartSyscall makes the task issue syscall `nr`; returns once the call has
  // finished or sleeps in the kernel (then Poll/Await report on it later).
  virtual CallId StartSyscall(TaskId task, int nr, const std::array<uint64_t, 6>& args) = 0;

  // StartClone is fork() / thread(): a clone(2) issued by the task. When it
  // succeeds, ChildOf() gives the new task.
  virtual CallId StartClone(TaskId task, CloneKind kind) = 0;
  virtual std::optional<TaskId> ChildOf(CallId call) = 0;

  // SendFdToChannel is the runner half of `pass(FD, TO)`: it queues the file open at
  // `fd` in `from`'s process on `to`'s runner channel (fd kChannelFd), as an
  // SCM_RIGHTS message with one data byte, without any task syscall. Returns false
  // (the step's outcome is then EBADF) when `from` has no such fd. The receiving
  // half is an ordinary recvmsg(kChannelFd, …) issued by `to` with StartSyscall.
  virtual bool SendFdToChannel(TaskId from, int fd, TaskId to) = 0;

  // Poll reports the call's outcome as of now; Await waits (bounded by the step
  // timeout) for it to finish, and reports kBlocked if it does not.
  virtual RawOutcome Poll(CallId call) = 0;
  virtual RawOutcome Await(CallId call) = 0;

  // TaskState reports whether a task has ended; AwaitTaskEnd waits (bounded).
  virtual TaskEnd TaskState(TaskId task) = 0;
  virtual TaskEnd AwaitTaskEnd(TaskId task) = 0;

  // InSignalHandler is true while a live task that is inside no call of the runner's
  // has not come back from a signal handler: the handler's rt_sigreturn sleeps in the
  // kernel (its filters sent it to a supervisor). Such a task cannot start a call
  // until a reply lets it return; the runner stops the run instead, identically on
  // every backend.
  virtual bool InSignalHandler(TaskId /*task*/) { return false; }

  // SigactionFor returns the 32-byte kernel `struct sigaction` (handler, flags,
  // restorer, mask) for rt_sigaction(sig, &act, NULL, 8) that installs `mode`:
  // the backend's own recording handler with SA_SIGINFO|SA_RESTORER (+SA_RESTART),
  // or SIG_IGN / SIG_DFL.
  virtual std::vector<uint8_t> SigactionFor(TaskId task, int sig, HandleMode mode) = 0;

  // LastSigsys is the siginfo of the last SIGSYS the task's handler caught.
  virtual std::optional<SigsysInfo> LastSigsys(TaskId task) = 0;

  // NoteFutexAllowed tells the backend, after any step that may have changed a
  // task's seccomp state, whether futex(2) is allowed for that task whatever its
  // arguments (mode 0, or every filter of its chain returns ALLOW for futex without
  // reading arguments — the runner's filter shadow computes it with the bpf layer).
  // The live backend's idle agents may sleep in futex only then; otherwise they
  // spin, so that a task never issues a syscall the scenario did not ask for.
  virtual void NoteFutexAllowed(TaskId /*task*/, bool /*allowed*/) {}

  // NoteSkippedSyscall tells the backend, just before the StartSyscall it concerns,
  // that the task's filters certainly skip syscall `nr` whatever the arguments (KILL,
  // TRAP or ERRNO; docs/execution.md §6). The live backend re-checks what it issues:
  // a number outside the modelled-syscall table that is a real syscall (x32 numbers
  // included), or clone/rt_sigreturn by number, is issued only after this note, and
  // is otherwise refused with MachineError.
  virtual void NoteSkippedSyscall(TaskId /*task*/, int /*nr*/) {}

  // Explain hooks: the simulated kernel's account of what it did (reasons,
  // kernel events, notification queues). Live returns empty strings.
  virtual std::string ReasonFor(CallId) { return {}; }
  virtual std::vector<std::string> DrainKernelNotes() { return {}; }
  virtual std::string QueueState() { return {}; }
  virtual std::string StateDump() { return {}; }

  // Shutdown ends every task and releases everything; idempotent. The live
  // backend guarantees no process is left behind after it returns.
  virtual void Shutdown() = 0;
};

}  // namespace sclab::scn
