// Kernel is the simulated Linux 6.18 x86_64 kernel: tasks and processes, a
// deterministic scheduler, signals, file descriptors and a tiny VFS, the modelled
// syscalls of model/syscall_table.h, seccomp(2)/prctl with their attach rules, filter
// evaluation and actions, and the user-notification queue with its ioctls.
//
// The runner drives it through a small API: SpawnProcess() makes a process with its
// main thread; StartSyscall() makes a task enter one syscall and then runs the
// scheduler until nothing is runnable (every task is in user mode, asleep in a named
// wait, or dead); Status() reports the call (in flight and where it sleeps, returned
// with the raw register value, or ended by the death of its thread); the rest reads
// state (memory, the last SIGSYS a handler caught, a state dump, kernel notes).
//
// Contract:
// - Deterministic and single-threaded: the same config and the same calls give the
//   same results, notes and dumps byte for byte. The only randomness is the listener's
//   first notification id, drawn from Rng::Stream(seed, "ids").
// - Every syscall handler returns a SysResult with a static reason naming the kernel
//   check; the dispatcher alone turns it into the register value (-errno). With
//   `explain` on, filter verdicts also carry a dynamic reason and every notification
//   step leaves a note; with it off, a non-blocking syscall allocates nothing.
// - A call that would block sleeps in an explicit wait (WaitKind), interruptible or
//   killable, and is resumed by the event it waits for; signals interrupt it with
//   -ERESTARTSYS, which becomes EINTR or a restart of the whole syscall (seccomp runs
//   again) exactly as arch_do_signal_or_restart() decides.
// - Programming errors (a call on a busy task, an unknown tid) are SCLAB_CHECK
//   failures; nothing here throws.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "base/rng.h"
#include "bpf/validation_cache.h"
#include "kernel_sim/abi.h"
#include "kernel_sim/proposal_hooks.h"
#include "kernel_sim/task.h"
#include "kernel_sim/vfs.h"
#include "model/copy.h"
#include "model/signals.h"
#include "model/sys_result.h"
#include "model/syscall_table.h"
#include "model/uapi.h"
#include "model/user_memory.h"

namespace sclab::ksim {

// kRecordingHandler is the address of "the runner's recording handler": a handler at
// this address records the siginfo and returns (through rt_sigreturn). SimMachine
// installs it with SigactionFor(). kRecordingRestorer is its SA_RESTORER trampoline.
inline constexpr uint64_t kRecordingHandler = 0x00007f0000001000;
inline constexpr uint64_t kRecordingRestorer = 0x00007f0000001100;
// kMaxSignalFrames bounds nested signal frames; one more fails setup_rt_frame().
// DIVERGES(kernel): Linux fails a frame only when the user stack runs out (thousands
// of frames); the bound makes a handler that can never return (its rt_sigreturn
// trapped, with SA_NODEFER) end in SIGSEGV after 64 frames instead of thousands.
inline constexpr size_t kMaxSignalFrames = 64;

struct KernelConfig {
  uint64_t seed = 1;
  bool explain = false;      // dynamic reasons and kernel notes
  bool action_cache = true;  // consult the constant-action cache (tests turn it off)
  uint64_t recording_handler = kRecordingHandler;
  std::string scratch_path = "/tmp/sclab-000000";
  uint64_t step_budget = 1'000'000;                   // scheduling steps before the run is stopped
  Pid runner_pid = 100;                               // tasks get runner_pid + 1, + 2, ...
  model::UserMemoryOptions memory{0x10000000, 4, 1};  // the buffer slots of docs/execution.md
  // An API proposal's hooks (kernel_sim/proposal_hooks.h); null: Linux 6.18 as it is.
  std::shared_ptr<ProposalHooks> proposals;
};

// CallHandle names one call started with StartSyscall().
struct CallHandle {
  Pid tid = 0;
  uint64_t seq = 0;
};

// CallStatus is a call's outcome so far.
struct CallStatus {
  CallState state = CallState::kNone;
  int64_t ret = 0;             // kReturned: the raw return register
  int signal = 0;              // kKilled
  int exit_code = 0;           // kExited
  const char* wait_name = "";  // kInFlight: the wait the task sleeps in
  const char* why = "";        // kReturned: the kernel check behind the value
};

// TaskEndStatus is how a task ended: kNone while it lives, else kExited, kKilled or kGone.
struct TaskEndStatus {
  CallState kind = CallState::kNone;
  int exit_code = 0;
  int signal = 0;
};

class Kernel {
 public:
  explicit Kernel(KernelConfig config = {});
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // SpawnProcess makes a process the runner owns (docs/execution.md §1): one thread,
  // its own session and process group, fds 0-2 on /dev/null, the runner channel at
  // 1023, cwd $scratch, uid/gid 65534 without capabilities (or root with all of them).
  // Returns the new thread's tid (= the process's pid).
  Pid SpawnProcess(bool privileged);

