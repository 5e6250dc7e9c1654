// Task creation, after kernel/fork.c copy_process(): a fork copies the fd table
// (every file gains a reference, FD_CLOEXEC kept), the signal dispositions and the
// memory; a thread shares them. Both copy the calling thread's blocked mask, its
// seccomp mode, NNP and filter chain (copy_seccomp(): refs and users + 1), and start
// with nothing pending.
//
// DIVERGES(kernel): clone() supports exactly the two shapes the runner issues
// (docs/execution.md §3: fork = SIGCHLD, thread = 0x350f00) and clone3() only the fork
// shape; any other valid combination fails with EINVAL (after the kernel's own checks).
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"
#include "model/clone_args.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint64_t kCloneNewns = 0x00020000;
constexpr uint64_t kClonePidfd = 0x00001000;
constexpr uint64_t kCloneDetached = 0x00400000;
constexpr uint64_t kCloneNewuser = 0x10000000;
constexpr uint64_t kCloneNewpid = 0x20000000;

// The flag checks at the top of copy_process(), in its order.
model::SysResult<void> CopyProcessFlagChecks(uint64_t flags) {
  if ((flags & (kCloneNewns | kCloneFs)) == (kCloneNewns | kCloneFs)) {
    return Fail(model::kEINVAL, "copy_process: CLONE_NEWNS with CLONE_FS");
  }
  if ((flags & (kCloneNewuser | kCloneFs)) == (kCloneNewuser | kCloneFs)) {
    return Fail(model::kEINVAL, "copy_process: CLONE_NEWUSER with CLONE_FS");
  }
  if ((flags & kCloneThread) != 0 && (flags & kCloneSighand) == 0) {
    return Fail(model::kEINVAL, "copy_process: CLONE_THREAD without CLONE_SIGHAND");
  }
  if ((flags & kCloneSighand) != 0 && (flags & kCloneVm) == 0) {
    return Fail(model::kEINVAL, "copy_process: CLONE_SIGHAND without CLONE_VM");
  }
  if ((flags & kCloneThread) != 0 && (flags & (kCloneNewuser | kCloneNewpid)) != 0) {
    return Fail(model::kEINVAL, "copy_process: CLONE_THREAD into a new user or pid namespace");
  }
  if ((flags & kClonePidfd) != 0 && (flags & kCloneDetached) != 0) {
    return Fail(model::kEINVAL, "copy_process: CLONE_PIDFD with CLONE_DETACHED");
  }
  return model::Ok();
}

}  // namespace

// Models kernel/fork.c copy_process() for the two supported shapes.
Task* Kernel::CopyProcess(Task* cur, bool thread, uint64_t clear_child_tid) {
  Process* p = cur->proc;
  Task* nt = nullptr;
  if (thread) {
    nt = NewTask(p);
    p->threads.push_back(nt);
    ++p->live;
    ++p->quick_threads;
  } else {
    auto owned = std::make_unique<Process>();
    Process* np = owned.get();
    nt = NewTask(np);
    processes_.back() = std::move(owned);
    np->pid = nt->tid;
    np->pgid = p->pgid;
    np->sid = p->sid;
    np->parent = p;
    np->cred = p->cred;
    for (const FdTable::Slot& slot : p->fds.slots()) {  // dup_fd()
      FileGet(slot.file);
      np->fds.Install(slot.fd, slot.file, slot.cloexec);
    }
    if (p->actions) {
      np->actions = std::make_unique<std::array<SigAction, kNsig>>(*p->actions);
    }
    np->mem = p->mem.Clone();
    np->cwd = p->cwd;
    np->leader = nt;
    np->live = 1;
    np->quick_threads = 1;
    np->threads.push_back(nt);
    np->exit_signal = model::kSigChld;
    p->children.push_back(np);
    nt->real_parent_thread = cur;
  }
  nt->blocked = cur->blocked;
  // copy_seccomp()
  nt->mode = cur->mode;
  nt->no_new_privs = cur->no_new_privs;
  nt->filter = cur->filter;
  nt->filter_count = cur->filter_count;
  if (nt->filter != nullptr) {
    ++nt->filter->refs;
    ++nt->filter->users;
  }
  nt->clear_child_tid = clear_child_tid;
  nt->state = TaskState::kUser;
  nt->regs.ax = 0;
  if (explain()) {
    Note("copy_process: tid " + std::to_string(cur->tid) +
         (thread ? " starts thread " : " forks pid ") + std::to_string(nt->tid));
  }
  return nt;
}

// Models kernel/fork.c clone() -> kernel_clone() -> copy_process().
Kernel::SysRet Kernel::SysClone(Task* t) {
  const auto flags =
      static_cast<uint64_t>(static_cast<uint32_t>(t->regs.args[0]));  // lower_32_bits
  const uint64_t parent_tid = t->regs.args[2];
  const uint64_t child_tid = t->regs.args[3];
  auto checks = CopyProcessFlagChecks(flags & ~kCsignal);
  if (!checks.ok()) {
    return checks.failure();
  }
  if ((flags & kClonePidfd) != 0 && (flags & kCloneParentSettid) != 0) {
    return Fail(model::kEINVAL,
                "kernel_clone: CLONE_PIDFD with CLONE_PARENT_SETTID at the same address");
  }
  if (t->sigpending) {
    return Fail(model::kERESTARTNOINTR, "copy_process: a signal is pending");
  }
  if (flags == kCloneForkFlags) {
    Task* child = CopyProcess(t, false, 0);
    return Value(child->tid);
  }
  if (flags == kCloneThreadFlags) {
    Task* child = CopyProcess(t, true, child_tid);
    (void)PutUser(t, parent_tid, static_cast<int32_t>(child->tid));  // CLONE_PARENT_SETTID
    return Value(child->tid);
  }
  return Fail(model::kEINVAL,
              "DIVERGES(kernel): clone flags other than fork (SIGCHLD) and thread (0x350f00)");
}

// Models kernel/fork.c clone3(): the argument rules of model/clone_args.h, then the
// fork shape only.
Kernel::SysRet Kernel::SysClone3(Task* t) {
  auto kargs = model::Clone3ArgsFromUser(t->proc->mem, &copies_, t->regs.args[0], t->regs.args[1]);
  if (!kargs.ok()) {
    return kargs.failure();
  }
  const model::clone_args& a = kargs.value().args;
  auto checks = CopyProcessFlagChecks(a.flags);
  if (!checks.ok()) {
    return checks.failure();
  }
  if (t->sigpending) {
    return Fail(model::kERESTARTNOINTR, "copy_process: a signal is pending");
  }
  if (a.flags == 0 && a.exit_signal == static_cast<uint64_t>(model::kSigChld) && a.stack == 0) {
    Task* child = CopyProcess(t, false, 0);
    return Value(child->tid);
  }
  return Fail(model::kEINVAL, "DIVERGES(kernel): clone3 other than the fork shape");
}

}  // namespace sclab::ksim
