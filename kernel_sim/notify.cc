// Seccomp user notification, after kernel/seccomp.c (6.18): the listener
// (init_listener(), seccomp_notify_release()), the notifying task's side
// (seccomp_do_user_notification(), seccomp_handle_addfd()) and the ioctls
// (seccomp_notify_recv(), _send(), _id_valid(), _set_flags(), _addfd(), _poll()).
//
// A notification lives in its task (the kernel keeps it on the task's stack) and is
// linked into its listener's list in arrival order. Two things make every operation
// O(1) where the kernel walks the list: an id index (find_notification()) and a second
// list holding only the INIT notifications, in list order (RECV takes its head; a
// notification reset to INIT after a failed copy-out goes back to its old place).
// The `requests` counter is kept exactly as the kernel keeps it, stale tokens included.
#include <cstddef>
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint64_t Bit(int sig) { return 1ULL << (sig - 1); }

// Not kernel behaviour, only the model's memory access. With thousands of tasks waiting
// in the INIT list, each RECV's task has left the cache since it queued: fetch the
// lines RECV reads (regs, the notification) of the task kRecvPrefetchDistance places
// behind the one received now, so that they are in cache when its RECV comes. The
// hops reach lines earlier RECVs already fetched (the distance was measured:
// docs/kernel_sim.md, "Benchmarks").
constexpr int kRecvPrefetchDistance = 3;

[[gnu::always_inline]] inline void PrefetchLaterRecv(const Task* received) {
  const Task* ahead = received;
  for (int i = 0; i < kRecvPrefetchDistance; ++i) {
    ahead = ahead->notif.init_next;
    if (ahead == nullptr) {
      return;
    }
  }
  constexpr size_t kLine = 64;
  constexpr size_t kLines = 4;
  static_assert(offsetof(Task, notif) + sizeof(Notification) <= kLines * kLine);
  const char* lines = reinterpret_cast<const char*>(ahead);
  for (size_t line = 0; line < kLines; ++line) {
    __builtin_prefetch(lines + line * kLine, 1);
  }
}

// Unlink takes `t` off one of a listener's two intrusive lists (`kPrev`/`kNext` name
// the links of that list inside Notification).
template <Task* Notification::*kPrev, Task* Notification::*kNext>
[[gnu::always_inline]] inline void Unlink(Task* t, Task** head, Task** tail) {
  Notification& n = t->notif;
  if (n.*kPrev != nullptr) {
    ((n.*kPrev)->notif).*kNext = n.*kNext;
  } else {
    *head = n.*kNext;
  }
  if (n.*kNext != nullptr) {
    ((n.*kNext)->notif).*kPrev = n.*kPrev;
  } else {
    *tail = n.*kPrev;
  }
  n.*kPrev = nullptr;
  n.*kNext = nullptr;
}

std::string Hex(uint64_t v) {
  static const char* kDigits = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const auto d = static_cast<unsigned>((v >> shift) & 0xf);
    if (d != 0 || started || shift == 0) {
      out += kDigits[d];
      started = true;
    }
  }
  return out;
}

}  // namespace

// Models kernel/seccomp.c init_listener(): the id start is a random u64.
File* Kernel::InitListener(Filter* filter) {
  filter->notif = std::make_unique<Listener>();
  filter->notif->next_id = ids_rng_.Next();
  File* f = NewFile(FileKind::kListener);
  f->f_flags = static_cast<uint32_t>(model::kORdwr);
  f->f_mode = kFmodeRead | kFmodeWrite;  // no read or write op: FMODE_CAN_* unset
  f->filter = filter;
  ++filter->refs;
  filter->notif->file = f;
  return f;
}

void Kernel::ListAddTail(Listener* l, Task* t) {
  Notification& n = t->notif;
  n.seq = l->next_seq++;
  n.prev = l->tail;
  n.next = nullptr;
  if (l->tail != nullptr) {
    l->tail->notif.next = t;
  } else {
    l->head = t;
  }
  l->tail = t;
  n.listed = true;
  ++l->count;
  l->by_id.Insert(n.id, t);
  n.state = NotifyState::kInit;
  InitListAdd(l, t);
}

void Kernel::ListDel(Listener* l, Task* t) {
  Notification& n = t->notif;
  if (!n.listed) {
    return;
  }
  if (n.state == NotifyState::kInit) {
    InitListDel(l, t);
  }
  if (n.state == NotifyState::kSent) {
    --l->sent;
  }
  Unlink<&Notification::prev, &Notification::next>(t, &l->head, &l->tail);
  n.listed = false;
  --l->count;
  l->by_id.Erase(n.id);
}

