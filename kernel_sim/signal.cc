// Signals, after kernel/signal.c and arch/x86/kernel/signal.c.
//
// Sending (send_signal_locked()): prepare_signal() drops signals for a dying group,
// handles the stop/continue side effects and discards ignored signals (a blocked
// signal is never ignored); a standard signal already pending is not queued twice;
// complete_signal() picks the thread to wake (wants_signal(), curr_target round
// robin) and turns a fatal, non-coredump signal into a group exit at once (SIGKILL in
// every thread). TIF_SIGPENDING is an explicit per-thread flag, set by
// signal_wake_up() and recomputed by recalc_sigpending() on the task's own paths, so
// a process-directed signal wakes exactly the thread the kernel would wake.
//
// Delivery happens on the return to user mode: get_signal() dequeues (forced
// synchronous signals first, then thread-private, then shared), ignores, stops,
// kills, or hands a signal to handle_signal(), which applies the restart rules to an
// interrupted syscall and pushes a frame. The handler body is the runner's recording
// handler; returning from it is an rt_sigreturn syscall like any other.
#include <bit>
#include <ranges>
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint64_t Bit(int sig) { return 1ULL << (sig - 1); }

constexpr uint64_t kSynchronousMask = Bit(model::kSigSegv) | Bit(model::kSigBus) |
                                      Bit(model::kSigIll) | Bit(model::kSigTrap) |
                                      Bit(model::kSigFpe) | Bit(model::kSigSys);
constexpr uint64_t kStopMask = Bit(model::kSigStop) | Bit(20) | Bit(21) | Bit(22);
constexpr uint64_t kUnblockable = Bit(model::kSigKill) | Bit(model::kSigStop);
// UAPI_SA_FLAGS (include/linux/signal_types.h) with x86's SA_RESTORER.
constexpr uint64_t kUapiSaFlags =
    kSaNocldstop | kSaNocldwait | kSaSiginfo | kSaOnstack | kSaRestart | kSaNodefer | kSaResethand |
    0x400 /*SA_UNSUPPORTED*/ | 0x800 /*SA_EXPOSE_TAGBITS*/ | kSaRestorer;
const SigAction kDefaultAction{};

// next_signal(): synchronous signals first, then the lowest number.
int NextSignal(uint64_t pending, uint64_t blocked) {
  uint64_t x = pending & ~blocked;
  if (x == 0) {
    return 0;
  }
  if ((x & kSynchronousMask) != 0) {
    x &= kSynchronousMask;
  }
  return std::countr_zero(x) + 1;
}

// collect_signal(): take one instance of `sig` off `pend`.
Siginfo CollectSignal(int sig, SigPending* pend) {
  Siginfo info;
  info.signo = sig;
  if (sig == model::kSigSys) {
    info = pend->sigsys;
  }
  bool more = false;
  for (auto it = pend->rt_extra.begin(); it != pend->rt_extra.end(); ++it) {
    if (*it == sig) {
      pend->rt_extra.erase(it);
      more = true;
      break;
    }
  }
  if (!more) {
    pend->mask &= ~Bit(sig);
    pend->from_kernel &= ~Bit(sig);
  }
  return info;
}

void FlushPending(SigPending* pend, uint64_t mask) {
  pend->mask &= ~mask;
  pend->from_kernel &= ~mask;
  std::erase_if(pend->rt_extra, [mask](uint8_t s) { return (mask & Bit(s)) != 0; });
}

}  // namespace

bool Kernel::SigKernelIgnore(int sig) {
  return sig < kSigRtMin &&
         ((Bit(sig) & (Bit(model::kSigCont) | Bit(model::kSigChld) | Bit(28) | Bit(23))) != 0);
}
bool Kernel::SigKernelStop(int sig) { return sig < kSigRtMin && (Bit(sig) & kStopMask) != 0; }
bool Kernel::SigKernelCoredump(int sig) {
  constexpr uint64_t kCore = Bit(model::kSigQuit) | Bit(model::kSigIll) | Bit(model::kSigTrap) |
                             Bit(model::kSigAbrt) | Bit(model::kSigFpe) | Bit(model::kSigSegv) |
                             Bit(model::kSigBus) | Bit(model::kSigSys) | Bit(24) | Bit(25);
  return sig < kSigRtMin && (Bit(sig) & kCore) != 0;
}
bool Kernel::SigKernelOnly(int sig) { return sig == model::kSigKill || sig == model::kSigStop; }

