// Exit and wait, after kernel/exit.c.
//
// do_exit() runs in the kernel's order: exit_signals() (PF_EXITING, hand shared
// signals to another thread, take part in a group stop), seccomp_filter_release()
// (the 6.18 rule: the filter's `users` drop here, before the task is reaped, so a
// listener reports POLLHUP while its last target is still a zombie), the live count,
// mm_release()'s CLONE_CHILD_CLEARTID write, exit_files() for the last thread,
// exit_notify() (reparent children, notify the parent or autoreap).
//
// A process's wait status is signal->group_exit_code after a group exit, else the
// group leader's exit_code (wait_task_zombie()). The last thread to begin do_exit()
// marks a group exit with its own code (synchronize_group_exit()), so a process
// whose leader called exit(3) before another thread called exit(5) exits with 5.
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint64_t Bit(int sig) { return 1ULL << (sig - 1); }

}  // namespace

int Kernel::WaitStatusOf(const Process* p) const {
  return (p->flags & kSignalGroupExit) != 0 ? p->group_exit_code : p->leader->exit_code;
}

// Models kernel/exit.c do_exit().
void Kernel::DoExit(Task* t, int code) {
  SCLAB_CHECK(t->state != TaskState::kDead, "DoExit of a dead task");
  Process* p = t->proc;
  SynchronizeGroupExit(t, code);
  ExitSignals(t);
  SeccompFilterRelease(t);
  const bool group_dead = --p->live == 0;
  t->exit_code = code;
  if (t->clear_child_tid != 0) {
    // mm_release(): only while other tasks still use the memory.
    if (p->live > 0) {
      const int32_t zero = 0;
      (void)PutUser(t, t->clear_child_tid, zero);
    }
    t->clear_child_tid = 0;
  }
  if (t->scratch.file != nullptr) {
    File* f = t->scratch.file;
    t->scratch.file = nullptr;
    FilePut(f);
  }
  RemoveWait(t);
  std::erase(poll_sleepers_, t);
  t->state = TaskState::kDead;
  t->wait = WaitKind::kNone;
  if (group_dead) {
    p->state = ProcState::kZombie;
    CloseFiles(p);
  }
  if (explain()) {
    Note("do_exit: tid " + std::to_string(t->tid) + " exits with code " + std::to_string(code) +
         (group_dead ? " (last thread)" : ""));
  }
  RecordTaskEnd(t);
  ExitNotify(t, group_dead);
}

void Kernel::RecordTaskEnd(Task* t) {
  const Process* p = t->proc;
  int status = 0;
  bool gone = false;
  if ((p->flags & kSignalGroupExit) != 0) {
    status = p->group_exit_code;
  } else if (p->live == 0) {
    status = WaitStatusOf(p);
  } else {
    gone = true;
  }
  t->ended = true;
  if (gone) {
    t->end_kind = CallState::kGone;
  } else if ((status & 0x7f) == 0) {
    t->end_kind = CallState::kExited;
    t->end_exit_code = (status >> 8) & 0xff;
  } else {
    t->end_kind = CallState::kKilled;
    t->end_signal = status & 0x7f;
  }
  if (t->call.state == CallState::kInFlight) {
    t->call.state = t->end_kind;  // Status() reads end_signal / end_exit_code
  }
  // A leader that ended "gone" (it called exit() while other threads lived) stays gone
  // when the group ends later: gone is how that thread ended, and the live backend
  // never rewrites an outcome it has seen (docs/live.md). wait4 gives the process's status.
}

// Models kernel/exit.c synchronize_group_exit(): the last thread to begin exiting,
// when no group exit is under way, starts one with its own code.
void Kernel::SynchronizeGroupExit(Task* t, int code) {
  Process* p = t->proc;
  --p->quick_threads;
  if (p->quick_threads == 0 && (p->flags & kSignalGroupExit) == 0) {
    p->flags = kSignalGroupExit;
    p->group_exit_code = code;
    p->group_stop_count = 0;
  }
}

// Models kernel/exit.c do_group_exit().
void Kernel::DoGroupExit(Task* t, int code) {
  Process* p = t->proc;
  if ((p->flags & kSignalGroupExit) != 0) {
    code = p->group_exit_code;
  } else {
    p->group_exit_code = code;
    p->flags = kSignalGroupExit;
    ZapOtherThreads(t);
  }
  DoExit(t, code);
}

// Models kernel/signal.c zap_other_threads().
void Kernel::ZapOtherThreads(Task* t) {
  Process* p = t->proc;
  p->group_stop_count = 0;
  for (Task* other : p->threads) {
    if (other == t) {
      continue;
    }
    TaskClearJobctlPending(other, kJobctlStopPending);
    if (other->state == TaskState::kDead) {
      continue;
    }
    other->pending.mask |= Bit(model::kSigKill);
    SignalWakeUp(other, true);
  }
}