// The INIT list keeps list order: a new notification goes to the tail; one reset to
// INIT goes back before every later one.
void Kernel::InitListAdd(Listener* l, Task* t) {
  Notification& n = t->notif;
  Task* after = l->init_tail;
  while (after != nullptr && after->notif.seq > n.seq) {
    after = after->notif.init_prev;
  }
  n.init_prev = after;
  n.init_next = after != nullptr ? after->notif.init_next : l->init_head;
  if (n.init_next != nullptr) {
    n.init_next->notif.init_prev = t;
  } else {
    l->init_tail = t;
  }
  if (after != nullptr) {
    after->notif.init_next = t;
  } else {
    l->init_head = t;
  }
  n.on_init_list = true;
}

void Kernel::InitListDel(Listener* l, Task* t) {
  Notification& n = t->notif;
  if (!n.on_init_list) {
    return;
  }
  Unlink<&Notification::init_prev, &Notification::init_next>(t, &l->init_head, &l->init_tail);
  n.on_init_list = false;
}

void Kernel::SetNotifyState(Listener* l, Task* t, NotifyState state) {
  MoveNotifyState(l, t, state);
}

void Kernel::MoveNotifyState(Listener* l, Task* t, NotifyState state) {
  Notification& n = t->notif;
  if (n.state == state) {
    return;
  }
  if (n.state == NotifyState::kInit) {
    InitListDel(l, t);
  }
  if (n.state == NotifyState::kSent) {
    --l->sent;
  }
  n.state = state;
  if (state == NotifyState::kInit) {
    InitListAdd(l, t);
  }
  if (state == NotifyState::kSent) {
    ++l->sent;
  }
}

void Kernel::CompleteNotification(Task* target) {
  ++target->notif.ready.done;
  if (target->state == TaskState::kSleeping && target->wait == WaitKind::kNotifyReply) {
    WakeUp(target);
  }
}

void Kernel::CompleteAddfd(AddfdRequest* addfd) {
  ++addfd->completion.done;
  Task* owner = addfd->owner;
  if (owner->state == TaskState::kSleeping && owner->wait == WaitKind::kNotifyAddfd) {
    WakeUp(owner);
  }
}

// Models kernel/seccomp.c seccomp_notify_detach(): every notification not yet
// REPLIED is answered -ENOSYS; the listener state goes away.
void Kernel::NotifyDetach(Filter* filter) {
  Listener* l = filter->notif.get();
  if (l == nullptr) {
    return;
  }
  Task* t = l->head;
  while (t != nullptr) {
    Task* next = t->notif.next;
    Notification& n = t->notif;
    n.listed = false;
    n.prev = nullptr;
    n.next = nullptr;
    n.on_init_list = false;
    n.init_prev = nullptr;
    n.init_next = nullptr;
    if (n.state != NotifyState::kReplied) {
      n.state = NotifyState::kReplied;
      n.error = -model::kENOSYS.value;
      n.val = 0;
      if (explain()) {
        Note("seccomp_notify_detach: notification " + Hex(n.id) + " of tid " +
             std::to_string(t->tid) + " answered ENOSYS");
      }
      CompleteNotification(t);
    }
    t = next;
  }
  filter->notif.reset();
}

// Models kernel/seccomp.c seccomp_do_user_notification(), up to the first wait.
Kernel::Verdict Kernel::DoUserNotification(Task* t, Filter* match, const bpf::SeccompData& sd) {
  if (match->notif == nullptr) {
    SetReturn(t, -model::kENOSYS.value,
              "seccomp_do_user_notification: the matching filter has no listener");
    if (explain()) {
      t->reason = "seccomp_do_user_notification: " + FilterLabel(t, match) +
                  " returned NOTIFY but has no listener";
    }
    return Verdict::kSkip;
  }
  Listener* l = match->notif.get();
  Notification& n = t->notif;
  // A fresh seccomp_knotif. Its links and its ADDFD list are empty already: every
  // path that ends a notification unlinks it (ListDel(), NotifyDetach()).
  SCLAB_CHECK(!n.active && !n.listed && !n.on_init_list && n.addfd == nullptr,
              "DoUserNotification: the task's notification is still linked");
  n.active = true;
  n.state = NotifyState::kInit;
  n.error = 0;
  n.val = 0;
  n.flags = 0;
  n.ready.done = 0;
  n.match = match;
  n.id = l->next_id++;
  ListAddTail(l, t);
  ++l->requests;
  if (explain()) {
    Note("seccomp_do_user_notification: tid " + std::to_string(t->tid) + " queued notification " +
         Hex(n.id) + " for " + SyscallName(sd.nr) + " on " + FilterLabel(t, match));
  }
  WakeQueue(&match->wqh, kPollIn | kPollRdNorm);
  WakePollers();
  return ContinueUserNotificationInline(t);
}

