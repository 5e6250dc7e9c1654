// The syscall path, as arch/x86/entry/syscall_64.c do_syscall_64() and
// kernel/entry/common.c run it: entry (seccomp first: __secure_computing()), the
// dispatch by number, and the return to user mode (exit_to_user_mode_loop(), where
// arch_do_signal_or_restart() delivers signals and restarts interrupted calls).
//
// What the task does once back in user mode is decided here too: re-execute the
// syscall instruction (a restart rewound the instruction pointer), run a signal
// handler's body (the runner's recording handler: record the siginfo, then issue
// rt_sigreturn through the filters), execute the ud2 after an rt_sigreturn that
// returned (docs/execution.md §3), or hand the return value to the runner's call.
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"
#include "model/syscall_table.h"

namespace sclab::ksim {

using model::Fail;

void Kernel::SyscallEnter(Task* t) {
  t->regs.ax = -model::kENOSYS.value;  // do_syscall_64() presets the return register
  t->regs.why = "";
  if (config_.proposals != nullptr) {
    // Only a proposal hook fills these (RunFilters); plain runs never touch their lines.
    t->filter_data.clear();
    t->syscall_note.reset();
  }
  if (explain()) {
    t->reason.clear();
  }
  if (t->mode != SeccompMode::kDisabled && !CachedAllow(t)) {
    switch (SecureComputing(t)) {
      case Verdict::kRun:
        break;
      case Verdict::kSkip:
        t->next = Next::kExitToUser;
        return;
      case Verdict::kSleep:
      case Verdict::kDead:
        return;
    }
  }
  Dispatch(t);
}

// Models arch/x86/entry/syscall_64.c do_syscall_x64(): numbers below NR_syscalls go
// through the table; -1 and anything else keep -ENOSYS.
void Kernel::Dispatch(Task* t) {
  const int nr = static_cast<int32_t>(t->regs.orig_ax);
  namespace n = model::nr;
  // Each case finishes the call itself: the result is built in place, never copied.
  switch (nr) {
    case n::kRead:
      Finish(t, SysRead(t));
      return;
    case n::kWrite:
      Finish(t, SysWrite(t));
      return;
    case n::kClose:
      Finish(t, SysClose(t));
      return;
    case n::kPoll:
      Finish(t, SysPoll(t));
      return;
    case n::kRtSigaction:
      Finish(t, SysRtSigaction(t));
      return;
    case n::kRtSigreturn:
      Finish(t, SysRtSigreturn(t));
      return;
    case n::kIoctl:
      Finish(t, SysIoctl(t));
      return;
    case n::kDup:
      Finish(t, SysDup(t));
      return;
    case n::kGetpid:
      Finish(t, SysGetpid(t));
      return;
    case n::kRecvmsg:
      Finish(t, SysRecvmsg(t));
      return;
    case n::kClone:
      Finish(t, SysClone(t));
      return;
    case n::kExit:
      Finish(t, SysExit(t));
      return;
    case n::kWait4:
      Finish(t, SysWait4(t));
      return;
    case n::kKill:
      Finish(t, SysKill(t));
      return;
    case n::kGetuid:
      Finish(t, SysGetuid(t));
      return;
    case n::kGetgid:
      Finish(t, SysGetgid(t));
      return;
    case n::kGetppid:
      Finish(t, SysGetppid(t));
      return;
    case n::kGetpgid:
      Finish(t, SysGetpgid(t));
      return;
    case n::kPrctl:
      Finish(t, SysPrctl(t));
      return;
    case n::kGettid:
      Finish(t, SysGettid(t));
      return;
    case n::kExitGroup:
      Finish(t, SysExitGroup(t));
      return;
    case n::kTgkill:
      Finish(t, SysTgkill(t));
      return;
    case n::kOpenat:
      Finish(t, SysOpenat(t));
      return;
    case n::kMkdirat:
      Finish(t, SysMkdirat(t));
      return;
    case n::kSeccomp:
      Finish(t, SysSeccomp(t));
      return;
    case n::kClone3:
      Finish(t, SysClone3(t));
      return;
    case n::kOpenat2:
      Finish(t, SysOpenat2(t));
      return;
    case 219:
      Finish(t, SysRestartSyscall(t));
      return;  // restart_syscall, only via -ERESTART_RESTARTBLOCK
    default:
      if (std::optional<SysRet> hooked = ProposalSyscall(t, nr)) {
        Finish(t, *hooked);
      } else if (nr >= 0 && nr < kNrSyscalls) {
        // DIVERGES(kernel): a real syscall outside the modelled table returns ENOSYS;
        // the runner only lets such a number through when the filters skip it.
        Finish(t, Fail(model::kENOSYS, "DIVERGES(kernel): syscall not modelled by the simulator"));
      } else {
        Finish(t, Fail(model::kENOSYS, "do_syscall_64: not a syscall number"));
      }
      return;
  }
}

void Kernel::Finish(Task* t, const SysRet& r) {
  if (!r.ok()) {
    SetReturn(t, -static_cast<int64_t>(r.error().value), r.why());
    t->next = Next::kExitToUser;
    return;
  }
  const Ret& v = r.value();
  if (v.sleeps) {
    return;
  }
  if (v.no_return) {
    if (t->state == TaskState::kRunnable) {
      t->next = Next::kExitToUser;
    }
    return;
  }
  SetReturn(t, v.value, "");
  t->next = Next::kExitToUser;
}

void Kernel::SyscallResume(Task* t) {
  const WaitKind w = t->wait;
  t->wait = WaitKind::kNone;
  switch (w) {
    case WaitKind::kNotifyReply:
      switch (ContinueUserNotification(t)) {
        case Verdict::kRun:
          Dispatch(t);
          return;
        case Verdict::kSkip:
          t->next = Next::kExitToUser;
          return;
        case Verdict::kSleep:
        case Verdict::kDead:
          return;
      }
      return;
    case WaitKind::kNotifyRecv:
      Finish(t, ContinueRecv(t));
      return;
    case WaitKind::kNotifyAddfd:
      Finish(t, ContinueAddfd(t));
      return;
    case WaitKind::kWait4:
      Finish(t, ContinueWait4(t));
      return;
    case WaitKind::kRecvmsg:
      Finish(t, ContinueRecvmsg(t));
      return;
    case WaitKind::kPoll:
      Finish(t, DoPoll(t, false));
      return;
    case WaitKind::kProposalListener:
      Finish(t, ContinueProposalListener(t));
      return;
    case WaitKind::kStopped:
    case WaitKind::kNone:
      break;
  }
  SCLAB_CHECK(false, "SyscallResume of a task that was not sleeping in a syscall");
}

// The loop of ExitToUser (kernel.h), for a task with a signal, a restart or a handler.
void Kernel::ExitToUserSlow(Task* t) {
  for (;;) {
    // A task woken from a group stop is still inside get_signal(), with or without
    // TIF_SIGPENDING.
    if (!t->sigpending && !t->in_get_signal) {
      break;
    }
    t->in_get_signal = false;
    Ksig ksig;
    const GetSignalResult g = GetSignal(t, &ksig);
    if (g == GetSignalResult::kDied || g == GetSignalResult::kStopped) {
      return;
    }
    if (g == GetSignalResult::kDeliver) {
      HandleSignal(t, ksig);
      if (t->state != TaskState::kRunnable) {
        return;
      }
      continue;
    }
    RestartNoHandler(t);
    break;
  }
  if (t->regs.rewound) {
    // The instruction pointer was moved back onto the syscall instruction: the whole
    // syscall runs again, seccomp included.
    t->regs.rewound = false;
    t->regs.orig_ax = t->regs.ax;
    if (explain()) {
      Note("tid " + std::to_string(t->tid) + " restarts " + SyscallName(t->regs.orig_ax));
    }
    t->next = Next::kEnter;
    return;
  }
  if (t->regs.at_handler) {
    RunHandlerBody(t);
    return;
  }
  if (t->regs.in_restorer) {
    // rt_sigreturn returned instead of restoring a context: the restorer's next
    // instruction is ud2 (handle_invalid_op() -> force_sig_fault(SIGILL, ILL_ILLOPN)).
    t->regs.in_restorer = false;
    Siginfo info;
    info.signo = model::kSigIll;
    info.code = 2;  // ILL_ILLOPN
    if (explain()) {
      Note("tid " + std::to_string(t->tid) + " rt_sigreturn returned " +
           std::to_string(t->regs.ax) + ": the restorer executes ud2");
    }
    ForceSigInfo(t, info, ForceHandler::kCurrent);
    t->next = Next::kExitToUser;
    return;
  }
  CompleteCall(t);
  t->state = TaskState::kUser;
}

void Kernel::RecordCallReason(Task* t) {
  t->call_reason = t->reason.empty() ? std::string(t->regs.why) : t->reason;
}

std::string Kernel::SyscallName(int64_t nr) const {
  if (const model::SyscallInfo* info = model::FindModelledSyscall(static_cast<int>(nr))) {
    return std::string(info->name) + "()";
  }
  return "syscall(" + std::to_string(nr) + ")";
}

}  // namespace sclab::ksim
