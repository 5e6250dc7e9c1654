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
  t->filter_data.clear();
  t->syscall_note.reset();
  if (explain()) {
    t->reason.clear();
  }
  if (t->mode != SeccompMode::kDisabled) {
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
  SysRet r = Fail(model::kENOSYS, "do_syscall_64: not a syscall number");
  switch (nr) {
    case n::kRead:
      r = SysRead(t);
      break;
    case n::kWrite:
      r = SysWrite(t);
      break;
    case n::kClose:
      r = SysClose(t);
      break;
    case n::kPoll:
      r = SysPoll(t);
      break;
    case n::kRtSigaction:
      r = SysRtSigaction(t);
      break;
    case n::kRtSigreturn:
      r = SysRtSigreturn(t);
      break;
    case n::kIoctl:
      r = SysIoctl(t);
      break;
    case n::kDup:
      r = SysDup(t);
      break;
    case n::kGetpid:
      r = SysGetpid(t);
      break;
    case n::kRecvmsg:
      r = SysRecvmsg(t);
      break;
    case n::kClone:
      r = SysClone(t);
      break;
    case n::kExit:
      r = SysExit(t);
      break;
    case n::kWait4:
      r = SysWait4(t);
      break;
    case n::kKill:
      r = SysKill(t);
      break;
    case n::kGetuid:
      r = SysGetuid(t);
      break;
    case n::kGetgid:
      r = SysGetgid(t);
      break;
    case n::kGetppid:
      r = SysGetppid(t);
      break;
    case n::kGetpgid:
      r = SysGetpgid(t);
      break;
    case n::kPrctl:
      r = SysPrctl(t);
      break;
    case n::kGettid:
      r = SysGettid(t);
      break;
    case n::kExitGroup:
      r = SysExitGroup(t);
      break;
    case n::kTgkill:
      r = SysTgkill(t);
      break;
    case n::kOpenat:
      r = SysOpenat(t);
      break;
    case n::kMkdirat:
      r = SysMkdirat(t);
      break;
    case n::kSeccomp:
      r = SysSeccomp(t);
      break;
    case n::kClone3:
      r = SysClone3(t);
      break;
    case n::kOpenat2:
      r = SysOpenat2(t);
      break;
    case 219:
      r = SysRestartSyscall(t);
      break;  // restart_syscall, only via -ERESTART_RESTARTBLOCK
    default:
      if (std::optional<SysRet> hooked = ProposalSyscall(t, nr)) {
        r = *hooked;
      } else if (nr >= 0 && nr < kNrSyscalls) {
        // DIVERGES(kernel): a real syscall outside the modelled table returns ENOSYS;
        // the runner only lets such a number through when the filters skip it.
        r = Fail(model::kENOSYS, "DIVERGES(kernel): syscall not modelled by the simulator");
      }
      break;
  }
  Finish(t, r);
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

void Kernel::SetReturn(Task* t, int64_t value, const char* why) {
  t->regs.ax = value;
  t->regs.why = why;
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

// Models kernel/entry/common.c exit_to_user_mode_loop() with x86's
// arch_do_signal_or_restart(), then what the task does in user mode.
void Kernel::ExitToUser(Task* t) {
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

void Kernel::CompleteCall(Task* t) {
  if (t->call.state != CallState::kInFlight) {
    return;
  }
  t->call.state = CallState::kReturned;
  t->call.ret = t->regs.ax;
  t->call.why = t->regs.why;
  if (explain()) {
    t->call_reason = t->reason.empty() ? std::string(t->regs.why) : t->reason;
  }
}

std::string Kernel::SyscallName(int64_t nr) const {
  if (const model::SyscallInfo* info = model::FindModelledSyscall(static_cast<int>(nr))) {
    return std::string(info->name) + "()";
  }
  return "syscall(" + std::to_string(nr) + ")";
}

}  // namespace sclab::ksim