const SigAction& Kernel::ActionOf(const Process* p, int sig) const {
  return p->actions ? (*p->actions)[static_cast<size_t>(sig - 1)] : kDefaultAction;
}

SigAction& Kernel::MutableActionOf(Process* p, int sig) {
  if (!p->actions) {
    p->actions = std::make_unique<std::array<SigAction, kNsig>>();
  }
  return (*p->actions)[static_cast<size_t>(sig - 1)];
}

// Models kernel/signal.c sig_handler_ignored().
bool Kernel::SigHandlerIgnored(uint64_t handler, int sig) const {
  return handler == kSigIgn || (handler == kSigDfl && SigKernelIgnore(sig));
}

// Models kernel/signal.c sig_ignored(): a blocked signal is never ignored.
bool Kernel::SigIgnored(Task* t, int sig) const {
  if ((t->blocked & Bit(sig)) != 0) {
    return false;
  }
  return SigHandlerIgnored(ActionOf(t->proc, sig).handler, sig);
}

// Models include/linux/sched/signal.h sig_fatal().
bool Kernel::SigFatal(Task* t, int sig) const {
  if (SigKernelIgnore(sig) || SigKernelStop(sig)) {
    return false;
  }
  return ActionOf(t->proc, sig).handler == kSigDfl;
}

// Models kernel/signal.c wants_signal(); task_curr() is "the task making this syscall".
bool Kernel::WantsSignal(int sig, Task* t, Task* current) const {
  if ((t->blocked & Bit(sig)) != 0) {
    return false;
  }
  if (t->exiting) {
    return false;
  }
  if (sig == model::kSigKill) {
    return true;
  }
  if (t->state == TaskState::kSleeping && t->wait == WaitKind::kStopped) {
    return false;
  }
  return t == current || !t->sigpending;
}

// Models kernel/signal.c recalc_sigpending() for the task itself (it may clear the flag).
void Kernel::RecalcSigpending(Task* t) {
  t->sigpending = (t->jobctl & kJobctlStopPending) != 0 || (t->pending.mask & ~t->blocked) != 0 ||
                  (t->proc->shared_pending.mask & ~t->blocked) != 0;
}

void Kernel::SignalWakeUp(Task* t, bool fatal) {
  t->sigpending = true;
  WakeUpSignal(t, fatal);
}

bool Kernel::ThreadGroupEmpty(const Task* t) const {
  return t == t->proc->leader && t->proc->threads.size() == 1;
}

Task* Kernel::NextThread(const Process* p, const Task* t) const {
  for (size_t i = 0; i < p->threads.size(); ++i) {
    if (p->threads[i] == t) {
      return p->threads[(i + 1) % p->threads.size()];
    }
  }
  return p->threads.front();
}

void Kernel::FlushSigqueueMask(Process* p, uint64_t mask) {
  FlushPending(&p->shared_pending, mask);
  for (Task* t : p->threads) {
    FlushPending(&t->pending, mask);
  }
}

// Models kernel/signal.c prepare_signal().
bool Kernel::PrepareSignal(int sig, Task* t) {
  Process* p = t->proc;
  if ((p->flags & kSignalGroupExit) != 0) {
    return false;  // the group is dying: drop it
  }
  if (SigKernelStop(sig)) {
    FlushSigqueueMask(p, Bit(model::kSigCont));
  } else if (sig == model::kSigCont) {
    FlushSigqueueMask(p, kStopMask);
    for (Task* tt : p->threads) {
      TaskClearJobctlPending(tt, kJobctlStopPending);
      tt->jobctl &= ~kJobctlStopped;
      if (tt->state == TaskState::kSleeping && tt->wait == WaitKind::kStopped) {
        tt->state = TaskState::kRunnable;
        tt->next = Next::kExitToUser;
        Enqueue(tt);
      }
    }
    uint32_t why = 0;
    if ((p->flags & kSignalStopStopped) != 0) {
      why = kSignalCldContinued;
    } else if (p->group_stop_count != 0) {
      why = kSignalCldStopped;
    }
    if (why != 0) {
      p->flags = (p->flags & ~(kSignalCldMask | kSignalStopStopped | kSignalStopContinued)) | why |
                 kSignalStopContinued;
      p->group_stop_count = 0;
      p->group_exit_code = 0;
    }
  }
  return !SigIgnored(t, sig);
}

