// The agent loop, the recording signal handler and the clone trampolines: the code
// a live task runs after setup. How it works:
//
// A task waits for a command on its TaskPage (live/task_page.h): it polls
// `cmd_seq`, and while the runner says futex is allowed it sleeps in FUTEX_WAIT on
// the lock word of the runner-held robust mutex, after setting kFutexWaiters there
// (set the bit, re-check the command, then sleep: the runner posts the command
// before clearing the bit, so no wake-up is lost). The wait has no timeout on
// purpose: an interrupted FUTEX_WAIT with a timeout restarts through
// restart_syscall(219), a syscall the scenario's filters would see. While futex is
// not allowed the task spins with `pause`; the runner lowers it to SCHED_IDLE.
//
// A command is executed with one inline `syscall` instruction bracketed by
// `enter_seq` and `done_seq`, so the runner can tell "not yet entered" from
// "inside the kernel" (with /proc/TID/syscall) from "returned".
//
// fork() is clone(SIGCHLD) issued the same way; whoever gets 0 back claims the child
// page and waits for the runner's verdict, because a filter's errno(0) or a
// supervisor's val=0 also returns 0, in the parent. thread() goes through
// sclab_live_clone_thread: the new thread starts on its own stack slot, and the
// trampoline only believes it is the child when the kernel has written the
// CLONE_PARENT_SETTID word (it does so before the child can run).
//
// Nothing here may call libc or touch TLS: a thread made by the raw clone shares
// its creator's TLS (no CLONE_SETTLS), and after a filter is installed any stray
// syscall could kill the task. This file is compiled without the stack protector
// and without sanitizers (live/CMakeLists.txt); `nm -u` of its object is empty.
#include "live/agent.h"

#include <climits>
#include <cstdint>

