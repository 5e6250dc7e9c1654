// The simulated kernel's objects, each mirroring the kernel structure named on it:
// seccomp filters (struct seccomp_filter) and their listeners (struct notification),
// pending notifications (struct seccomp_knotif) and ADDFD requests (struct
// seccomp_kaddfd), tasks (struct task_struct: one per thread) and processes (struct
// signal_struct + sighand_struct + files_struct + mm: one per thread group).
//
// Everything is plain data owned by the Kernel (kernel_sim/kernel.h), which holds
// every rule. A notification and an ADDFD request live inside the task whose kernel
// stack holds them in Linux (the notifying task, the supervisor), so a pending
// notification costs no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/action_cache.h"
#include "bpf/interpreter.h"
#include "bpf/validator.h"
#include "kernel_sim/abi.h"
#include "kernel_sim/file.h"
#include "kernel_sim/id_index.h"
#include "kernel_sim/proposal_hooks.h"
#include "kernel_sim/vfs.h"
#include "model/user_memory.h"

namespace sclab::ksim {

struct Task;
struct Process;
struct Listener;

// Completion is struct completion: a count of complete() calls not yet consumed by
// the one task that waits on it.
struct Completion {
  uint32_t done = 0;
};

// Filter is struct seccomp_filter. `refs` keeps it alive (attached tasks, the child
// filter, the listener file); `users` counts what can still trigger it (attached
// tasks and the child filter), and reaching 0 means POLLHUP.
struct Filter {
  explicit Filter(std::shared_ptr<const bpf::ValidatedProgram> program)
      : prog(std::move(program)) {}