// Models kernel/signal.c exit_signals().
void Kernel::ExitSignals(Task* t) {
  Process* p = t->proc;
  if (ThreadGroupEmpty(t) || (p->flags & kSignalGroupExit) != 0) {
    t->exiting = true;
    return;
  }
  t->exiting = true;
  if (!t->sigpending) {
    return;
  }
  RetargetSharedPending(t, ~t->blocked);
  if ((t->jobctl & kJobctlStopPending) != 0 && TaskParticipateGroupStop(t)) {
    DoNotifyParentCldstop(t, kCldStopped);
  }
}

// Models kernel/exit.c exit_notify().
void Kernel::ExitNotify(Task* t, bool group_dead) {
  Process* p = t->proc;
  ForgetOriginalParent(t, group_dead);
  // kill_orphaned_pgrp() never fires here: a scenario process group's only outside
  // parent (the runner) is in another session.
  bool autoreap = true;
  if (t == p->leader) {
    autoreap = ThreadGroupEmpty(t) && DoNotifyParent(t, p->exit_signal);
  }
  if (autoreap) {
    ReleaseTask(t);
  }
}

// Models kernel/signal.c do_notify_parent() for an exiting thread-group leader;
// returns whether the child is autoreaped (the parent ignores SIGCHLD).
bool Kernel::DoNotifyParent(Task* leader, int sig) {
  Process* p = leader->proc;
  Process* parent = p->parent;
  if (parent->is_runner) {
    // The runner is a child subreaper outside the simulation: it takes no SIGCHLD
    // here and reaps only at shutdown.
    return false;
  }
  bool autoreap = false;
  const SigAction& psig = ActionOf(parent, model::kSigChld);
  if (sig == model::kSigChld && (psig.handler == kSigIgn || (psig.flags & kSaNocldwait) != 0)) {
    autoreap = true;
    if (psig.handler == kSigIgn) {
      sig = 0;
    }
  }
  if (sig > 0 && sig <= kNsig) {
    const int status = WaitStatusOf(p);
    Siginfo info;
    info.signo = sig;
    info.code = (status & 0x7f) == 0 ? kCldExited : kCldKilled;
    info.word16 = static_cast<uint32_t>(p->pid) | (static_cast<uint64_t>(p->cred.uid) << 32);
    info.word24 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f;
    Task* target = leader->real_parent_thread;
    if (target == nullptr || target->released || target->proc != parent) {
      target = parent->leader;
    }
    SendSignal(sig, info, target, false, leader);
  }
  WakeQueue(&parent->wait_chldexit, 0);
  return autoreap;
}

// Models kernel/exit.c forget_original_parent(): children go to another live thread
// of the process, or, when the group is dead, to the runner (the child subreaper).
void Kernel::ForgetOriginalParent(Task* t, bool group_dead) {
  Process* p = t->proc;
  if (!group_dead) {
    Task* alive = nullptr;
    for (Task* other : p->threads) {
      if (!other->exiting) {
        alive = other;
        break;
      }
    }
    for (Process* child : p->children) {
      if (child->leader->real_parent_thread == t) {
        child->leader->real_parent_thread = alive;
      }
    }
    return;
  }
  std::vector<Process*> children = std::move(p->children);
  p->children.clear();
  for (Process* child : children) {
    child->parent = runner_.get();
    child->leader->real_parent_thread = nullptr;
    runner_->children.push_back(child);
    if (explain()) {
      Note("forget_original_parent: pid " + std::to_string(child->pid) +
           " reparented to the runner");
    }
    if (child->state == ProcState::kZombie && ThreadGroupEmpty(child->leader)) {
      DoNotifyParent(child->leader, child->exit_signal);
    }
  }
}

// Models kernel/exit.c release_task(): the tid disappears; a leader's release reaps
// the process; the last thread's release may notify for a zombie leader.
void Kernel::ReleaseTask(Task* t) {
  Process* p = t->proc;
  if (t->released) {
    return;
  }
  t->released = true;
  if (p->curr_target == t) {
    p->curr_target = p->threads.size() > 1 ? NextThread(p, t) : nullptr;
  }
  std::erase(p->threads, t);
  if (p->curr_target == t) {
    p->curr_target = nullptr;
  }
  if (t == p->leader) {
    p->state = ProcState::kReaped;
    std::erase(p->parent->children, p);
    return;
  }
  Task* leader = p->leader;
  if (!leader->released && leader->state == TaskState::kDead && ThreadGroupEmpty(leader)) {
    if (DoNotifyParent(leader, p->exit_signal)) {
      ReleaseTask(leader);
    }
  }
}

