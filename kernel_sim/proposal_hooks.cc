// The Kernel's side of the proposal hooks (kernel_sim/proposal_hooks.h): a listener's
// queue as NotificationQueue, the caller's file table as FdInstaller, a listener
// operation that may sleep until a notification arrives (as recv_wait_event() does),
// and syscalls the kernel does not model. Nothing here names a proposal.
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

// ListenerQueue is the queue of the listener of `filter`, seen by task `caller`.
class Kernel::ListenerQueue final : public NotificationQueue {
 public:
  ListenerQueue(Kernel* kernel, Task* caller, Filter* filter)
      : kernel_(kernel), caller_(caller), filter_(filter) {}

  // As seccomp_notify_recv() takes one: the oldest INIT notification becomes SENT,
  // a RECV token is used, writers are woken.
  std::optional<NotificationFacts> TakeInit() override {
    Listener* l = filter_->notif.get();
    if (l == nullptr || l->init_head == nullptr) {
      return std::nullopt;
    }
    Task* k = l->init_head;
    if (l->requests > 0) {
      --l->requests;
    }
    kernel_->SetNotifyState(l, k, NotifyState::kSent);
    if (kernel_->explain()) {
      kernel_->Note("proposal receive: tid " + std::to_string(caller_->tid) +
                    " received the notification of tid " + std::to_string(k->tid));
    }
    kernel_->WakeQueue(&filter_->wqh, kPollOut | kPollWrNorm);
    kernel_->WakePollers();
    return kernel_->FactsOf(k);
  }

  // As seccomp_notify_recv() does after a failed copy: INIT again, the token back.
  void PutBack(uint64_t id) override {
    Listener* l = filter_->notif.get();
    Task* k = l != nullptr ? l->by_id.Find(id) : nullptr;
    if (k == nullptr || k->notif.state != NotifyState::kSent) {
      return;
    }
    if (filter_->wait_killable_recv) {
      kernel_->CompleteNotification(k);
    }
    kernel_->SetNotifyState(l, k, NotifyState::kInit);
    ++l->requests;
    kernel_->WakeQueue(&filter_->wqh, kPollIn | kPollRdNorm);
    kernel_->WakePollers();
  }

  bool Orphaned() const override { return filter_->users == 0; }

  const model::UserMemory& TargetMemory(uint64_t id) const override {
    const Task* k = filter_->notif->by_id.Find(id);
    SCLAB_CHECK(k != nullptr, "TargetMemory of a notification that is gone");
    return k->proc->mem;
  }

  model::SysResult<void> Reply(const model::seccomp_notif_resp& resp) override {
    return kernel_->ApplyReply(caller_, filter_, resp);
  }

 private:
  Kernel* kernel_;
  Task* caller_;
  Filter* filter_;
};

// PidfdInstaller hands out pidfds in process `proc` (get_unused_fd_flags(O_CLOEXEC),
// then fd_install() of an anon_inode:[pidfd]).
class Kernel::PidfdInstaller final : public FdInstaller {
 public:
  PidfdInstaller(Kernel* kernel, Process* proc) : kernel_(kernel), proc_(proc) {}
  model::SysResult<int> Reserve() override { return kernel_->AllocFd(proc_); }
  void Install(int fd, uint32_t pid) override {
    File* f = kernel_->NewFile(FileKind::kPidfd);
    f->f_mode = kFmodeRead | kFmodeWrite;  // O_RDWR, no read or write operation
    f->f_flags = static_cast<uint32_t>(model::kORdwr);
    f->pidfd_pid = static_cast<int32_t>(pid);
    kernel_->FdInstall(proc_, fd, f, true);
  }
  // The simulated fd table reserves nothing before the install.
  void Release(int /*fd*/) override {}

 private:
  Kernel* kernel_;
  Process* proc_;
};