  // StartSyscall makes `tid` (idle in user mode) enter syscall `nr` and runs the
  // scheduler until quiescent.
  CallHandle StartSyscall(Pid tid, int64_t nr, const std::array<uint64_t, 6>& args);
  CallStatus Status(const CallHandle& call) const {
    // A returned call, the usual question, inline; everything else in StatusSlow().
    const Task* t = TaskOf(call.tid);
    if (t->call.seq == call.seq && t->call.state == CallState::kReturned) {
      CallStatus s;
      s.state = CallState::kReturned;
      s.ret = t->call.ret;
      s.why = t->call.why;
      return s;
    }
    return StatusSlow(call);
  }
  // Reason is why the call returned what it did: the dynamic reason with explanations
  // on, else the static one.
  std::string Reason(const CallHandle& call) const;
  // Idle is true when the task can start a call: alive, in user mode, no handler running.
  bool Idle(Pid tid) const;
  // InSignalHandler is true while the task has a signal frame: a handler runs, or its
  // rt_sigreturn has not completed (it may sleep in a notification).
  bool InSignalHandler(Pid tid) const;

  TaskEndStatus TaskEnd(Pid tid) const;
  model::UserMemory& Memory(Pid tid);
  std::optional<Siginfo> LastSigsys(Pid tid) const;
  // SendFdToChannel queues the file at `fd` in `from`'s process on `to`'s runner
  // channel, as an SCM_RIGHTS message; false when `from` has no such fd.
  bool SendFdToChannel(Pid from, int fd, Pid to);

  Pid RunnerPid() const { return config_.runner_pid; }
  Pid Tgid(Pid tid) const;
  const std::string& ScratchPath() const { return config_.scratch_path; }
  const KernelConfig& config() const { return config_; }

  // StateDump describes every task, process, filter and listener (stable text).
  std::string StateDump() const;
  // QueueState describes each listener's notification queue.
  std::string QueueState() const;
  // DrainNotes returns the kernel notes since the last call (explanations on).
  std::vector<std::string> DrainNotes();

  bool budget_exhausted() const { return budget_exhausted_; }
  uint64_t steps() const { return steps_; }
  // Shutdown kills every process with SIGKILL and reaps everything; idempotent.
  void Shutdown();

  // HoldTask models preemption for tests and explorers: a held task that becomes
  // runnable stays queued and does not run until released (ReleaseTask runs the
  // scheduler again). Some interleavings (two ADDFD requests queued before the target
  // runs) need it, because StartSyscall() otherwise runs everything to quiescence.
  void HoldTask(Pid tid, bool held);

  // Introspection for tests and benchmarks.
  const Task* FindTask(Pid tid) const;
  const Process* FindProcess(Pid pid) const;
  size_t live_files() const { return live_files_; }
  size_t live_filters() const { return live_filters_; }
  size_t task_count() const { return tasks_.size(); }
  // copies counts every user access the kernel made so far (model/copy.h).
  const model::CopyCounters& copies() const { return copies_; }

 private:
  // What a syscall handler returns: a value, or "the task sleeps", or "no return".
  struct Ret {
    int64_t value = 0;
    bool sleeps = false;
    bool no_return = false;
  };
  using SysRet = model::SysResult<Ret>;
  static SysRet Value(int64_t v) { return Ret{v, false, false}; }
  static SysRet Sleeps() { return Ret{0, true, false}; }
  static SysRet NoReturn() { return Ret{0, false, true}; }