// Models kernel/signal.c __send_signal_locked().
void Kernel::SendSignal(int sig, const Siginfo& info, Task* t, bool thread, Task* current) {
  if (!PrepareSignal(sig, t)) {
    if (explain()) {
      Note("send_signal: signal " + std::to_string(sig) + " to tid " + std::to_string(t->tid) +
           " discarded (ignored or group exiting)");
    }
    return;
  }
  SigPending* pend = thread ? &t->pending : &t->proc->shared_pending;
  if ((pend->mask & Bit(sig)) != 0) {
    if (sig < kSigRtMin) {
      return;  // legacy_queue(): one instance of a standard signal
    }
    pend->rt_extra.push_back(static_cast<uint8_t>(sig));
  }
  pend->mask |= Bit(sig);
  if (sig == model::kSigSys) {
    pend->sigsys = info;
  }
  if (info.code > 0) {
    pend->from_kernel |= Bit(sig);
  } else {
    pend->from_kernel &= ~Bit(sig);
  }
  CompleteSignal(sig, t, thread, current);
}

// Models kernel/signal.c complete_signal().
void Kernel::CompleteSignal(int sig, Task* p, bool thread, Task* current) {
  Process* ps = p->proc;
  Task* t = nullptr;
  if (WantsSignal(sig, p, current)) {
    t = p;
  } else if (thread || ThreadGroupEmpty(p)) {
    return;  // it will be dequeued when the thread next returns to user mode
  } else {
    t = ps->curr_target != nullptr ? ps->curr_target : ps->leader;
    Task* start = t;
    while (!WantsSignal(sig, t, current)) {
      t = NextThread(ps, t);
      if (t == start) {
        return;
      }
    }
    ps->curr_target = t;
  }
  if (SigFatal(p, sig) && (ps->flags & kSignalGroupExit) == 0 && !SigKernelCoredump(sig)) {
    // A fatal signal takes the whole group down at once.
    ps->flags = kSignalGroupExit;
    ps->group_exit_code = sig;
    ps->group_stop_count = 0;
    for (Task* tt : ps->threads) {
      TaskClearJobctlPending(tt, kJobctlStopPending);
      tt->pending.mask |= Bit(model::kSigKill);
      SignalWakeUp(tt, true);
    }
    return;
  }
  SignalWakeUp(t, sig == model::kSigKill);
}

// Models kernel/signal.c force_sig_info_to_task().
void Kernel::ForceSigInfo(Task* t, const Siginfo& info, ForceHandler handler) {
  const int sig = info.signo;
  const SigAction& cur = ActionOf(t->proc, sig);
  const bool ignored = cur.handler == kSigIgn;
  const bool blocked = (t->blocked & Bit(sig)) != 0;
  if (blocked || ignored || handler != ForceHandler::kCurrent) {
    SigAction& a = MutableActionOf(t->proc, sig);
    a.handler = kSigDfl;
    if (handler == ForceHandler::kExit) {
      a.flags |= kSaImmutable;
    }
    if (blocked) {
      t->blocked &= ~Bit(sig);
    }
  }
  SendSignal(sig, info, t, true, t);
  if (!t->sigpending) {
    SignalWakeUp(t, false);
  }
}

// Models kernel/signal.c force_sigsegv().
void Kernel::ForceSigsegv(Task* t, int sig) {
  Siginfo info;
  info.signo = model::kSigSegv;
  info.code = kSiKernel;
  ForceSigInfo(t, info, sig == model::kSigSegv ? ForceHandler::kDfl : ForceHandler::kCurrent);
}

int Kernel::DequeueSignal(Task* t, Siginfo* info) {
  SigPending* pend = &t->pending;
  int sig = NextSignal(pend->mask, t->blocked);
  if (sig == 0) {
    pend = &t->proc->shared_pending;
    sig = NextSignal(pend->mask, t->blocked);
  }
  if (sig == 0) {
    RecalcSigpending(t);
    return 0;
  }
  *info = CollectSignal(sig, pend);
  if (SigKernelStop(sig)) {
    t->jobctl |= kJobctlStopDequeued;
  }
  RecalcSigpending(t);
  return sig;
}