namespace sclab::live {
namespace {

constexpr long kSysClone = 56;
constexpr long kSysFutex = 202;
constexpr long kSigChld = 17;
constexpr long kFutexWait = 0;  // shared futexes: the words live in MAP_SHARED pages
constexpr long kFutexWake = 1;
constexpr int kSigSys = 31;

// The thread() clone flags of docs/execution.md: CLONE_VM|FS|FILES|SIGHAND|THREAD|
// SYSVSEM|PARENT_SETTID|CHILD_CLEARTID.
constexpr unsigned long kThreadFlags = 0x350f00;

inline long RawSyscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r10 asm("r10") = a3;
  register long r8 asm("r8") = a4;
  register long r9 asm("r9") = a5;
  long ret;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}

inline uint32_t* LockWord(TaskPage* page) {
  return reinterpret_cast<uint32_t*>(&page->runner_lock);
}

inline long Addr(const void* p) { return static_cast<long>(reinterpret_cast<uintptr_t>(p)); }

// Die ends the task without a syscall: `ud2` raises SIGILL, which the kernel forces
// (unblocked, default action) when it cannot be delivered to a handler.
[[noreturn]] inline void Die() { __builtin_trap(); }

// CheckRunner dies when the runner thread is gone: the kernel marked the robust lock
// word FUTEX_OWNER_DIED, or the runner unlocked it at the end of the run.
inline void CheckRunner(TaskPage* page, uint32_t word) {
  if ((word & kFutexTidMask) != static_cast<uint32_t>(page->runner_tid) ||
      (word & kFutexOwnerDied) != 0) {
    Die();
  }
}

inline void SetStackPage(TaskPage* page) {
  StackHeader* header = StackHeaderOf(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  __atomic_store_n(&header->page, page, __ATOMIC_RELEASE);
  __atomic_store_n(&header->magic, kStackMagic, __ATOMIC_RELEASE);
}

uint32_t WaitForCommand(TaskPage* page, uint32_t seen) {
  uint32_t* lock = LockWord(page);
  for (;;) {
    page->idle_iter.fetch_add(1, std::memory_order_seq_cst);
    const uint32_t seq = page->cmd_seq.load(std::memory_order_seq_cst);
    if (seq != seen) {
      return seq;
    }
    const uint32_t word = __atomic_load_n(lock, __ATOMIC_SEQ_CST);
    CheckRunner(page, word);
    if (page->futex_ok.load(std::memory_order_seq_cst) == 0) {
      page->idle_mode.store(kIdleSpin, std::memory_order_relaxed);
      __builtin_ia32_pause();
      continue;
    }
    if ((word & kFutexWaiters) == 0) {
      uint32_t expected = word;
      __atomic_compare_exchange_n(lock, &expected, word | kFutexWaiters, false, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
      continue;  // announce the waiter, then look at the command once more
    }
    page->idle_mode.store(kIdleFutex, std::memory_order_relaxed);
    RawSyscall(kSysFutex, Addr(lock), kFutexWait, static_cast<long>(word), 0, 0, 0);
  }
}

void Finish(TaskPage* page, uint32_t seq, long result) {
  page->result.store(result, std::memory_order_relaxed);
  page->done_seq.store(seq, std::memory_order_seq_cst);
  if (page->futex_ok.load(std::memory_order_seq_cst) != 0) {
    RawSyscall(kSysFutex, Addr(&page->done_seq), kFutexWake, INT_MAX, 0, 0, 0);
  }
}

uint32_t AwaitForkVerdict(TaskPage* child) {
  for (;;) {
    const uint32_t verdict = child->fork_verdict.load(std::memory_order_acquire);
    if (verdict != kVerdictPending) {
      return verdict;
    }
    CheckRunner(child, __atomic_load_n(LockWord(child), __ATOMIC_SEQ_CST));
    __builtin_ia32_pause();
  }
}

}  // namespace
}  // namespace sclab::live

using sclab::live::TaskPage;

extern "C" long sclab_live_clone_thread(unsigned long flags, uintptr_t stack, int32_t* ptid,
                                        int32_t* ctid, unsigned long tls, TaskPage* page);

extern "C" [[noreturn]] void sclab_live_agent_main(TaskPage* page) {
  using namespace sclab::live;
  SetStackPage(page);
  uint32_t seen = page->cmd_seq.load(std::memory_order_acquire);
  page->started.store(1, std::memory_order_seq_cst);
  for (;;) {
    const uint32_t seq = WaitForCommand(page, seen);
    seen = seq;
    switch (page->op) {
      case kOpSyscall: {
        const long nr = static_cast<long>(page->nr);
        const long a0 = static_cast<long>(page->args[0]), a1 = static_cast<long>(page->args[1]),
                   a2 = static_cast<long>(page->args[2]), a3 = static_cast<long>(page->args[3]),
                   a4 = static_cast<long>(page->args[4]), a5 = static_cast<long>(page->args[5]);
        page->enter_seq.store(seq, std::memory_order_seq_cst);
        const long result = RawSyscall(nr, a0, a1, a2, a3, a4, a5);
        Finish(page, seq, result);
        break;
      }
      case kOpFork: {
        TaskPage* child = page->child_page;
        page->enter_seq.store(seq, std::memory_order_seq_cst);
        const long result = RawSyscall(kSysClone, kSigChld, 0, 0, 0, 0, 0);
        if (result == 0) {
          SetStackPage(child);
          child->fork_claim.store(1, std::memory_order_seq_cst);
          if (AwaitForkVerdict(child) == kVerdictChild) {
            page = child;
            seen = child->cmd_seq.load(std::memory_order_acquire);
            child->started.store(1, std::memory_order_seq_cst);
            break;
          }
          SetStackPage(page);
        }
        Finish(page, seq, result);
        break;
      }
      case kOpThread: {
        TaskPage* child = page->child_page;
        const uintptr_t top = page->child_stack_top;
        StackHeader* header = StackHeaderOf(top - 1);
        __atomic_store_n(&header->page, child, __ATOMIC_RELEASE);
        __atomic_store_n(&header->magic, kStackMagic, __ATOMIC_RELEASE);
        page->enter_seq.store(seq, std::memory_order_seq_cst);
        const long result =
            sclab_live_clone_thread(kThreadFlags, top, reinterpret_cast<int32_t*>(&child->ptid),
                                    reinterpret_cast<int32_t*>(&child->ctid), 0, child);
        Finish(page, seq, result);
        break;
      }
      default:
        Finish(page, seq, -22);  // EINVAL: the runner never posts anything else
        break;
    }
  }
}

extern "C" void sclab_live_signal_handler(int sig, siginfo_t* info, void* /*ucontext*/) {
  using namespace sclab::live;
  StackHeader* header = StackHeaderOf(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  if (__atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) != kStackMagic) {
    return;
  }
  TaskPage* page = __atomic_load_n(&header->page, __ATOMIC_ACQUIRE);
  page->in_handler.fetch_add(1, std::memory_order_seq_cst);
  if (sig > 0 && sig < 65) {
    page->signal_count[sig].fetch_add(1, std::memory_order_seq_cst);
  }
  if (sig == kSigSys && info != nullptr) {
    page->sigsys.signo = info->si_signo;
    page->sigsys.code = info->si_code;
    page->sigsys.error = info->si_errno;
    page->sigsys.syscall = info->si_syscall;
    page->sigsys.arch = info->si_arch;
    page->sigsys.call_addr = reinterpret_cast<uintptr_t>(info->si_call_addr);
    page->sigsys_seq.fetch_add(1, std::memory_order_seq_cst);
  }
  page->in_handler.fetch_sub(1, std::memory_order_seq_cst);
}

// The restorer issues rt_sigreturn with every argument register zero: the kernel
// ignores them, but a filter (and a notification's data.args) sees them, and what a
// handler happened to leave there (its own arguments, stack addresses) is neither
// deterministic nor what the simulator shows (docs/execution.md §3: all 0).
//
// The trampolines. sclab_live_clone_thread(flags, stack, ptid, ctid, tls, page) issues
// clone(flags, stack - 16, ptid, ctid, tls) with `page` stored at the new stack's top.
// In the new thread (rax 0 and *ptid written) it calls sclab_live_agent_main(page) on
// that stack; a 0 with *ptid still 0 did not come from the kernel's clone, so the
// caller is still the parent and gets 0 back.
asm(R"(
    .text
    .globl sclab_live_restorer
    .type sclab_live_restorer, @function
sclab_live_restorer:
    xor %edi, %edi
    xor %esi, %esi
    xor %edx, %edx
    xor %r10d, %r10d
    xor %r8d, %r8d
    xor %r9d, %r9d
    mov $15, %eax
    syscall
    ud2
    .size sclab_live_restorer, .-sclab_live_restorer

    .globl sclab_live_switch_stack
    .type sclab_live_switch_stack, @function
sclab_live_switch_stack:
    mov %rdi, %rsp
    mov %rsi, %rdi
    xor %ebp, %ebp
    call sclab_live_agent_main@PLT
    ud2
    .size sclab_live_switch_stack, .-sclab_live_switch_stack

    .globl sclab_live_clone_thread
    .type sclab_live_clone_thread, @function
sclab_live_clone_thread:
    push %rbx
    mov %rdx, %rbx
    sub $16, %rsi
    mov %r9, 8(%rsi)
    mov %rcx, %r10
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    cmpl $0, (%rbx)
    je 1f
    xor %ebp, %ebp
    mov 8(%rsp), %rdi
    call sclab_live_agent_main@PLT
    ud2
1:
    pop %rbx
    ret
    .size sclab_live_clone_thread, .-sclab_live_clone_thread
)");