  // How seccomp decided (__secure_computing's result, plus "the task sleeps/died").
  enum class Verdict : uint8_t { kRun, kSkip, kSleep, kDead };

  // A signal get_signal() chose to deliver to a handler.
  struct Ksig {
    int sig = 0;
    Siginfo info;
    SigAction ka;
  };
  enum class GetSignalResult : uint8_t { kNone, kDeliver, kStopped, kDied };
  // force_sig_info_to_task()'s enum sig_handler.
  enum class ForceHandler : uint8_t { kCurrent, kDfl, kExit };

  // --- kernel.cc: tables, scheduler, wait queues, files, notes ------------------
  // TaskIdle is Idle() for a task at hand: in user mode, not in a handler, not ended.
  static bool TaskIdle(const Task* t) {
    return t->state == TaskState::kUser && !t->in_handler && !t->ended;
  }
  // TaskOf is any task ever created (SCLAB_CHECK). One unsigned compare: a tid at or
  // below runner_pid wraps to a huge index.
  Task* TaskOf(Pid tid) const {
    const auto index = static_cast<uint64_t>(static_cast<int64_t>(tid) - config_.runner_pid - 1);
    SCLAB_CHECK(index < tasks_.size(), "unknown tid");
    return tasks_[index].get();
  }
  Task* FindTaskVpid(Pid pid) const;  // find_task_by_vpid(): not yet released
  Process* ProcessOf(Pid pid) const;
  CallStatus StatusSlow(const CallHandle& call) const;
  Pid AllocPid();
  Task* NewTask(Process* proc);
  void Enqueue(Task* t) {
    if (t->queued) {
      return;
    }
    t->queued = true;
    t->run_next = nullptr;
    if (runq_tail_ == nullptr) {
      runq_head_ = t;
    } else {
      runq_tail_->run_next = t;
    }
    runq_tail_ = t;
  }
  Task* Dequeue();  // the run queue's head (which must exist)
  void RunUntilQuiescent();
  [[gnu::always_inline]] inline void RunTask(Task* t);  // kernel.cc only: inlined in its loops
  static void Sleep(Task* t, WaitKind kind, bool killable) {
    t->state = TaskState::kSleeping;
    t->wait = kind;
    t->wait_killable = killable;
  }
  // WakeUp is try_to_wake_up() with TASK_NORMAL: complete(), wake_up() and friends.
  void WakeUp(Task* t) {
    if (t->state != TaskState::kSleeping || t->wait == WaitKind::kStopped) {
      return;
    }
    t->state = TaskState::kRunnable;
    t->next = Next::kResume;
    Enqueue(t);
  }
  void WakeUpSignal(Task* t, bool fatal);  // the wake half of signal_wake_up_state()
  void AddWaitHead(WaitQueue* wq, Task* t);
  void RemoveWait(Task* t);
  // WakeQueue is __wake_up(): an empty queue (the common case) costs one load here.
  void WakeQueue(WaitQueue* wq, uint32_t key) {
    if (wq->head != nullptr) {
      WakeQueueWaiters(wq, key);
    }
  }
  void WakeQueueWaiters(WaitQueue* wq, uint32_t key);
  File* NewFile(FileKind kind);
  static void FileGet(File* f) { ++f->refs; }
  // FilePut is fput(): the last reference releases the file (FileRelease()).
  void FilePut(File* f) {
    SCLAB_CHECK(f->refs > 0, "FilePut on a released file");
    if (--f->refs == 0) {
      FileRelease(f);
    }
  }
  void FileRelease(File* f);
  void Note(std::string text);
  bool explain() const { return config_.explain; }
  template <class T>
  model::SysResult<void> GetUser(Task* t, uint64_t addr, T* out) {
    return model::CopyFromUser(t->proc->mem, &copies_, model::BytesOf(*out), addr);
  }
  template <class T>
  model::SysResult<void> PutUser(Task* t, uint64_t addr, const T& value) {
    return model::CopyToUser(t->proc->mem, &copies_, addr, model::BytesOf(value));
  }