bool Kernel::TaskSetJobctlPending(Task* t, uint32_t mask) {
  if ((t->pending.mask & Bit(model::kSigKill)) != 0 || t->exiting) {
    return false;
  }
  if ((mask & kJobctlStopSigmask) != 0) {
    t->jobctl &= ~kJobctlStopSigmask;
  }
  t->jobctl |= mask;
  return true;
}

void Kernel::TaskClearJobctlPending(Task* t, uint32_t mask) {
  if ((mask & kJobctlStopPending) != 0) {
    mask |= kJobctlStopConsume | kJobctlStopDequeued;
  }
  t->jobctl &= ~mask;
}

// Models kernel/signal.c task_participate_group_stop().
bool Kernel::TaskParticipateGroupStop(Task* t) {
  Process* p = t->proc;
  const bool consume = (t->jobctl & kJobctlStopConsume) != 0;
  TaskClearJobctlPending(t, kJobctlStopPending);
  if (!consume) {
    return false;
  }
  if (p->group_stop_count > 0) {
    --p->group_stop_count;
  }
  if (p->group_stop_count == 0 && (p->flags & kSignalStopStopped) == 0) {
    p->flags = (p->flags & ~(kSignalCldMask | kSignalStopContinued)) | kSignalStopStopped;
    return true;
  }
  return false;
}

// Models kernel/signal.c do_signal_stop(): start or join the group stop and sleep in
// TASK_STOPPED; SIGCONT or SIGKILL wakes the task back into get_signal().
bool Kernel::DoSignalStop(Task* t, int signr) {
  Process* p = t->proc;
  if ((t->jobctl & kJobctlStopPending) == 0) {
    if ((t->jobctl & kJobctlStopDequeued) == 0 || (p->flags & kSignalGroupExit) != 0) {
      return false;
    }
    if ((p->flags & kSignalStopStopped) == 0) {
      p->group_exit_code = signr;
    }
    p->group_stop_count = 0;
    const uint32_t gstop = kJobctlStopPending | kJobctlStopConsume;
    if (TaskSetJobctlPending(t, static_cast<uint32_t>(signr) | gstop)) {
      ++p->group_stop_count;
    }
    for (Task* tt : p->threads) {
      if (tt == t) {
        continue;
      }
      const bool stopped = tt->state == TaskState::kSleeping && tt->wait == WaitKind::kStopped;
      if (!stopped && tt->state != TaskState::kDead &&
          TaskSetJobctlPending(tt, static_cast<uint32_t>(signr) | gstop)) {
        ++p->group_stop_count;
        SignalWakeUp(tt, false);
      }
    }
  }
  const bool notify = TaskParticipateGroupStop(t);
  t->jobctl |= kJobctlStopped;
  RecalcSigpending(t);
  Sleep(t, WaitKind::kStopped, false);
  t->in_get_signal = true;
  if (explain()) {
    Note("do_signal_stop: tid " + std::to_string(t->tid) + " stopped");
  }
  if (notify) {
    DoNotifyParentCldstop(t, kCldStopped);
  }
  return true;
}

// Models kernel/signal.c do_notify_parent_cldstop() (not traced).
void Kernel::DoNotifyParentCldstop(Task* t, int why) {
  Process* parent = t->proc->parent;
  if (parent == nullptr || parent->is_runner || parent->state != ProcState::kAlive) {
    return;
  }
  const SigAction& sa = ActionOf(parent, model::kSigChld);
  if (sa.handler != kSigIgn && (sa.flags & kSaNocldstop) == 0) {
    Siginfo info;
    info.signo = model::kSigChld;
    info.code = why;
    info.word16 =
        static_cast<uint32_t>(t->proc->pid) | (static_cast<uint64_t>(t->proc->cred.uid) << 32);
    info.word24 = why == kCldContinued ? model::kSigCont : (t->proc->group_exit_code & 0x7f);
    Task* target = t->proc->leader->real_parent_thread;
    if (target == nullptr || target->released || target->proc != parent) {
      target = parent->leader;
    }
    SendSignal(model::kSigChld, info, target, false, t);
  }
  WakeQueue(&parent->wait_chldexit, 0);
}

// Models kernel/exit.c will_become_orphaned_pgrp(pgrp, NULL).
bool Kernel::IsPgrpOrphaned(Pid pgid) const {
  for (const auto& owned : processes_) {
    const Process* p = owned.get();
    if (p == nullptr || p->pgid != pgid || p->state == ProcState::kReaped) {
      continue;
    }
    if (p->state == ProcState::kZombie) {
      continue;
    }
    const Process* parent = p->parent;
    if (parent->pgid != pgid && parent->sid == p->sid) {
      return false;
    }
  }
  return true;
}

