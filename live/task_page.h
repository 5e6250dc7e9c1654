// TaskPage is one task's command/result page: the only channel between the runner
// and an agent once the agent runs. The runner maps kMaxTasks pages MAP_SHARED
// before forking any agent, so every agent, its forks and its threads see the same
// pages at the same address; each task owns one page (its "command slot").
//
// Protocol (live/agent.cc runs the agent half, live/live_machine.cc the runner half):
// - The runner writes `op`, `nr`, `args` (and the clone fields), then bumps
//   `cmd_seq` (release) and rings the doorbell: it clears kFutexWaiters in
//   `runner_lock`'s lock word and, if the bit was set, FUTEX_WAKEs that word.
// - The idle agent waits for `cmd_seq` to change by spinning (with `pause`), or,
//   only while `futex_ok` is 1, by setting kFutexWaiters and FUTEX_WAITing on the
//   lock word. Nothing else it does between commands enters the kernel.
// - It stores `enter_seq` = seq just before the `syscall` instruction, then `result`
//   and `done_seq` = seq (release) just after it.
// - `runner_lock` is a robust, process-shared mutex the runner thread holds for the
//   whole run. Its lock word holds the runner's tid; if the runner dies, the kernel
//   (exit_robust_list) sets FUTEX_OWNER_DIED in it and wakes a waiter, and the agent
//   kills itself with `ud2`, without a syscall.
//
// Everything in this header is plain data: the agent side uses no libc.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sclab::live {

// kMaxTasks is the task budget of a run (docs/execution.md §6) and the number of
// command pages and thread stacks.
inline constexpr int kMaxTasks = 64;
inline constexpr size_t kPageBytes = 4096;

// Futex bits of a robust lock word (include/uapi/linux/futex.h).
inline constexpr uint32_t kFutexWaiters = 0x80000000u;
inline constexpr uint32_t kFutexOwnerDied = 0x40000000u;
inline constexpr uint32_t kFutexTidMask = 0x3fffffffu;

// AgentOp is what a command asks the agent to do.
enum AgentOp : uint32_t {
  kOpNone = 0,
  kOpSyscall = 1,  // syscall `nr` with `args`
  kOpFork = 2,     // clone(SIGCHLD, 0, 0, 0, 0); the child continues on `child_page`
  kOpThread = 3,   // clone(0x350f00, child_stack_top, &child->ptid, &child->ctid, 0)
};

// ForkVerdict answers a fork_claim: a task that got 0 from kOpFork's clone is the
// child, or the parent itself when a filter (errno(0)) or a supervisor (val=0) made
// the call return 0 without creating anything. Only the runner can tell them apart
// (/proc/PID/task/TID/children); the claimer waits for its answer.
enum ForkVerdict : uint32_t { kVerdictPending = 0, kVerdictChild = 1, kVerdictParent = 2 };

// IdleMode is how an idle agent waits, for the runner's settle check.
enum IdleMode : uint32_t { kIdleSpin = 1, kIdleFutex = 2 };

// SigsysRecord is the siginfo of the last SIGSYS a task's handler caught.
struct SigsysRecord {
  int32_t signo;
  int32_t code;
  int32_t error;
  int32_t syscall;
  uint32_t arch;
  uint32_t pad;
  uint64_t call_addr;
};

struct alignas(kPageBytes) TaskPage {
  // Held by the runner thread; its lock word (the first int) is the doorbell.
  pthread_mutex_t runner_lock;

  // --- written by the runner --------------------------------------------------
  std::atomic<uint32_t> cmd_seq;
  std::atomic<uint32_t> futex_ok;  // 1: the agent may wait with futex(2)
  int32_t runner_tid;              // expected in runner_lock's lock word
  uint32_t op;                     // AgentOp
  int64_t nr;
  uint64_t args[6];
  TaskPage* child_page;                // kOpFork / kOpThread
  uint64_t child_stack_top;            // kOpThread
  std::atomic<uint32_t> fork_verdict;  // ForkVerdict, on the child page

  // --- written by the agent ---------------------------------------------------
  std::atomic<uint32_t> started;      // 1 once the agent loop runs on this page
  std::atomic<uint32_t> fork_claim;   // 1: someone got 0 from the fork (child page)
  std::atomic<uint32_t> enter_seq;    // the command about to enter the kernel
  std::atomic<uint32_t> done_seq;     // the command whose result is in `result`
  std::atomic<int64_t> result;        // the raw return register
  std::atomic<uint64_t> idle_iter;    // bumped on every idle-loop iteration
  std::atomic<uint32_t> idle_mode;    // IdleMode of the current idle wait
  std::atomic<int32_t> in_handler;    // signal handlers running on this task
  std::atomic<uint32_t> setup_error;  // a spawn that failed: step << 16 | errno

  // --- written by the kernel (CLONE_PARENT_SETTID / CLONE_CHILD_CLEARTID) ------
  std::atomic<int32_t> ptid;
  std::atomic<int32_t> ctid;

  // --- written by the signal handler ------------------------------------------
  std::atomic<uint32_t> sigsys_seq;  // bumped (release) after `sigsys` is written
  SigsysRecord sigsys;
  std::atomic<uint32_t> signal_count[65];
};

static_assert(sizeof(TaskPage) == kPageBytes, "one page per task");
static_assert(std::atomic<uint32_t>::is_always_lock_free &&
                  std::atomic<int64_t>::is_always_lock_free &&
                  std::atomic<uint64_t>::is_always_lock_free,
              "pages are shared between processes: only lock-free atomics");

// Thread stacks: kMaxTasks slots of kStackSlotBytes, aligned to their size. The
// lowest page of a slot is PROT_NONE (an overflow faults instead of running into
// the next slot); the top kStackHeaderBytes hold a StackHeader, so that a signal
// handler finds its task's page from its own stack pointer alone (threads share
// the TLS of their creator, and a handler may make no syscall).
inline constexpr uintptr_t kStackSlotBytes = 64 * 1024;
inline constexpr uintptr_t kStackHeaderBytes = 64;
inline constexpr uint64_t kStackMagic = 0x5c1ab57ac4000001ull;

struct StackHeader {
  uint64_t magic;
  TaskPage* page;
};

// StackHeaderOf is the header of the slot holding address `sp`.
inline StackHeader* StackHeaderOf(uintptr_t sp) {
  return reinterpret_cast<StackHeader*>((sp & ~(kStackSlotBytes - 1)) + kStackSlotBytes -
                                        kStackHeaderBytes);
}

}  // namespace sclab::live