NotificationFacts Kernel::FactsOf(const Task* k) const {
  NotificationFacts n;
  n.id = k->notif.id;
  n.pid = static_cast<uint32_t>(k->tid);  // task_pid_vnr(): one pid namespace
  n.tgid = static_cast<uint32_t>(k->proc->pid);
  n.data = NotifiedData(k);
  n.filter_data = k->filter_data;
  return n;
}

std::optional<Kernel::SysRet> Kernel::ProposalListener(Task* t, File* f, int op, uint64_t a,
                                                       uint64_t b, bool resumed) {
  ProposalHooks* hooks = config_.proposals.get();
  Filter* filter = f->filter;
  if (hooks == nullptr || filter == nullptr || filter->notif == nullptr) {
    return std::nullopt;
  }
  ListenerQueue queue(this, t, filter);
  PidfdInstaller fds(this, t->proc);
  if (!resumed) {
    t->proposal_call_state.reset();
  }
  ListenerCall call{t->proc->mem,
                    &copies_,
                    queue,
                    f->f_flags,
                    filter->notif->proposal_state,
                    fds,
                    resumed,
                    t->proposal_call_state};
  std::optional<model::SysResult<HookResult>> r;
  switch (op) {
    case kListenerIoctl:
      r = hooks->ListenerIoctl(call, static_cast<uint32_t>(a), b);
      break;
    case kListenerRead:
      r = hooks->ListenerRead(call, a, b);
      break;
    default:
      r = hooks->ListenerWrite(call, a, b);
      break;
  }
  if (!r) {
    return std::nullopt;
  }
  if (!r->ok()) {
    t->proposal_call_state.reset();
    return SysRet(r->failure());
  }
  if (!r->value().sleeps) {
    t->proposal_call_state.reset();
    return Value(r->value().value);
  }
  // recv_wait_event(): sleep interruptibly on the filter's wait queue, unless a
  // signal is already pending.
  if (t->sigpending) {
    t->proposal_call_state.reset();
    return SysRet(Fail(model::kERESTARTSYS, "a proposal's listener wait: interrupted by a signal"));
  }
  FileGet(f);
  t->scratch.Reset();
  t->scratch.file = f;
  t->scratch.pid = op;
  t->scratch.addr = a;
  t->scratch.addr2 = b;
  AddWaitHead(&filter->wqh, t);
  Sleep(t, WaitKind::kProposalListener, false);
  return Sleeps();
}

Kernel::SysRet Kernel::ContinueProposalListener(Task* t) {
  RemoveWait(t);
  File* f = t->scratch.file;
  const int op = t->scratch.pid;
  const uint64_t a = t->scratch.addr;
  const uint64_t b = t->scratch.addr2;
  t->scratch.file = nullptr;
  std::optional<SysRet> r = ProposalListener(t, f, op, a, b, true);
  FilePut(f);
  if (!r) {
    return Fail(model::kEINVAL, "a proposal's listener operation: the listener went away");
  }
  return *r;
}

std::optional<Kernel::SysRet> Kernel::ProposalSyscall(Task* t, int nr) {
  ProposalHooks* hooks = config_.proposals.get();
  if (hooks == nullptr) {
    return std::nullopt;
  }
  SyscallCall call{t->proc->mem, &copies_, t->regs.args, {}};
  call.find_memory = [this, t](int32_t pid, bool* may_access) -> const model::UserMemory* {
    const Task* target = FindTaskVpid(pid);
    if (target == nullptr || target->proc == nullptr) {
      return nullptr;
    }
    // ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS): same uid, or CAP_SYS_PTRACE.
    // DIVERGES(kernel): Yama's ptrace_scope and the dumpable flag are not modelled.
    *may_access = t->proc->cred.all_caps || t->proc->cred.uid == target->proc->cred.uid;
    return &target->proc->mem;
  };
  std::optional<model::SysResult<int64_t>> r = hooks->Syscall(call, nr);
  if (!r) {
    return std::nullopt;
  }
  if (!r->ok()) {
    return SysRet(r->failure());
  }
  return Value(r->value());
}

}  // namespace sclab::ksim