// Models the wait loop and the tail of seccomp_do_user_notification().
Kernel::Verdict Kernel::ContinueUserNotification(Task* t) {
  return ContinueUserNotificationInline(t);
}

Kernel::Verdict Kernel::ContinueUserNotificationInline(Task* t) {
  Notification& n = t->notif;
  Filter* match = n.match;
  bool interrupted = false;
  for (;;) {
    const bool killable = match->wait_killable_recv && n.state == NotifyState::kSent;
    // wait_for_completion_killable() / wait_for_completion_interruptible()
    bool err = false;
    if (n.ready.done > 0) {
      --n.ready.done;
    } else if (killable ? (t->sigpending && (t->pending.mask & Bit(model::kSigKill)) != 0)
                        : t->sigpending) {
      err = true;
    } else {
      Sleep(t, WaitKind::kNotifyReply, killable);
      return Verdict::kSleep;
    }
    if (err) {
      // Received meanwhile with WAIT_KILLABLE_RECV: wait again, killable only.
      if (!killable && match->wait_killable_recv && n.state == NotifyState::kSent) {
        continue;
      }
      if (n.state == NotifyState::kReplied) {
        break;
      }
      interrupted = true;
      break;
    }
    if (n.addfd != nullptr) {
      HandleAddfd(t, n.addfd);
    }
    if (n.state == NotifyState::kReplied) {
      break;
    }
  }
  int64_t ret = 0;
  int32_t err = 0;
  uint32_t flags = 0;
  if (interrupted) {
    err = -model::kERESTARTSYS.value;
  } else {
    ret = n.val;
    err = n.error;
    flags = n.flags;
  }
  // Pending ADDFD requests are answered ESRCH.
  while (n.addfd != nullptr) {
    AddfdRequest* a = n.addfd;
    n.addfd = a->next;
    if (n.addfd != nullptr) {
      n.addfd->prev = nullptr;
    }
    a->next = nullptr;
    a->prev = nullptr;
    a->listed = false;
    a->ret = -model::kESRCH.value;
    CompleteAddfd(a);
  }
  const bool was_listed = n.listed;
  if (match->notif != nullptr) {
    ListDel(match->notif.get(), t);
  }
  n.active = false;
  if (explain()) {
    if (interrupted) {
      Note("seccomp_do_user_notification: notification " + Hex(n.id) + " of tid " +
           std::to_string(t->tid) + " withdrawn (signal)");
      t->reason =
          "seccomp_do_user_notification: notification " + Hex(n.id) + " interrupted by a signal";
    } else if ((flags & kUserNotifFlagContinue) != 0) {
      Note("seccomp_do_user_notification: tid " + std::to_string(t->tid) +
           " continues its syscall (notification " + Hex(n.id) + ")");
      t->reason.clear();
    } else {
      t->reason = "seccomp_do_user_notification: notification " + Hex(n.id) +
                  (was_listed || match->notif != nullptr ? " replied" : " answered") +
                  " error=" + std::to_string(err) + " val=" + std::to_string(ret);
    }
  }
  if ((flags & kUserNotifFlagContinue) != 0) {
    return Verdict::kRun;
  }
  if (interrupted) {
    SetReturn(t, err, "seccomp_do_user_notification: interrupted by a signal");
  } else if (!was_listed && err == -model::kENOSYS.value && ret == 0) {
    SetReturn(t, err, "seccomp_notify_detach: the listener was closed");
  } else {
    // syscall_set_return_value(): the reply's error is used raw, else val.
    SetReturn(t, err != 0 ? err : ret, "seccomp_do_user_notification: the supervisor's reply");
  }
  return Verdict::kSkip;
}