  // --- entry.cc: syscall entry, dispatch, exit to user mode --------------------
  void SyscallEnter(Task* t);
  void SyscallResume(Task* t);
  void Dispatch(Task* t);
  void Finish(Task* t, const SysRet& r);
  static void SetReturn(Task* t, int64_t value, const char* why) {
    t->regs.ax = value;
    t->regs.why = why;
  }
  // Models kernel/entry/common.c exit_to_user_mode_loop() with x86's
  // arch_do_signal_or_restart(), then what the task does in user mode. Inline: with
  // nothing to deliver, restart or run, the call returns (the common case, a few loads);
  // ExitToUserSlow has the loop.
  void ExitToUser(Task* t) {
    if (!t->sigpending && !t->in_get_signal && !t->regs.rewound && !t->regs.at_handler &&
        !t->regs.in_restorer) {
      CompleteCall(t);
      t->state = TaskState::kUser;
      return;
    }
    ExitToUserSlow(t);
  }
  [[gnu::noinline]] void ExitToUserSlow(Task* t);
  // CompleteCall hands the return value to the runner's call (once).
  void CompleteCall(Task* t) {
    if (t->call.state != CallState::kInFlight) {
      return;
    }
    t->call.state = CallState::kReturned;
    t->call.ret = t->regs.ax;
    t->call.why = t->regs.why;
    if (explain()) {
      RecordCallReason(t);  // out of line: no string work on the common path
    }
  }
  void RecordCallReason(Task* t);
  std::string SyscallName(int64_t nr) const;

  // --- process_ids.cc -----------------------------------------------------------
  SysRet SysGetpid(Task* t);
  SysRet SysGettid(Task* t);
  SysRet SysGetppid(Task* t);
  SysRet SysGetpgid(Task* t);
  SysRet SysGetuid(Task* t);
  SysRet SysGetgid(Task* t);

  // --- signal.cc ----------------------------------------------------------------
  static bool SigKernelIgnore(int sig);
  static bool SigKernelStop(int sig);
  static bool SigKernelCoredump(int sig);
  static bool SigKernelOnly(int sig);
  const SigAction& ActionOf(const Process* p, int sig) const;
  SigAction& MutableActionOf(Process* p, int sig);
  bool SigHandlerIgnored(uint64_t handler, int sig) const;
  bool SigIgnored(Task* t, int sig) const;
  bool SigFatal(Task* t, int sig) const;
  bool WantsSignal(int sig, Task* t, Task* current) const;
  void RecalcSigpending(Task* t);
  void SignalWakeUp(Task* t, bool fatal);
  bool PrepareSignal(int sig, Task* t);
  // send_signal_locked(): `thread` is PIDTYPE_PID (else the process's shared pending).
  void SendSignal(int sig, const Siginfo& info, Task* t, bool thread, Task* current);
  void CompleteSignal(int sig, Task* p, bool thread, Task* current);
  void ForceSigInfo(Task* t, const Siginfo& info, ForceHandler handler);
  void FlushSigqueueMask(Process* p, uint64_t mask);
  int DequeueSignal(Task* t, Siginfo* info);
  GetSignalResult GetSignal(Task* t, Ksig* ksig);
  void HandleSignal(Task* t, const Ksig& ksig);
  void RestartNoHandler(Task* t);
  void RunHandlerBody(Task* t);
  bool DoSignalStop(Task* t, int signr);
  bool TaskSetJobctlPending(Task* t, uint32_t mask);
  void TaskClearJobctlPending(Task* t, uint32_t mask);
  bool TaskParticipateGroupStop(Task* t);
  void DoNotifyParentCldstop(Task* t, int why);
  bool IsPgrpOrphaned(Pid pgid) const;
  bool ThreadGroupEmpty(const Task* t) const;
  Task* NextThread(const Process* p, const Task* t) const;
  void RetargetSharedPending(Task* t, uint64_t which);
  void ForceSigsegv(Task* t, int sig);
  model::SysResult<void> CheckKillPermission(int sig, Task* target, Task* current);
  model::SysResult<void> GroupSendSigInfo(int sig, const Siginfo& info, Task* p, Task* current);
  model::SysResult<void> KillPgrp(int sig, const Siginfo& info, Pid pgid, Task* current);
  void SetCurrentBlocked(Task* t, uint64_t mask);
  SysRet SysKill(Task* t);
  SysRet SysTgkill(Task* t);
  SysRet SysRtSigaction(Task* t);
  SysRet SysRtSigreturn(Task* t);
  SysRet SysRestartSyscall(Task* t);