// Models kernel/signal.c dequeue_synchronous_signal(): a kernel-generated SIGSEGV,
// SIGBUS, SIGILL, SIGTRAP, SIGFPE or SIGSYS of this thread goes first.
// Models kernel/signal.c get_signal().
Kernel::GetSignalResult Kernel::GetSignal(Task* t, Ksig* ksig) {
  for (;;) {
    Process* p = t->proc;
    if ((p->flags & kSignalCldMask) != 0) {
      const int why = (p->flags & kSignalCldContinued) != 0 ? kCldContinued : kCldStopped;
      p->flags &= ~kSignalCldMask;
      DoNotifyParentCldstop(t, why);
      continue;
    }
    if ((p->flags & kSignalGroupExit) != 0) {
      t->pending.mask &= ~Bit(model::kSigKill);
      RecalcSigpending(t);
      DoGroupExit(t, model::kSigKill);
      return GetSignalResult::kDied;
    }
    if ((t->jobctl & kJobctlStopPending) != 0 && DoSignalStop(t, 0)) {
      return GetSignalResult::kStopped;
    }

    Siginfo info;
    int signr = 0;
    const uint64_t sync = t->pending.mask & ~t->blocked & kSynchronousMask & t->pending.from_kernel;
    if (sync != 0) {
      signr = std::countr_zero(sync) + 1;
      info = CollectSignal(signr, &t->pending);
      RecalcSigpending(t);
    } else {
      signr = DequeueSignal(t, &info);
    }
    if (signr == 0) {
      return GetSignalResult::kNone;
    }

    const SigAction ka = ActionOf(p, signr);
    if (ka.handler == kSigIgn) {
      continue;
    }
    if (ka.handler != kSigDfl) {
      ksig->sig = signr;
      ksig->info = info;
      ksig->ka = ka;
      if ((ka.flags & kSaResethand) != 0) {
        MutableActionOf(p, signr).handler = kSigDfl;
      }
      return GetSignalResult::kDeliver;
    }
    if (SigKernelIgnore(signr)) {
      continue;
    }
    if (SigKernelStop(signr)) {
      // Stop signals other than SIGSTOP are discarded in an orphaned process group;
      // every scenario process group is orphaned (its leader's parent is the runner,
      // in another session).
      if (signr != model::kSigStop && IsPgrpOrphaned(p->pgid)) {
        continue;
      }
      if (DoSignalStop(t, signr)) {
        return GetSignalResult::kStopped;
      }
      continue;
    }
    // Fatal. A coredump signal first zaps the other threads (coredump_wait() ->
    // zap_threads()). DIVERGES(kernel): no core file is ever written (as with
    // RLIMIT_CORE 0 and a file core_pattern), so the wait status never has the 0x80
    // "core dumped" bit; the runner decodes only the signal.
    if (explain()) {
      Note("get_signal: tid " + std::to_string(t->tid) + " dies of signal " +
           std::to_string(signr));
    }
    if (SigKernelCoredump(signr) && (p->flags & kSignalGroupExit) == 0) {
      p->flags = kSignalGroupExit;
      p->group_exit_code = signr;
      p->group_stop_count = 0;
      for (Task* tt : p->threads) {
        TaskClearJobctlPending(tt, kJobctlStopPending);
        if (tt == t || tt->state == TaskState::kDead) {
          continue;
        }
        tt->pending.mask |= Bit(model::kSigKill);
        SignalWakeUp(tt, true);
      }
    }
    DoGroupExit(t, signr);
    return GetSignalResult::kDied;
  }
}

