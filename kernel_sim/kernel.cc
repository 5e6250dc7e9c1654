// The Kernel's tables and its scheduler.
//
// Scheduling is one FIFO run queue. A task is runnable when it has kernel work: a
// syscall to enter (Next::kEnter), a wait to re-check after a wake-up (kResume), or
// the return to user mode (kExitToUser: signal delivery, restarts, handlers). RunTask()
// runs one task until it sleeps, dies or is back in user mode with nothing to do; tasks
// it wakes meanwhile are queued behind it. Quiescence is an empty run queue. Every step
// counts against the budget, so a program that never settles (a handler whose
// rt_sigreturn traps forever) is stopped rather than hung.
//
// Wait queues keep the kernel's list order: non-exclusive waiters are added at the
// head (__add_wait_queue()), a wake-up by the queue removes the waiter
// (autoremove_wake_function()), while a wake-up by a signal leaves it queued until
// its wait loop finishes (finish_wait()).
#include "kernel_sim/kernel.h"

#include <algorithm>
#include <utility>

#include "base/check.h"

namespace sclab::ksim {

Kernel::Kernel(KernelConfig config)
    : config_(std::move(config)),
      ids_rng_(Rng::Stream(config_.seed, "ids")),
      vfs_(config_.scratch_path) {
  next_pid_ = config_.runner_pid + 1;
  runner_ = std::make_unique<Process>();
  runner_->pid = config_.runner_pid;
  runner_->pgid = config_.runner_pid;
  runner_->sid = config_.runner_pid;
  runner_->is_runner = true;
  runner_->parent = runner_.get();
  runner_->cwd = vfs_.Root();
}

Kernel::~Kernel() {
  // Drop every file reference so that listener and channel releases run (and free).
  for (auto& p : processes_) {
    if (p == nullptr) {
      continue;
    }
    std::vector<FdTable::Slot> slots = p->fds.slots();
    for (const FdTable::Slot& s : slots) {
      p->fds.Remove(s.fd);
    }
    for (const FdTable::Slot& s : slots) {
      FilePut(s.file);
    }
  }
  for (auto& t : tasks_) {
    if (t->scratch.file != nullptr) {
      File* f = t->scratch.file;
      t->scratch.file = nullptr;
      FilePut(f);
    }
  }
}

// Models kernel/pid.c find_task_by_vpid(): a task is findable until release_task().
Task* Kernel::FindTaskVpid(Pid pid) const {
  const int64_t index = static_cast<int64_t>(pid) - config_.runner_pid - 1;
  if (index < 0 || index >= static_cast<int64_t>(tasks_.size())) {
    return nullptr;
  }
  Task* t = tasks_[static_cast<size_t>(index)].get();
  return t->released ? nullptr : t;
}

Process* Kernel::ProcessOf(Pid pid) const {
  if (pid == config_.runner_pid) {
    return runner_.get();
  }
  const int64_t index = static_cast<int64_t>(pid) - config_.runner_pid - 1;
  if (index < 0 || index >= static_cast<int64_t>(processes_.size())) {
    return nullptr;
  }
  return processes_[static_cast<size_t>(index)].get();
}

const Task* Kernel::FindTask(Pid tid) const {
  const int64_t index = static_cast<int64_t>(tid) - config_.runner_pid - 1;
  if (index < 0 || index >= static_cast<int64_t>(tasks_.size())) {
    return nullptr;
  }
  return tasks_[static_cast<size_t>(index)].get();
}

const Process* Kernel::FindProcess(Pid pid) const { return ProcessOf(pid); }

Pid Kernel::AllocPid() { return next_pid_++; }

Task* Kernel::NewTask(Process* proc) {
  auto task = std::make_unique<Task>();
  task->tid = AllocPid();
  task->proc = proc;
  task->ip = 0x0000555555555000ULL + static_cast<uint64_t>(task->tid) * 0x40;
  Task* raw = task.get();
  tasks_.push_back(std::move(task));
  processes_.emplace_back();
  return raw;
}

Pid Kernel::SpawnProcess(bool privileged) {
  auto owned = std::make_unique<Process>();
  Process* proc = owned.get();
  Task* t = NewTask(proc);
  proc->pid = t->tid;
  proc->pgid = t->tid;
  proc->sid = t->tid;
  proc->parent = runner_.get();
  proc->cred = privileged ? Cred{0, 0, true} : Cred{kNobodyUid, kNobodyUid, false};
  proc->mem = model::UserMemory(config_.memory);
  proc->cwd = vfs_.Scratch();
  proc->leader = t;
  proc->live = 1;
  proc->quick_threads = 1;
  proc->threads.push_back(t);

  File* null_file = NewFile(FileKind::kDevNull);
  null_file->f_flags = static_cast<uint32_t>(model::kORdwr | model::kOLargefile);
  null_file->f_mode = kFmodeRead | kFmodeWrite | kFmodeCanRead | kFmodeCanWrite;
  null_file->inode = vfs_.Root()->children.at("dev")->children.at("null").get();
  proc->fds.Install(0, null_file, false);
  FileGet(null_file);
  proc->fds.Install(1, null_file, false);
  FileGet(null_file);
  proc->fds.Install(2, null_file, false);

  File* channel = NewFile(FileKind::kChannel);
  channel->f_flags = static_cast<uint32_t>(model::kORdwr);
  channel->f_mode = kFmodeRead | kFmodeWrite | kFmodeCanRead | kFmodeCanWrite;
  channel->channel = new Channel();
  proc->fds.Install(kChannelFd, channel, false);

  runner_->children.push_back(proc);
  processes_.back() = std::move(owned);
  return t->tid;
}

Task* Kernel::Dequeue() {
  Task* t = runq_head_;
  runq_head_ = t->run_next;
  if (runq_head_ == nullptr) {
    runq_tail_ = nullptr;
  }
  t->queued = false;
  t->run_next = nullptr;
  return t;
}

void Kernel::RunUntilQuiescent() {
  if (held_.empty()) {
    // Nothing is held (always, outside tests and explorers): the plain FIFO loop.
    // held_ changes only through HoldTask() and Shutdown(), never inside RunTask().
    while (runq_head_ != nullptr && !budget_exhausted_) {
      RunTask(Dequeue());
    }
    return;
  }
  std::vector<Task*> parked;
  while (runq_head_ != nullptr && !budget_exhausted_) {
    Task* t = Dequeue();
    if (std::find(held_.begin(), held_.end(), t) != held_.end()) {
      parked.push_back(t);
      continue;
    }
    RunTask(t);
  }
  for (Task* t : parked) {
    Enqueue(t);
  }
}

void Kernel::HoldTask(Pid tid, bool held) {
  Task* t = TaskOf(tid);
  std::erase(held_, t);
  if (held) {
    held_.push_back(t);
  } else {
    RunUntilQuiescent();
  }
}

inline void Kernel::RunTask(Task* t) {
  while (t->state == TaskState::kRunnable) {
    if (++steps_ > config_.step_budget) {
      budget_exhausted_ = true;
      Enqueue(t);
      return;
    }
    switch (t->next) {
      case Next::kEnter:
        SyscallEnter(t);
        break;
      case Next::kResume:
        SyscallResume(t);
        break;
      case Next::kExitToUser:
        ExitToUser(t);
        break;
    }
  }
}

// The wake-up half of kernel/signal.c signal_wake_up_state(): TASK_INTERRUPTIBLE
// always, TASK_KILLABLE and TASK_STOPPED only for a fatal signal (TASK_WAKEKILL);
// a task in user mode is kicked so that it handles the signal now.
void Kernel::WakeUpSignal(Task* t, bool fatal) {
  switch (t->state) {
    case TaskState::kUser:
      t->state = TaskState::kRunnable;
      t->next = Next::kExitToUser;
      Enqueue(t);
      return;
    case TaskState::kSleeping:
      if (t->wait == WaitKind::kStopped) {
        if (!fatal) {
          return;
        }
        t->state = TaskState::kRunnable;
        t->next = Next::kExitToUser;
        Enqueue(t);
        return;
      }
      if (t->wait_killable && !fatal) {
        return;
      }
      t->state = TaskState::kRunnable;
      t->next = Next::kResume;
      Enqueue(t);
      return;
    case TaskState::kRunnable:
    case TaskState::kDead:
      return;
  }
}

void Kernel::AddWaitHead(WaitQueue* wq, Task* t) {
  if (t->wq != nullptr) {
    return;  // still queued from before (prepare_to_wait_event)
  }
  t->wq = wq;
  t->wq_prev = nullptr;
  t->wq_next = wq->head;
  if (wq->head != nullptr) {
    wq->head->wq_prev = t;
  } else {
    wq->tail = t;
  }
  wq->head = t;
}

void Kernel::RemoveWait(Task* t) {
  WaitQueue* wq = t->wq;
  if (wq == nullptr) {
    return;
  }
  if (t->wq_prev != nullptr) {
    t->wq_prev->wq_next = t->wq_next;
  } else {
    wq->head = t->wq_next;
  }
  if (t->wq_next != nullptr) {
    t->wq_next->wq_prev = t->wq_prev;
  } else {
    wq->tail = t->wq_prev;
  }
  t->wq = nullptr;
  t->wq_prev = nullptr;
  t->wq_next = nullptr;
}

// __wake_up(wq, TASK_NORMAL, 0, key) over non-exclusive waiters with
// autoremove_wake_function(); RECV waiters use recv_wake_function(), which ignores
// wake-ups whose key has none of EPOLLIN, EPOLLERR, EPOLLHUP.
void Kernel::WakeQueueWaiters(WaitQueue* wq, uint32_t key) {
  Task* t = wq->head;
  while (t != nullptr) {
    Task* next = t->wq_next;
    const bool recv = t->wait == WaitKind::kNotifyRecv || t->wait == WaitKind::kProposalListener;
    const bool interested = !recv || key == 0 || (key & (kPollIn | kPollErr | kPollHup)) != 0;
    if (interested && t->state == TaskState::kSleeping) {
      // do_wait()'s child_wait_callback() is not an autoremove function: its waiter
      // stays queued until do_wait() returns.
      if (t->wait != WaitKind::kWait4) {
        RemoveWait(t);
      }
      WakeUp(t);
    }
    t = next;
  }
}

File* Kernel::NewFile(FileKind kind) {
  File* f = new File();
  f->id = ++file_ids_;
  f->kind = kind;
  ++live_files_;
  return f;
}

// fput(): the last reference runs the file's release (__fput()).
void Kernel::FileRelease(File* f) {
  switch (f->kind) {
    case FileKind::kListener:
      // seccomp_notify_release(): detach the listener, then drop the filter reference.
      if (f->filter != nullptr) {
        if (explain()) {
          Note("seccomp_notify_release: listener of " + FilterLabel(nullptr, f->filter) +
               " closed");
        }
        NotifyDetach(f->filter);
        FilterPut(f->filter);
      }
      break;
    case FileKind::kChannel: {
      // unix_release_sock(): the receive queue is purged, its in-flight files put.
      std::vector<File*> queued = std::move(f->channel->queue);
      delete f->channel;
      f->channel = nullptr;
      for (File* q : queued) {
        FilePut(q);
      }
      break;
    }
    default:
      break;
  }
  delete f;
  --live_files_;
}

void Kernel::Note(std::string text) {
  if (config_.explain) {
    notes_.push_back(std::move(text));
  }
}

std::vector<std::string> Kernel::DrainNotes() {
  std::vector<std::string> out;
  out.swap(notes_);
  return out;
}

CallHandle Kernel::StartSyscall(Pid tid, int64_t nr, const std::array<uint64_t, 6>& args) {
  Task* t = TaskOf(tid);
  SCLAB_CHECK(TaskIdle(t), "StartSyscall on a task that is not idle in user mode");
  t->call.ret = 0;
  t->call.why = "";
  ++t->call.seq;
  t->call.state = CallState::kInFlight;
  if (explain()) {
    t->call_reason.clear();
    t->reason.clear();
  }
  // The syscall instruction: rax = nr (orig_ax once in the kernel), the six argument
  // registers, nothing pending from a restart or a handler.
  t->regs.orig_ax = nr;
  t->regs.ax = -model::kENOSYS.value;
  t->regs.args = args;
  t->regs.rewound = false;
  t->regs.at_handler = false;
  t->regs.in_restorer = false;
  t->regs.why = "";
  t->state = TaskState::kRunnable;
  t->next = Next::kEnter;
  if (runq_head_ == nullptr && held_.empty() && !budget_exhausted_) {
    // The run queue is empty: Enqueue() + RunUntilQuiescent() would dequeue `t` first,
    // so run it directly (same order, same steps), then whatever it woke.
    RunTask(t);
    if (runq_head_ != nullptr) {
      RunUntilQuiescent();
    }
  } else {
    Enqueue(t);
    RunUntilQuiescent();
  }
  return CallHandle{tid, t->call.seq};
}

bool Kernel::Idle(Pid tid) const { return TaskIdle(TaskOf(tid)); }

bool Kernel::InSignalHandler(Pid tid) const {
  const Task* t = TaskOf(tid);
  return !t->ended && !t->frames.empty();
}

CallStatus Kernel::StatusSlow(const CallHandle& call) const {
  const Task* t = TaskOf(call.tid);
  SCLAB_CHECK(t->call.seq == call.seq, "Status of a call that is not the task's latest");
  CallStatus s;
  s.state = t->call.state;
  s.ret = t->call.ret;
  if (s.state == CallState::kKilled || s.state == CallState::kExited ||
      s.state == CallState::kGone) {
    s.signal = t->end_signal;  // DoExit() ended the call with the task
    s.exit_code = t->end_exit_code;
  }
  s.why = t->call.why;
  if (s.state == CallState::kInFlight && t->state == TaskState::kSleeping) {
    switch (t->wait) {
      case WaitKind::kNotifyReply:
        s.wait_name = t->wait_killable ? "seccomp_do_user_notification (killable)"
                                       : "seccomp_do_user_notification (interruptible)";
        break;
      case WaitKind::kNotifyRecv:
        s.wait_name = "seccomp_notify_recv (interruptible)";
        break;
      case WaitKind::kNotifyAddfd:
        s.wait_name = "seccomp_notify_addfd (interruptible)";
        break;
      case WaitKind::kWait4:
        s.wait_name = "do_wait (interruptible)";
        break;
      case WaitKind::kRecvmsg:
        s.wait_name = "unix_stream_data_wait (interruptible)";
        break;
      case WaitKind::kPoll:
        s.wait_name = "do_poll (interruptible)";
        break;
      case WaitKind::kStopped:
        s.wait_name = "do_signal_stop (stopped)";
        break;
      case WaitKind::kProposalListener:
        s.wait_name = "a proposal's listener operation (interruptible)";
        break;
      case WaitKind::kNone:
        break;
    }
  }
  return s;
}

std::string Kernel::Reason(const CallHandle& call) const {
  const Task* t = TaskOf(call.tid);
  if (t->call.seq != call.seq) {
    return "";
  }
  if (!t->call_reason.empty()) {
    return t->call_reason;
  }
  return t->call.why;
}

TaskEndStatus Kernel::TaskEnd(Pid tid) const {
  const Task* t = TaskOf(tid);
  if (!t->ended) {
    return TaskEndStatus{};
  }
  return TaskEndStatus{t->end_kind, t->end_exit_code, t->end_signal};
}

model::UserMemory& Kernel::Memory(Pid tid) { return TaskOf(tid)->proc->mem; }

std::optional<Siginfo> Kernel::LastSigsys(Pid tid) const { return TaskOf(tid)->last_sigsys; }

Pid Kernel::Tgid(Pid tid) const { return TaskOf(tid)->proc->pid; }

bool Kernel::SendFdToChannel(Pid from, int fd, Pid to) {
  File* f = TaskOf(from)->proc->fds.Get(fd);
  if (f == nullptr) {
    return false;
  }
  File* ch = TaskOf(to)->proc->fds.Get(kChannelFd);
  if (ch != nullptr && ch->kind == FileKind::kChannel) {
    FileGet(f);
    ch->channel->queue.push_back(f);
    if (explain()) {
      Note("unix_stream_sendmsg: runner queued " + DescribeFile(f) + " for pid " +
           std::to_string(TaskOf(to)->proc->pid));
    }
    WakeQueue(&ch->channel->readers, kPollIn);
    WakePollers();
    RunUntilQuiescent();
  }
  return true;
}

void Kernel::Shutdown() {
  held_.clear();  // nothing stays preempted at the end of a run
  config_.step_budget = steps_ + 1'000'000;
  budget_exhausted_ = false;
  for (auto& owned : processes_) {
    Process* p = owned.get();
    if (p == nullptr || p->state != ProcState::kAlive || p->live == 0) {
      continue;
    }
    if ((p->flags & kSignalGroupExit) == 0) {
      p->flags = kSignalGroupExit;
      p->group_exit_code = model::kSigKill;
      p->group_stop_count = 0;
    }
    for (Task* t : p->threads) {
      if (t->state == TaskState::kDead) {
        continue;
      }
      TaskClearJobctlPending(t, kJobctlStopPending | kJobctlStopConsume | kJobctlStopDequeued);
      t->pending.mask |= 1ULL << (model::kSigKill - 1);
      SignalWakeUp(t, true);
    }
  }
  RunUntilQuiescent();
  for (auto& owned : processes_) {
    Process* p = owned.get();
    if (p != nullptr && p->state == ProcState::kZombie) {
      ReleaseTask(p->leader);
    }
  }
}

}  // namespace sclab::ksim