  // --- exit.cc ------------------------------------------------------------------
  void DoExit(Task* t, int code);
  void SynchronizeGroupExit(Task* t, int code);
  void DoGroupExit(Task* t, int code);
  void ZapOtherThreads(Task* t);
  void ExitSignals(Task* t);
  void ExitNotify(Task* t, bool group_dead);
  bool DoNotifyParent(Task* leader, int sig);
  void ForgetOriginalParent(Task* t, bool group_dead);
  void ReleaseTask(Task* t);
  void RecordTaskEnd(Task* t);
  int WaitStatusOf(const Process* p) const;
  SysRet SysExit(Task* t);
  SysRet SysExitGroup(Task* t);
  SysRet SysWait4(Task* t);
  SysRet ContinueWait4(Task* t);

  // --- fork.cc ------------------------------------------------------------------
  Task* CopyProcess(Task* current, bool thread, uint64_t clear_child_tid);
  SysRet SysClone(Task* t);
  SysRet SysClone3(Task* t);

  // --- seccomp.cc ---------------------------------------------------------------
  Verdict SecureComputing(Task* t);
  // CachedAllow is seccomp_cache_check_allow() for a task in filter mode, inline: a
  // syscall whose bit is set in the newest filter's bitmap runs with no filter run
  // and nothing else to decide. It is the only place the bitmap is asked: SyscallEnter()
  // calls SecureComputing() only on a miss.
  bool CachedAllow(const Task* t) const {
    return t->mode == SeccompMode::kFilter && config_.action_cache && t->filter != nullptr &&
           t->filter->cache.Allows(kAuditArchX86_64, static_cast<int32_t>(t->regs.orig_ax));
  }
  // seccomp.cc only, inlined into their one caller (as the two below, in notify.cc).
  [[gnu::always_inline]] inline Verdict SeccompFilterAction(Task* t, int nr);
  // SeccompDataOf is populate_seccomp_data(): the syscall's number, arch, instruction
  // pointer and arguments as the filters see them; also the data of the task's pending
  // notification (see Notification).
  static bpf::SeccompData SeccompDataOf(const Task* t) {
    bpf::SeccompData sd;
    sd.nr = static_cast<int32_t>(t->regs.orig_ax);
    sd.arch = kAuditArchX86_64;
    sd.instruction_pointer = t->ip;
    static_assert(sizeof sd.args == sizeof t->regs.args);
    std::memcpy(sd.args, t->regs.args.data(), sizeof sd.args);
    return sd;
  }
  // NotifiedData is SeccompDataOf(t) as the uapi struct seccomp_data: what RECV copies
  // out for t's pending notification (and the proposals' NotificationFacts carry).
  static model::seccomp_data NotifiedData(const Task* t) {
    const bpf::SeccompData sd = SeccompDataOf(t);
    model::seccomp_data out{};
    out.nr = sd.nr;
    out.arch = sd.arch;
    out.instruction_pointer = sd.instruction_pointer;
    std::memcpy(out.args, sd.args, sizeof out.args);
    return out;
  }
  [[gnu::always_inline]] inline uint32_t RunFilters(Task* t, const bpf::SeccompData& sd,
                                                    Filter** match);
  void ForceSigSeccomp(Task* t, int nr, uint32_t data, bool force_coredump);
  void GetSeccompFilter(Task* t);
  void FilterOrphan(Filter* f);
  void FilterPut(Filter* f);
  void SeccompFilterRelease(Task* t);
  SysRet SysSeccomp(Task* t);
  SysRet SysPrctl(Task* t);
  SysRet DoSeccomp(Task* t, uint32_t op, uint32_t flags, uint64_t uargs);
  SysRet SetModeStrict(Task* t);
  SysRet SetModeFilter(Task* t, uint32_t flags, uint64_t uargs);
  model::SysResult<std::unique_ptr<Filter>> PrepareUserFilter(Task* t, uint64_t uargs,
                                                              uint32_t flags);
  std::string FilterLabel(const Task* t, const Filter* f) const;