// Models kernel/seccomp.c seccomp_handle_addfd(), in the notifying task.
void Kernel::HandleAddfd(Task* target, AddfdRequest* addfd) {
  Notification& n = target->notif;
  // list_del_init()
  if (addfd->prev != nullptr) {
    addfd->prev->next = addfd->next;
  } else {
    n.addfd = addfd->next;
  }
  if (addfd->next != nullptr) {
    addfd->next->prev = addfd->prev;
  }
  addfd->next = nullptr;
  addfd->prev = nullptr;
  addfd->listed = false;

  Process* p = target->proc;
  const bool cloexec = (addfd->flags & model::kOCloexec) != 0;
  int fd = 0;
  if (!addfd->setfd) {
    auto slot = AllocFd(p);  // receive_fd(): get_unused_fd_flags()
    if (!slot.ok()) {
      fd = -slot.error().value;
    } else {
      FileGet(addfd->file);
      FdInstall(p, slot.value(), addfd->file, cloexec);
      fd = slot.value();
    }
  } else if (static_cast<uint32_t>(addfd->fd) >= static_cast<uint32_t>(kRlimitNofile)) {
    fd = -model::kEBADF.value;  // replace_fd(): beyond RLIMIT_NOFILE
  } else {
    FileGet(addfd->file);
    File* old = p->fds.Replace(addfd->fd, addfd->file, cloexec);  // do_dup2()
    if (old != nullptr) {
      FilePut(old);
    }
    fd = addfd->fd;
  }
  addfd->ret = fd;
  if ((addfd->ioctl_flags & kAddfdFlagSend) != 0) {
    Listener* l = n.match->notif.get();
    if (fd < 0) {
      if (l != nullptr) {
        MoveNotifyState(l, target, NotifyState::kSent);
      } else {
        n.state = NotifyState::kSent;
      }
    } else {
      n.flags = 0;
      n.error = 0;
      n.val = fd;
    }
  }
  if (explain()) {
    Note("seccomp_handle_addfd: tid " + std::to_string(target->tid) +
         (fd >= 0 ? " installed fd " + std::to_string(fd)
                  : " failed to install: " + std::to_string(fd)) +
         " (notification " + Hex(n.id) + ")");
  }
  CompleteAddfd(addfd);
}

void Kernel::ReleaseScratchFile(Task* t) {
  if (t->scratch.file == nullptr) {
    return;
  }
  File* f = t->scratch.file;
  t->scratch.file = nullptr;
  FilePut(f);
}

// Models kernel/seccomp.c seccomp_notify_ioctl(): the fixed-size ioctls by exact
// number, ADDFD with its direction and size bits masked out, anything else EINVAL.
Kernel::SysRet Kernel::NotifyIoctl(Task* t, File* f, uint32_t cmd, uint64_t arg) {
  if (config_.proposals != nullptr) [[unlikely]] {
    if (std::optional<SysRet> hooked = ProposalListener(t, f, kListenerIoctl, cmd, arg)) {
      return *hooked;  // a proposal's ioctl (kernel_sim/proposal_hooks.h)
    }
  }
  Filter* filter = f->filter;
  switch (cmd) {
    case kIoctlNotifRecv:
      return NotifyRecv(t, f, arg);
    case kIoctlNotifSend:
      return NotifySend(t, filter, arg);
    case kIoctlNotifIdValidWrongDir:
    case kIoctlNotifIdValid:
      return NotifyIdValid(t, filter, arg);
    case kIoctlNotifSetFlags:
      return NotifySetFlags(filter, arg);
    default:
      break;
  }
  constexpr uint32_t kEaMask = ~(kIocInout | kIocSizeMask);
  if ((cmd & kEaMask) == (kIoctlNotifAddfd & kEaMask)) {
    return NotifyAddfd(t, f, arg, (cmd & kIocSizeMask) >> kIocSizeShift);
  }
  return Fail(model::kEINVAL, "seccomp_notify_ioctl: unknown ioctl number");
}

// Models kernel/seccomp.c seccomp_notify_recv(): the all-zero buffer check first.
Kernel::SysRet Kernel::NotifyRecv(Task* t, File* f, uint64_t buf) {
  FileGet(f);  // the call holds the listener file while it runs or sleeps
  t->scratch.Reset();
  t->scratch.file = f;
  t->scratch.addr = buf;
  auto zeroed =
      model::CheckZeroedUser(t->proc->mem, &copies_, t->scratch.addr, kSizeofSeccompNotif);
  if (!zeroed.ok()) {
    ReleaseScratchFile(t);
    return Fail(model::kEFAULT, "seccomp_notify_recv: check_zeroed_user faulted");
  }
  if (!zeroed.value()) {
    ReleaseScratchFile(t);
    return Fail(model::kEINVAL, "seccomp_notify_recv: the buffer is not all zero");
  }
  t->scratch.started = false;
  return ContinueRecvInline(t);
}