  uint64_t serial = 0;  // creation order: "filter #serial" in dumps
  uint32_t refs = 1;
  uint32_t users = 1;
  bool log = false;                 // SECCOMP_FILTER_FLAG_LOG
  bool wait_killable_recv = false;  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
  uint32_t chain_max_offset = 0;    // highest data offset this filter or an older one reads
  Filter* prev = nullptr;
  std::shared_ptr<const bpf::ValidatedProgram> prog;  // shared with identical filters
  bpf::ActionCache cache;
  std::unique_ptr<Listener> notif;  // non-null while a listener file is open
  WaitQueue wqh;                    // RECV sleepers (recv_wait_event)
};

// NotifyState is enum notify_state: INIT -> SENT -> REPLIED.
enum class NotifyState : uint8_t { kInit, kSent, kReplied };

struct AddfdRequest;

// Notification is struct seccomp_knotif, on the notifying task's stack. Its
// seccomp_data is not copied: the kernel's n.data points at the one seccomp built at
// syscall entry, and Kernel::SeccompDataOf() rebuilds it from the waiting task's
// registers, which nothing changes meanwhile. Ordered so that it fills 88 bytes.
struct Notification {
  uint64_t id = 0;
  uint64_t seq = 0;  // list position (insertion order), for the INIT list
  int64_t val = 0;
  Filter* match = nullptr;
  Task* prev = nullptr;  // the listener's list of notifications
  Task* next = nullptr;
  Task* init_prev = nullptr;  // the listener's list of INIT notifications (same order)
  Task* init_next = nullptr;
  AddfdRequest* addfd = nullptr;  // head of the LIFO list of queued ADDFD requests
  int32_t error = 0;
  uint32_t flags = 0;
  Completion ready;
  bool active = false;  // between queueing and the task's return from the wait
  bool listed = false;  // on the listener's list (false after the listener went away)
  NotifyState state = NotifyState::kInit;
  bool on_init_list = false;
};
static_assert(sizeof(Notification) == 88, "Notification: keep the round trip's lines few");

// AddfdRequest is struct seccomp_kaddfd, on the supervisor's stack.
struct AddfdRequest {
  bool listed = false;  // on a notification's list (list_empty() is !listed)
  File* file = nullptr;
  int fd = 0;          // SETFD target number
  uint32_t flags = 0;  // newfd_flags (O_CLOEXEC)
  uint32_t ioctl_flags = 0;
  bool setfd = false;
  int ret = 0;
  Completion completion;
  AddfdRequest* next = nullptr;
  AddfdRequest* prev = nullptr;
  Task* owner = nullptr;   // the supervisor
  Task* target = nullptr;  // the notifying task whose list holds it
};

// Listener is struct notification (filter->notif).
struct Listener {
  int32_t requests = 0;  // the RECV token counter
  uint64_t flags = 0;    // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
  uint64_t next_id = 0;
  uint64_t next_seq = 0;
  Task* head = nullptr;  // notifications in list order
  Task* tail = nullptr;
  size_t count = 0;
  Task* init_head = nullptr;  // INIT notifications in list order
  Task* init_tail = nullptr;
  size_t sent = 0;  // notifications in state SENT (for poll)
  IdIndex by_id;
  File* file = nullptr;                           // the listener file (for dumps)
  std::unique_ptr<ListenerState> proposal_state;  // a proposal hook's (proposal_hooks.h)
};

// Siginfo holds the first 32 bytes of a siginfo_t, which is all the model reports:
// signo, errno, code, and the union's first words (si_call_addr or si_pid|si_uid at
// 16, si_syscall or si_status at 24, si_arch at 28).
struct Siginfo {
  int32_t signo = 0;
  int32_t errno_value = 0;
  int32_t code = 0;
  uint64_t word16 = 0;
  int32_t word24 = 0;
  uint32_t word28 = 0;
};

// SigPending is struct sigpending: the pending set, the siginfo of a pending SIGSYS
// (the only one the model reports), which pending signals the kernel generated
// (si_code > 0: dequeue_synchronous_signal() takes those first), and the extra queued
// instances of real-time signals.
struct SigPending {
  uint64_t mask = 0;
  uint64_t from_kernel = 0;
  Siginfo sigsys;
  std::vector<uint8_t> rt_extra;
};

// SigAction is the kernel's struct sigaction for x86_64.
struct SigAction {
  uint64_t handler = kSigDfl;
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};

// Regs is the part of struct pt_regs the model needs. `rewound` is "ip -= 2": on the
// return to user mode the syscall instruction runs again (a restart). `at_handler`: the
// task is at the first instruction of a signal handler. `in_restorer`: the task issued
// rt_sigreturn from its handler's restorer; if that returns at all, the next
// instruction is ud2 (docs/execution.md §3).
struct Regs {
  int64_t orig_ax = -1;
  int64_t ax = 0;
  std::array<uint64_t, 6> args{};
  bool rewound = false;
  bool at_handler = false;
  bool in_restorer = false;
  const char* why = "";  // the kernel check behind ax
};

// SignalFrame is an rt_sigframe the kernel pushed to run a handler.
struct SignalFrame {
  Regs saved;
  std::string saved_reason;
  uint64_t saved_blocked = 0;
  int sig = 0;
  uint64_t handler = 0;
  Siginfo info;
  bool body_ran = false;
};

// TaskState: in user mode with nothing to do, runnable (queued), asleep, or dead.
enum class TaskState : uint8_t { kUser, kRunnable, kSleeping, kDead };
// Next is what a runnable task does when it runs.
enum class Next : uint8_t { kEnter, kResume, kExitToUser };
// WaitKind names each place a task can sleep.
enum class WaitKind : uint8_t {
  kNone,
  kNotifyReply,  // seccomp_do_user_notification(): wait_for_completion_{interruptible,killable}
  kNotifyRecv,   // seccomp_notify_recv(): recv_wait_event()
  kNotifyAddfd,  // seccomp_notify_addfd(): wait_for_completion_interruptible()
  kWait4,        // do_wait()
  kRecvmsg,      // unix_stream_data_wait()
  kPoll,         // do_poll()
  kStopped,      // do_signal_stop(): TASK_STOPPED
  kProposalListener,  // a proposal's listener operation waits for a notification
};

// CallState is how far the runner's current call on a task got.
enum class CallState : uint8_t { kNone, kInFlight, kReturned, kKilled, kExited, kGone };

struct CallRecord {
  int64_t ret = 0;
  const char* why = "";
  uint32_t seq = 0;  // per task, +1 for each started call (CallHandle::seq)
  CallState state = CallState::kNone;
  // A killed or exited call's signal and exit code are the task's end_signal and
  // end_exit_code (Kernel::Status), so they take no room here.
};

// JOBCTL bits (include/linux/sched/jobctl.h) the model uses.
inline constexpr uint32_t kJobctlStopSigmask = 0xff;
inline constexpr uint32_t kJobctlStopDequeued = 1u << 16;
inline constexpr uint32_t kJobctlStopPending = 1u << 17;
inline constexpr uint32_t kJobctlStopConsume = 1u << 18;
inline constexpr uint32_t kJobctlStopped = 1u << 26;

// SyscallScratch is the state a sleeping syscall keeps across wake-ups (what Linux
// keeps in the sleeping function's locals).
struct SyscallScratch {
  File* file = nullptr;  // the file the call holds (fdget)
  uint64_t addr = 0;
  uint64_t addr2 = 0;
  uint64_t len = 0;
  uint32_t flags = 0;
  int32_t pid = 0;
  bool started = false;
  std::vector<uint8_t> buf;  // poll's pollfd array, recvmsg's iovec array