  // --- notify.cc ----------------------------------------------------------------
  File* InitListener(Filter* filter);
  void NotifyDetach(Filter* filter);
  Verdict DoUserNotification(Task* t, Filter* match, const bpf::SeccompData& sd);
  // ContinueUserNotification, ContinueRecv and ApplyReply are the ways in for
  // entry.cc and the proposal hooks; notify.cc inlines their bodies (…Inline).
  Verdict ContinueUserNotification(Task* t);
  [[gnu::always_inline]] inline Verdict ContinueUserNotificationInline(Task* t);
  void HandleAddfd(Task* target, AddfdRequest* addfd);
  void CompleteNotification(Task* target);
  void CompleteAddfd(AddfdRequest* addfd);
  [[gnu::always_inline]] inline void ListAddTail(Listener* l, Task* t);  // notify.cc only
  [[gnu::always_inline]] inline void ListDel(Listener* l, Task* t);      // notify.cc only
  [[gnu::always_inline]] inline void InitListAdd(Listener* l, Task* t);  // notify.cc only
  [[gnu::always_inline]] inline void InitListDel(Listener* l, Task* t);  // notify.cc only
  void SetNotifyState(Listener* l, Task* t, NotifyState state);          // for proposal hooks
  // notify.cc only: SetNotifyState's body, inlined where the new state is a constant.
  [[gnu::always_inline]] inline void MoveNotifyState(Listener* l, Task* t, NotifyState state);
  void ReleaseScratchFile(Task* t);
  static const char* AddfdWhy(int ret);
  SysRet NotifyIoctl(Task* t, File* f, uint32_t cmd, uint64_t arg);
  [[gnu::always_inline]] inline SysRet NotifyRecv(Task* t, File* f, uint64_t buf);
  SysRet ContinueRecv(Task* t);
  [[gnu::always_inline]] inline SysRet ContinueRecvInline(Task* t);
  [[gnu::always_inline]] inline SysRet NotifySend(Task* t, Filter* filter, uint64_t buf);
  SysRet NotifyIdValid(Task* t, Filter* filter, uint64_t buf);
  SysRet NotifySetFlags(Filter* filter, uint64_t flags);
  SysRet NotifyAddfd(Task* t, File* f, uint64_t uaddfd, uint32_t size);
  SysRet ContinueAddfd(Task* t);
  uint32_t NotifyPoll(const File* f) const;
  model::SysResult<void> ApplyReply(Task* t, Filter* filter, const model::seccomp_notif_resp& resp);
  [[gnu::always_inline]] inline model::SysResult<void> ApplyReplyInline(
      Task* t, Filter* filter, const model::seccomp_notif_resp& resp);
  NotificationFacts FactsOf(const Task* k) const;
  // A proposal's listener operation (proposal_hooks.h): scratch.pid says which
  // (kProposalIoctl, kProposalRead, kProposalWrite); nullopt when the hook passes.
  std::optional<SysRet> ProposalListener(Task* t, File* f, int op, uint64_t a, uint64_t b,
                                         bool resumed = false);
  SysRet ContinueProposalListener(Task* t);
  std::optional<SysRet> ProposalSyscall(Task* t, int nr);
  class ListenerQueue;
  class PidfdInstaller;
  static constexpr int kListenerIoctl = 1;
  static constexpr int kListenerRead = 2;
  static constexpr int kListenerWrite = 3;