// Models recv_wait_event() and the rest of seccomp_notify_recv().
Kernel::SysRet Kernel::ContinueRecv(Task* t) { return ContinueRecvInline(t); }

Kernel::SysRet Kernel::ContinueRecvInline(Task* t) {
  Filter* filter = t->scratch.file->filter;
  Listener* l = filter->notif.get();
  bool proceed = false;
  if (!t->scratch.started) {
    t->scratch.started = true;
    if (filter->users == 0) {
      proceed = true;
    } else if (l->requests > 0) {  // atomic_dec_if_positive()
      --l->requests;
      proceed = true;
    }
  }
  if (!proceed) {
    AddWaitHead(&filter->wqh, t);  // prepare_to_wait_event()
    const bool signal = t->sigpending;
    if (l->requests > 0) {
      --l->requests;
      proceed = true;
    } else if (filter->users == 0) {
      proceed = true;
    } else if (signal) {
      RemoveWait(t);
      ReleaseScratchFile(t);
      return Fail(model::kERESTARTSYS, "recv_wait_event: interrupted by a signal");
    }
    if (!proceed) {
      Sleep(t, WaitKind::kNotifyRecv, false);
      return Sleeps();
    }
    RemoveWait(t);  // finish_wait()
  }
  Task* k = l->init_head;
  if (k == nullptr) {
    ReleaseScratchFile(t);
    return Fail(model::kENOENT, "seccomp_notify_recv: no notification in state INIT");
  }
  PrefetchLaterRecv(k);
  model::seccomp_notif unotif{};
  unotif.id = k->notif.id;
  unotif.pid = static_cast<uint32_t>(k->tid);  // task_pid_vnr(): one pid namespace
  unotif.flags = 0;
  unotif.data = NotifiedData(k);
  MoveNotifyState(l, k, NotifyState::kSent);
  if (explain()) {
    Note("seccomp_notify_recv: tid " + std::to_string(t->tid) + " received notification " +
         Hex(unotif.id) + " from tid " + std::to_string(k->tid));
  }
  WakeQueue(&filter->wqh, kPollOut | kPollWrNorm);
  WakePollers();
  if (!PutUser(t, t->scratch.addr, unotif).ok()) {
    // Put the notification back: INIT again, a token back, the target re-waits
    // interruptibly if it was waiting killably.
    Task* again = l->by_id.Find(unotif.id);
    if (again != nullptr) {
      if (filter->wait_killable_recv && again->notif.state == NotifyState::kSent) {
        CompleteNotification(again);
      }
      MoveNotifyState(l, again, NotifyState::kInit);
      ++l->requests;
      if (explain()) {
        Note("seccomp_notify_recv: copy-out faulted; notification " + Hex(unotif.id) +
             " is INIT again");
      }
      WakeQueue(&filter->wqh, kPollIn | kPollRdNorm);
      WakePollers();
    }
    ReleaseScratchFile(t);
    return Fail(model::kEFAULT,
                "seccomp_notify_recv: copy_to_user faulted; the notification is INIT again");
  }
  ReleaseScratchFile(t);
  return Value(0);
}

// Models kernel/seccomp.c seccomp_notify_send(); checks in the kernel's order.
Kernel::SysRet Kernel::NotifySend(Task* t, Filter* filter, uint64_t buf) {
  model::seccomp_notif_resp resp{};
  if (!GetUser(t, buf, &resp).ok()) {
    return Fail(model::kEFAULT, "seccomp_notify_send: copy_from_user faulted");
  }
  auto applied = ApplyReplyInline(t, filter, resp);
  if (!applied.ok()) {
    return applied.failure();
  }
  return Value(0);
}

// Models the checks and effect of seccomp_notify_send() after the copy, in its order;
// proposals that answer with write(2) use it too.
model::SysResult<void> Kernel::ApplyReply(Task* t, Filter* filter,
                                          const model::seccomp_notif_resp& resp) {
  return ApplyReplyInline(t, filter, resp);
}