// Models arch/x86/kernel/signal.c handle_signal(): the restart rules for an
// interrupted syscall, then setup_rt_frame() and signal_delivered().
void Kernel::HandleSignal(Task* t, const Ksig& ksig) {
  if (static_cast<int32_t>(t->regs.orig_ax) >= 0) {
    const int64_t err = -t->regs.ax;
    if (err == model::kERESTART_RESTARTBLOCK.value || err == model::kERESTARTNOHAND.value) {
      SetReturn(t, -model::kEINTR.value, "handle_signal: interrupted by a handled signal");
    } else if (err == model::kERESTARTSYS.value) {
      if ((ksig.ka.flags & kSaRestart) == 0) {
        SetReturn(t, -model::kEINTR.value,
                  "handle_signal: interrupted by a handler without SA_RESTART");
      } else {
        t->regs.ax = t->regs.orig_ax;
        t->regs.rewound = true;
      }
    } else if (err == model::kERESTARTNOINTR.value) {
      t->regs.ax = t->regs.orig_ax;
      t->regs.rewound = true;
    }
  }
  // x86_64 setup_rt_frame() needs SA_RESTORER; a frame that does not fit fails too.
  if ((ksig.ka.flags & kSaRestorer) == 0 || t->frames.size() >= kMaxSignalFrames) {
    if (explain()) {
      Note("setup_rt_frame: tid " + std::to_string(t->tid) + " cannot take a frame for signal " +
           std::to_string(ksig.sig));
    }
    ForceSigsegv(t, ksig.sig);
    return;
  }
  SignalFrame frame;
  frame.saved = t->regs;
  if (explain()) {
    frame.saved_reason = t->reason;
  }
  frame.saved_blocked = t->blocked;
  frame.sig = ksig.sig;
  frame.handler = ksig.ka.handler;
  frame.info = ksig.info;
  t->frames.push_back(frame);
  t->in_handler = true;
  const int64_t orig = t->regs.orig_ax;
  t->regs = Regs{};
  t->regs.orig_ax = orig;
  t->regs.ax = 0;
  t->regs.at_handler = true;
  if (explain()) {
    Note("handle_signal: tid " + std::to_string(t->tid) + " runs the handler of signal " +
         std::to_string(ksig.sig));
  }
  uint64_t blocked = t->blocked | ksig.ka.mask;
  if ((ksig.ka.flags & kSaNodefer) == 0) {
    blocked |= Bit(ksig.sig);
  }
  SetCurrentBlocked(t, blocked);
}

// Models arch_do_signal_or_restart() when no handler ran: restart transparently.
void Kernel::RestartNoHandler(Task* t) {
  if (static_cast<int32_t>(t->regs.orig_ax) < 0) {
    return;
  }
  const int64_t err = -t->regs.ax;
  if (err == model::kERESTARTNOHAND.value || err == model::kERESTARTSYS.value ||
      err == model::kERESTARTNOINTR.value) {
    t->regs.ax = t->regs.orig_ax;
    t->regs.rewound = true;
  } else if (err == model::kERESTART_RESTARTBLOCK.value) {
    t->regs.ax = 219;  // __NR_restart_syscall
    t->regs.rewound = true;
  }
}

void Kernel::RunHandlerBody(Task* t) {
  SignalFrame& f = t->frames.back();
  f.body_ran = true;
  t->regs.at_handler = false;
  if (f.handler != config_.recording_handler) {
    // DIVERGES(kernel): the simulator cannot run arbitrary handler code; a handler at
    // any address other than the recording handler faults at once (SIGSEGV).
    Siginfo info;
    info.signo = model::kSigSegv;
    info.code = 1;  // SEGV_MAPERR
    info.word16 = f.handler;
    if (explain()) {
      Note("tid " + std::to_string(t->tid) + " jumps to handler address " +
           std::to_string(f.handler) + ", which the simulator cannot run");
    }
    ForceSigInfo(t, info, ForceHandler::kCurrent);
    t->next = Next::kExitToUser;
    return;
  }
  if (f.sig == model::kSigSys) {
    t->last_sigsys = f.info;
  }
  // The handler returns into its SA_RESTORER trampoline: rt_sigreturn, through seccomp.
  // Its argument registers are 0: the backends' restorer zeroes them before the
  // syscall (live/agent.cc), where a libc restorer would leave the handler's values.
  t->regs.orig_ax = model::nr::kRtSigreturn;
  t->regs.args = {};
  t->regs.in_restorer = true;
  t->next = Next::kEnter;
}

// Models kernel/signal.c retarget_shared_pending().
void Kernel::RetargetSharedPending(Task* t, uint64_t which) {
  uint64_t retarget = t->proc->shared_pending.mask & which;
  if (retarget == 0) {
    return;
  }
  for (Task* other : t->proc->threads) {
    if (other == t || other->exiting) {
      continue;
    }
    if ((retarget & ~other->blocked) == 0) {
      continue;
    }
    retarget &= other->blocked;
    if (!other->sigpending) {
      SignalWakeUp(other, false);
    }
    if (retarget == 0) {
      break;
    }
  }
}