  // --- fs.cc --------------------------------------------------------------------
  model::SysResult<int> AllocFd(Process* p);
  void FdInstall(Process* p, int fd, File* f, bool cloexec);
  // fdget() / fdget_raw(): `fd` is an unsigned int; O_PATH files only for the raw form.
  File* FdGet(Task* t, uint64_t fd, bool allow_path) const {
    const auto ufd = static_cast<uint32_t>(fd);
    if (ufd >= static_cast<uint32_t>(kRlimitNofile)) {
      return nullptr;
    }
    File* f = t->proc->fds.Get(static_cast<int>(ufd));
    if (f == nullptr || (!allow_path && (f->f_mode & kFmodePath) != 0)) {
      return nullptr;
    }
    return f;
  }
  void CloseFiles(Process* p);
  uint32_t FilePoll(const File* f) const;
  SysRet SysRead(Task* t);
  SysRet SysWrite(Task* t);
  SysRet SysClose(Task* t);
  SysRet SysDup(Task* t);
  SysRet SysOpenat(Task* t);
  SysRet SysOpenat2(Task* t);
  SysRet DoSysOpen(Task* t, int dfd, uint64_t filename, const model::open_how& how);
  SysRet SysMkdirat(Task* t);
  // Models fs/ioctl.c ioctl(): do_vfs_ioctl()'s generic commands, then the file's own
  // (inline: the hot path of every supervisor).
  SysRet SysIoctl(Task* t) {
    File* f = FdGet(t, t->regs.args[0], false);
    if (f == nullptr) {
      return model::Fail(model::kEBADF, "ioctl: fd is not open");
    }
    const auto cmd = static_cast<uint32_t>(t->regs.args[1]);
    const uint64_t arg = t->regs.args[2];
    if (f->kind == FileKind::kListener && ((cmd >> 8) & 0xff) == '!') {
      // No do_vfs_ioctl() command has seccomp's ioctl type '!', so a listener's own
      // commands reach seccomp_notify_ioctl() here exactly as after DoVfsIoctl's switch.
      return NotifyIoctl(t, f, cmd, arg);
    }
    return DoVfsIoctl(t, f, cmd, arg);
  }
  SysRet DoVfsIoctl(Task* t, File* f, uint32_t cmd, uint64_t arg);
  SysRet SysPoll(Task* t);
  SysRet DoSysPoll(Task* t, uint64_t ufds, uint32_t nfds, int32_t timeout);
  SysRet DoPoll(Task* t, bool first);
  SysRet SysRecvmsg(Task* t);
  SysRet ContinueRecvmsg(Task* t);
  void WakePollers() {
    if (!poll_sleepers_.empty()) {
      WakeAllPollers();
    }
  }
  void WakeAllPollers();

  // --- dump.cc ------------------------------------------------------------------
  std::string DescribeFile(const File* f) const;
  std::string DescribeWait(const Task* t) const;

  KernelConfig config_;
  Rng ids_rng_;
  Vfs vfs_;
  std::vector<std::unique_ptr<Task>> tasks_;  // index: tid - runner_pid - 1
  std::vector<std::unique_ptr<Process>>
      processes_;  // index: pid - runner_pid - 1 (null: not a leader)
  std::unique_ptr<Process> runner_;
  Pid next_pid_ = 0;
  Task* runq_head_ = nullptr;
  Task* runq_tail_ = nullptr;
  uint64_t steps_ = 0;
  bool budget_exhausted_ = false;
  uint64_t file_ids_ = 0;
  uint64_t filter_serials_ = 0;
  // Not kernel state: bpf_prog_create_from_user() checks every program it is given,
  // and so does PrepareUserFilter, but a program it accepted moments ago is not
  // checked again (bpf/validation_cache.h: same result, a copy instead of the checks).
  bpf::ValidationCache validation_cache_;
  std::vector<bpf::Insn> filter_copy_;  // PrepareUserFilter's copy of the user's program
  size_t live_files_ = 0;
  size_t live_filters_ = 0;
  std::vector<Task*> poll_sleepers_;
  std::vector<Task*> held_;
  std::vector<std::string> notes_;
  std::vector<std::unique_ptr<Filter>> filters_;  // every live filter, by creation
  model::CopyCounters copies_;
};

}  // namespace sclab::ksim