model::SysResult<void> Kernel::ApplyReplyInline(Task* t, Filter* filter,
                                                const model::seccomp_notif_resp& resp) {
  if ((resp.flags & ~kUserNotifFlagContinue) != 0) {
    return Fail(model::kEINVAL, "seccomp_notify_send: flags other than CONTINUE");
  }
  if ((resp.flags & kUserNotifFlagContinue) != 0 && (resp.error != 0 || resp.val != 0)) {
    return Fail(model::kEINVAL, "seccomp_notify_send: CONTINUE with an error or a value");
  }
  Listener* l = filter->notif.get();
  Task* k = l->by_id.Find(resp.id);
  if (k == nullptr) {
    return Fail(model::kENOENT, "seccomp_notify_send: no notification with that id");
  }
  if (k->notif.state != NotifyState::kSent) {
    return Fail(model::kEINPROGRESS, "seccomp_notify_send: the notification is not in state SENT");
  }
  MoveNotifyState(l, k, NotifyState::kReplied);
  k->notif.error = resp.error;
  k->notif.val = resp.val;
  k->notif.flags = resp.flags;
  if (explain()) {
    Note("seccomp_notify_send: tid " + std::to_string(t->tid) + " replied to notification " +
         Hex(resp.id) +
         ((resp.flags & kUserNotifFlagContinue) != 0
              ? " CONTINUE"
              : " error=" + std::to_string(resp.error) + " val=" + std::to_string(resp.val)));
  }
  CompleteNotification(k);
  return model::Ok();
}

// Models kernel/seccomp.c seccomp_notify_id_valid(): 0 only while SENT.
Kernel::SysRet Kernel::NotifyIdValid(Task* t, Filter* filter, uint64_t buf) {
  uint64_t id = 0;
  if (!GetUser(t, buf, &id).ok()) {
    return Fail(model::kEFAULT, "seccomp_notify_id_valid: copy_from_user faulted");
  }
  const Task* k = filter->notif->by_id.Find(id);
  if (k != nullptr && k->notif.state == NotifyState::kSent) {
    return Value(0);
  }
  return Fail(model::kENOENT,
              "seccomp_notify_id_valid: no notification in state SENT with that id");
}

// Models kernel/seccomp.c seccomp_notify_set_flags().
Kernel::SysRet Kernel::NotifySetFlags(Filter* filter, uint64_t flags) {
  if ((flags & ~kUserNotifFdSyncWakeUp) != 0) {
    return Fail(model::kEINVAL, "seccomp_notify_set_flags: unknown flag");
  }
  filter->notif->flags = flags;
  return Value(0);
}

const char* Kernel::AddfdWhy(int ret) {
  if (ret == -model::kEMFILE.value) {
    return "receive_fd: the target's RLIMIT_NOFILE is exhausted";
  }
  if (ret == -model::kEBADF.value) {
    return "replace_fd: newfd is beyond the target's RLIMIT_NOFILE";
  }
  if (ret == -model::kESRCH.value) {
    return "seccomp_do_user_notification: the target's call ended before it took the request";
  }
  if (ret == -model::kERESTARTSYS.value) {
    return "seccomp_notify_addfd: interrupted by a signal";
  }
  return "seccomp_handle_addfd: the target failed";
}