// Models kernel/signal.c set_current_blocked() / __set_task_blocked().
void Kernel::SetCurrentBlocked(Task* t, uint64_t mask) {
  mask &= ~kUnblockable;
  if (t->sigpending && !ThreadGroupEmpty(t)) {
    RetargetSharedPending(t, mask & ~t->blocked);
  }
  t->blocked = mask;
  RecalcSigpending(t);
}

// Models kernel/signal.c check_kill_permission() with kill_ok_by_cred().
model::SysResult<void> Kernel::CheckKillPermission(int sig, Task* target, Task* current) {
  if (sig < 0 || sig > kNsig) {
    return Fail(model::kEINVAL, "check_kill_permission: invalid signal");
  }
  if (target->proc == current->proc) {
    return model::Ok();
  }
  const Cred& c = current->proc->cred;
  const Cred& tc = target->proc->cred;
  if (c.uid == tc.uid || c.all_caps) {
    return model::Ok();
  }
  if (sig == model::kSigCont && target->proc->sid == current->proc->sid) {
    return model::Ok();
  }
  return Fail(model::kEPERM, "check_kill_permission: different uid and no CAP_KILL");
}

// Models kernel/signal.c group_send_sig_info().
model::SysResult<void> Kernel::GroupSendSigInfo(int sig, const Siginfo& info, Task* p,
                                                Task* current) {
  auto ok = CheckKillPermission(sig, p, current);
  if (!ok.ok()) {
    return ok;
  }
  if (sig != 0) {
    SendSignal(sig, info, p, false, current);
  }
  return model::Ok();
}

// Models kernel/signal.c __kill_pgrp_info(): every process of the group, the most
// recently attached first; success if any send succeeded.
model::SysResult<void> Kernel::KillPgrp(int sig, const Siginfo& info, Pid pgid, Task* current) {
  model::SysResult<void> ret = Fail(model::kESRCH, "__kill_pgrp_info: no process in the group");
  bool ok_once = false;
  for (size_t i = processes_.size(); i-- > 0;) {
    Process* p = processes_[i].get();
    if (p == nullptr || p->pgid != pgid || p->state == ProcState::kReaped) {
      continue;
    }
    auto err = GroupSendSigInfo(sig, info, p->leader, current);
    if (!ok_once) {
      ret = err;
      ok_once = err.ok();
    }
  }
  return ret;
}

// Models kernel/signal.c kill() -> kill_something_info().
Kernel::SysRet Kernel::SysKill(Task* t) {
  const auto pid = static_cast<int32_t>(t->regs.args[0]);
  const auto sig = static_cast<int32_t>(t->regs.args[1]);
  Siginfo info;
  info.signo = sig;
  info.code = kSiUser;
  info.word16 =
      static_cast<uint32_t>(t->proc->pid) | (static_cast<uint64_t>(t->proc->cred.uid) << 32);
  if (pid > 0) {
    Task* p = FindTaskVpid(pid);
    if (p == nullptr) {
      return Fail(model::kESRCH, "kill_pid_info: no such process");
    }
    auto r = GroupSendSigInfo(sig, info, p, t);
    if (!r.ok()) {
      return r.failure();
    }
    return Value(0);
  }
  if (pid == INT32_MIN) {
    return Fail(model::kESRCH, "kill_something_info: pid INT_MIN");
  }
  if (pid != -1) {
    auto r = KillPgrp(sig, info, pid != 0 ? -pid : t->proc->pgid, t);
    if (!r.ok()) {
      return r.failure();
    }
    return Value(0);
  }
  int count = 0;
  model::SysResult<void> retval = model::Ok();
  for (auto& owned : processes_) {
    Process* p = owned.get();
    if (p == nullptr || p == t->proc || p->state == ProcState::kReaped) {
      continue;
    }
    auto err = GroupSendSigInfo(sig, info, p->leader, t);
    ++count;
    if (err.ok() || err.error() != model::kEPERM) {
      retval = err;
    }
  }
  if (count == 0) {
    return Fail(model::kESRCH, "kill_something_info: no process to signal");
  }
  if (!retval.ok()) {
    return retval.failure();
  }
  return Value(0);
}