  // Reset empties it for a new call (buf keeps its capacity: no free and malloc per call).
  void Reset() {
    file = nullptr;
    addr = 0;
    addr2 = 0;
    len = 0;
    flags = 0;
    pid = 0;
    started = false;
    buf.clear();
  }
};

struct alignas(64) Task {
  // Hot: what a syscall through a cached filter touches (10,000 tasks round robin is
  // the benchmark), packed into the first two cache lines: 48 bytes here, then regs
  // (80 bytes) to offset 128. The static_asserts after the struct hold it there.
  Process* proc = nullptr;
  Filter* filter = nullptr;
  CallRecord call;  // 24 bytes
  TaskState state = TaskState::kUser;
  Next next = Next::kEnter;
  SeccompMode mode = SeccompMode::kDisabled;
  bool sigpending = false;     // TIF_SIGPENDING
  bool in_get_signal = false;  // woken from do_signal_stop(): get_signal() goes on
  bool ended = false;
  bool in_handler = false;  // !frames.empty(), kept here for Idle()
  bool queued = false;
  Regs regs;

  // Warm: what a notifying task touches besides the hot lines (with 10,000 tasks
  // pending, each round trip's task is cold): right behind them, so that a round trip
  // reads four consecutive lines of its task (static_assert below).
  Pid tid = 0;
  WaitKind wait = WaitKind::kNone;
  bool wait_killable = false;  // TASK_KILLABLE rather than TASK_INTERRUPTIBLE
  bool no_new_privs = false;
  bool exiting = false;      // PF_EXITING
  bool released = false;     // release_task(): the tid is gone
  Task* run_next = nullptr;  // the run queue
  uint64_t ip = 0;           // a fixed fake instruction pointer
  Notification notif;

  std::vector<SignalFrame> frames;

  // seccomp
  uint32_t filter_count = 0;

  // signals
  uint32_t jobctl = 0;
  uint64_t blocked = 0;
  SigPending pending;
  std::optional<Siginfo> last_sigsys;
  bool restart_poll = false;  // restart_block.fn == do_restart_poll
  uint32_t restart_nfds = 0;
  uint64_t restart_ufds = 0;  // restart_block.poll
  int32_t restart_timeout = 0;

  // sleeping (wait and wait_killable are above)
  WaitQueue* wq = nullptr;  // the wait queue the task is on
  Task* wq_prev = nullptr;
  Task* wq_next = nullptr;

  SyscallScratch scratch;
  // The current syscall's filter data and note when a proposal hook built them
  // (ProposalHooks::FilterData); empty otherwise. Cleared at each syscall entry.
  std::vector<uint8_t> filter_data;
  std::shared_ptr<const SyscallNote> syscall_note;
  // A proposal's listener operation's own state, kept while the task sleeps in it.
  std::unique_ptr<ListenerState> proposal_call_state;
  AddfdRequest addfd;

  std::string reason;                     // explanations on: the dynamic reason behind regs.ax
  std::string call_reason;                // explanations on: the reason of the finished call
  int exit_code = 0;                      // task->exit_code
  CallState end_kind = CallState::kNone;  // kExited / kKilled / kGone once ended
  int end_signal = 0;
  int end_exit_code = 0;
  uint64_t clear_child_tid = 0;
  Task* real_parent_thread = nullptr;  // for a leader: the thread that forked it
};

static_assert(offsetof(Task, regs) == 48 && sizeof(Regs) == 80,
              "Task's hot fields must fill exactly its first two cache lines");
static_assert(offsetof(Task, notif) + sizeof(Notification) <= 256,
              "a notifying task's warm fields must end within its fourth cache line");

// ProcState is whether a thread group is alive, a zombie, or reaped.
enum class ProcState : uint8_t { kAlive, kZombie, kReaped };

// signal_struct flags (include/linux/sched/signal.h).
inline constexpr uint32_t kSignalStopStopped = 0x1;
inline constexpr uint32_t kSignalStopContinued = 0x2;
inline constexpr uint32_t kSignalGroupExit = 0x4;
inline constexpr uint32_t kSignalCldStopped = 0x10;
inline constexpr uint32_t kSignalCldContinued = 0x20;
inline constexpr uint32_t kSignalCldMask = kSignalCldStopped | kSignalCldContinued;

struct Process {
  Pid pid = 0;  // tgid
  Pid pgid = 0;
  Pid sid = 0;
  Process* parent = nullptr;  // real_parent's thread group (the runner for a top-level process)
  Cred cred;
  bool is_runner = false;

  FdTable fds;
  std::unique_ptr<std::array<SigAction, kNsig>> actions;  // null: every action SIG_DFL
  SigPending shared_pending;
  model::UserMemory mem;
  Inode* cwd = nullptr;

  std::vector<Task*> threads;  // thread_node list, creation order (released ones removed)
  Task* leader = nullptr;
  int live = 0;           // signal->live
  int quick_threads = 0;  // signal->quick_threads: threads that have not begun do_exit()
  uint32_t flags = 0;
  int group_exit_code = 0;
  int group_stop_count = 0;
  Task* curr_target = nullptr;  // signal->curr_target

  ProcState state = ProcState::kAlive;
  int exit_signal = 17;  // SIGCHLD
  std::vector<Process*> children;
  WaitQueue wait_chldexit;
};

}  // namespace sclab::ksim