// Models kernel/seccomp.c seccomp_notify_addfd(); checks in the kernel's order.
Kernel::SysRet Kernel::NotifyAddfd(Task* t, File* f, uint64_t uaddfd, uint32_t size) {
  FileGet(f);  // the call holds the listener file while it runs or sleeps
  t->scratch.Reset();
  t->scratch.file = f;
  Filter* filter = f->filter;
  if (size < model::kSeccompNotifyAddfdSizeVer0 || size >= model::kPageSize) {
    ReleaseScratchFile(t);
    return Fail(model::kEINVAL, "seccomp_notify_addfd: size below VER0 or not below PAGE_SIZE");
  }
  model::seccomp_notif_addfd addfd{};
  auto copied =
      model::CopyStructFromUser(t->proc->mem, &copies_, model::BytesOf(addfd), uaddfd, size);
  if (!copied.ok()) {
    ReleaseScratchFile(t);
    return copied.failure();
  }
  if ((addfd.newfd_flags & ~static_cast<uint32_t>(model::kOCloexec)) != 0) {
    ReleaseScratchFile(t);
    return Fail(model::kEINVAL, "seccomp_notify_addfd: newfd_flags other than O_CLOEXEC");
  }
  if ((addfd.flags & ~(kAddfdFlagSetfd | kAddfdFlagSend)) != 0) {
    ReleaseScratchFile(t);
    return Fail(model::kEINVAL, "seccomp_notify_addfd: flags other than SETFD and SEND");
  }
  if (addfd.newfd != 0 && (addfd.flags & kAddfdFlagSetfd) == 0) {
    ReleaseScratchFile(t);
    return Fail(model::kEINVAL, "seccomp_notify_addfd: newfd without SETFD");
  }
  File* src = t->proc->fds.Get(static_cast<int>(addfd.srcfd));
  if (addfd.srcfd >= static_cast<uint32_t>(kRlimitNofile)) {
    src = nullptr;
  }
  if (src == nullptr || (src->f_mode & kFmodePath) != 0) {  // fget() refuses O_PATH files
    ReleaseScratchFile(t);
    return Fail(model::kEBADF, "seccomp_notify_addfd: srcfd is not an open file");
  }
  Listener* l = filter->notif.get();
  Task* k = l->by_id.Find(addfd.id);
  if (k == nullptr) {
    ReleaseScratchFile(t);
    return Fail(model::kENOENT, "seccomp_notify_addfd: no notification with that id");
  }
  if (k->notif.state != NotifyState::kSent) {
    ReleaseScratchFile(t);
    return Fail(model::kEINPROGRESS, "seccomp_notify_addfd: the notification is not in state SENT");
  }
  if ((addfd.flags & kAddfdFlagSend) != 0) {
    if (k->notif.addfd != nullptr) {
      ReleaseScratchFile(t);
      return Fail(model::kEBUSY, "seccomp_notify_addfd: SEND while other requests are queued");
    }
    MoveNotifyState(l, k, NotifyState::kReplied);
  }
  AddfdRequest& req = t->addfd;
  req = AddfdRequest{};
  FileGet(src);
  req.file = src;
  req.fd = static_cast<int>(addfd.newfd);
  req.flags = addfd.newfd_flags;
  req.ioctl_flags = addfd.flags;
  req.setfd = (addfd.flags & kAddfdFlagSetfd) != 0;
  req.owner = t;
  req.target = k;
  req.listed = true;
  req.next = k->notif.addfd;  // list_add(): at the head
  if (req.next != nullptr) {
    req.next->prev = &req;
  }
  k->notif.addfd = &req;
  if (explain()) {
    Note("seccomp_notify_addfd: tid " + std::to_string(t->tid) + " queued fd " +
         std::to_string(addfd.srcfd) + " for notification " + Hex(addfd.id));
  }
  CompleteNotification(k);
  return ContinueAddfd(t);
}

// Models the wait at the end of seccomp_notify_addfd().
Kernel::SysRet Kernel::ContinueAddfd(Task* t) {
  AddfdRequest& req = t->addfd;
  int ret = 0;
  if (req.completion.done > 0) {
    --req.completion.done;
    ret = req.ret;
  } else if (t->sigpending) {
    if (!req.listed) {
      ret = req.ret;  // handled meanwhile
    } else {
      Notification& n = req.target->notif;
      if (req.prev != nullptr) {
        req.prev->next = req.next;
      } else {
        n.addfd = req.next;
      }
      if (req.next != nullptr) {
        req.next->prev = req.prev;
      }
      req.listed = false;
      ret = -model::kERESTARTSYS.value;
    }
  } else {
    Sleep(t, WaitKind::kNotifyAddfd, false);
    return Sleeps();
  }
  File* src = req.file;
  req.file = nullptr;
  FilePut(src);
  ReleaseScratchFile(t);
  if (ret < 0) {
    return Fail(model::Errno{-ret}, AddfdWhy(ret));
  }
  return Value(ret);
}

// Models kernel/seccomp.c seccomp_notify_poll().
uint32_t Kernel::NotifyPoll(const File* f) const {
  const Filter* filter = f->filter;
  uint32_t ret = 0;
  if (filter == nullptr) {
    return ret;
  }
  const Listener* l = filter->notif.get();
  if (l != nullptr) {
    if (l->init_head != nullptr) {
      ret |= kPollIn | kPollRdNorm;
    }
    if (l->sent > 0) {
      ret |= kPollOut | kPollWrNorm;
    }
  }
  if (filter->users == 0) {
    ret |= kPollHup;
  }
  return ret;
}

}  // namespace sclab::ksim