// Models kernel/signal.c tgkill() -> do_tkill() -> do_send_specific().
Kernel::SysRet Kernel::SysTgkill(Task* t) {
  const auto tgid = static_cast<int32_t>(t->regs.args[0]);
  const auto pid = static_cast<int32_t>(t->regs.args[1]);
  const auto sig = static_cast<int32_t>(t->regs.args[2]);
  if (pid <= 0 || tgid <= 0) {
    return Fail(model::kEINVAL, "tgkill: pid or tgid not positive");
  }
  Siginfo info;
  info.signo = sig;
  info.code = kSiTkill;
  info.word16 =
      static_cast<uint32_t>(t->proc->pid) | (static_cast<uint64_t>(t->proc->cred.uid) << 32);
  Task* p = FindTaskVpid(pid);
  if (p == nullptr || p->proc->pid != tgid) {
    return Fail(model::kESRCH, "do_send_specific: no such thread in that group");
  }
  auto ok = CheckKillPermission(sig, p, t);
  if (!ok.ok()) {
    return ok.failure();
  }
  if (sig != 0) {
    SendSignal(sig, info, p, true, t);
  }
  return Value(0);
}

// Models kernel/signal.c rt_sigaction() -> do_sigaction(); checks in the kernel's order.
Kernel::SysRet Kernel::SysRtSigaction(Task* t) {
  const auto sig = static_cast<int32_t>(t->regs.args[0]);
  const uint64_t act = t->regs.args[1];
  const uint64_t oact = t->regs.args[2];
  if (t->regs.args[3] != kSizeofSigset) {
    return Fail(model::kEINVAL, "rt_sigaction: sigsetsize is not 8");
  }
  SigAction new_sa;
  if (act != 0) {
    std::array<uint64_t, 4> raw{};
    if (!GetUser(t, act, &raw).ok()) {
      return Fail(model::kEFAULT, "rt_sigaction: copy_from_user(act) faulted");
    }
    new_sa = SigAction{raw[0], raw[1], raw[2], raw[3]};
  }
  if (sig < 1 || sig > kNsig || (act != 0 && SigKernelOnly(sig))) {
    return Fail(model::kEINVAL, "do_sigaction: invalid signal, or SIGKILL/SIGSTOP");
  }
  const SigAction& current = ActionOf(t->proc, sig);
  if ((current.flags & kSaImmutable) != 0) {
    return Fail(model::kEINVAL, "do_sigaction: SA_IMMUTABLE");
  }
  SigAction old = current;
  old.flags &= kUapiSaFlags;
  if (act != 0) {
    new_sa.flags &= kUapiSaFlags;
    new_sa.mask &= ~kUnblockable;
    MutableActionOf(t->proc, sig) = new_sa;
    if (SigHandlerIgnored(new_sa.handler, sig)) {
      FlushSigqueueMask(t->proc, Bit(sig));
    }
  }
  if (oact != 0) {
    const std::array<uint64_t, 4> raw{old.handler, old.flags, old.restorer, old.mask};
    if (!PutUser(t, oact, raw).ok()) {
      return Fail(model::kEFAULT, "rt_sigaction: copy_to_user(oact) faulted");
    }
  }
  return Value(0);
}

// Models arch/x86/kernel/signal_64.c rt_sigreturn(): restore the frame's registers
// and signal mask; orig_ax becomes -1, so no restart logic applies to the restored
// value. Without a frame: signal_fault() (SIGSEGV) and 0.
Kernel::SysRet Kernel::SysRtSigreturn(Task* t) {
  if (t->frames.empty() || !t->frames.back().body_ran) {
    Siginfo info;
    info.signo = model::kSigSegv;
    info.code = kSiKernel;
    ForceSigInfo(t, info, ForceHandler::kCurrent);
    return Value(0);
  }
  SignalFrame frame = std::move(t->frames.back());
  t->frames.pop_back();
  t->in_handler = !t->frames.empty();
  SetCurrentBlocked(t, frame.saved_blocked);
  t->regs = frame.saved;
  t->regs.orig_ax = -1;
  if (explain()) {
    t->reason = frame.saved_reason;
    Note("rt_sigreturn: tid " + std::to_string(t->tid) + " returns from the handler of signal " +
         std::to_string(frame.sig));
  }
  return NoReturn();
}

}  // namespace sclab::ksim