Kernel::SysRet Kernel::SysExit(Task* t) {
  const auto code = static_cast<int32_t>(t->regs.args[0]);
  DoExit(t, (code & 0xff) << 8);
  return NoReturn();
}

Kernel::SysRet Kernel::SysExitGroup(Task* t) {
  const auto code = static_cast<int32_t>(t->regs.args[0]);
  DoGroupExit(t, (code & 0xff) << 8);
  return NoReturn();
}

// Models kernel/exit.c kernel_wait4(): the option check, then do_wait().
Kernel::SysRet Kernel::SysWait4(Task* t) {
  const auto upid = static_cast<int32_t>(t->regs.args[0]);
  const auto options = static_cast<uint32_t>(t->regs.args[2]);
  if ((options & ~(kWnohang | kWuntraced | kWcontinued | kWnothread | kWclone | kWall)) != 0) {
    return Fail(model::kEINVAL, "kernel_wait4: unknown option bits");
  }
  if (upid == INT32_MIN) {
    return Fail(model::kESRCH, "kernel_wait4: pid INT_MIN");
  }
  t->scratch = SyscallScratch{};
  t->scratch.pid = upid == 0 ? -t->proc->pgid : upid;  // wait4(0) means the caller's group now
  t->scratch.flags = options | kWexited;
  t->scratch.addr = t->regs.args[1];
  t->scratch.addr2 = t->regs.args[3];
  return ContinueWait4(t);
}

// Models kernel/exit.c do_wait() / __do_wait() / wait_consider_task().
Kernel::SysRet Kernel::ContinueWait4(Task* t) {
  const int32_t upid = t->scratch.pid;
  const uint32_t flags = t->scratch.flags;
  Process* me = t->proc;
  bool eligible = false;
  Process* found = nullptr;
  int status = 0;
  for (Process* c : me->children) {
    if (upid > 0 && c->pid != upid) {
      continue;
    }
    if (upid < -1 && c->pgid != -upid) {
      continue;
    }
    if ((flags & kWnothread) != 0 && c->leader->real_parent_thread != t) {
      continue;
    }
    const bool clone_child = c->exit_signal != model::kSigChld;
    if ((clone_child != ((flags & kWclone) != 0)) && (flags & kWall) == 0) {
      continue;
    }
    eligible = true;
    if (c->state == ProcState::kZombie && ThreadGroupEmpty(c->leader)) {
      status = WaitStatusOf(c);
      found = c;
      ReleaseTask(c->leader);  // wait_task_zombie() reaps before the status is stored
      break;
    }
    if ((flags & kWuntraced) != 0 && (c->flags & kSignalStopStopped) != 0 &&
        c->group_exit_code != 0) {
      status = (c->group_exit_code << 8) | 0x7f;
      c->group_exit_code = 0;
      found = c;
      break;
    }
    if ((flags & kWcontinued) != 0 && (c->flags & kSignalStopContinued) != 0) {
      c->flags &= ~kSignalStopContinued;
      status = 0xffff;
      found = c;
      break;
    }
  }
  if (found != nullptr) {
    RemoveWait(t);
    const Pid pid = found->pid;
    if (t->scratch.addr != 0 && !PutUser(t, t->scratch.addr, static_cast<int32_t>(status)).ok()) {
      return Fail(model::kEFAULT, "kernel_wait4: put_user(status) faulted");
    }
    if (t->scratch.addr2 != 0) {
      // DIVERGES(kernel): struct rusage is all zero; the model keeps no times or counts.
      const std::array<uint8_t, 144> rusage{};
      if (!PutUser(t, t->scratch.addr2, rusage).ok()) {
        return Fail(model::kEFAULT, "wait4: copy_to_user(rusage) faulted");
      }
    }
    if (explain()) {
      Note("do_wait: tid " + std::to_string(t->tid) + " collects pid " + std::to_string(pid) +
           " status " + std::to_string(status));
    }
    return Value(pid);
  }
  if (!eligible) {
    RemoveWait(t);
    return Fail(model::kECHILD, "do_wait: no child matches");
  }
  if ((flags & kWnohang) != 0) {
    RemoveWait(t);
    return Value(0);
  }
  if (t->sigpending) {
    RemoveWait(t);
    return Fail(model::kERESTARTSYS, "do_wait: interrupted by a signal");
  }
  AddWaitHead(&me->wait_chldexit, t);
  Sleep(t, WaitKind::kWait4, false);
  return Sleeps();
}

}  // namespace sclab::ksim
