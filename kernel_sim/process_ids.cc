// The id syscalls of kernel/sys.c: getpid (the tgid), gettid, getppid (the tgid of
// real_parent), getpgid (ESRCH for a pid no task has), getuid, getgid. All see one
// pid namespace.
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

Kernel::SysRet Kernel::SysGetpid(Task* t) { return Value(t->proc->pid); }

Kernel::SysRet Kernel::SysGettid(Task* t) { return Value(t->tid); }

Kernel::SysRet Kernel::SysGetppid(Task* t) { return Value(t->proc->parent->pid); }

// Models kernel/sys.c getpgid(): 0 is the caller; any live or zombie task's tid works.
Kernel::SysRet Kernel::SysGetpgid(Task* t) {
  const auto pid = static_cast<int32_t>(t->regs.args[0]);
  if (pid == 0) {
    return Value(t->proc->pgid);
  }
  if (pid == config_.runner_pid) {
    return Value(runner_->pgid);
  }
  const Task* p = FindTaskVpid(pid);
  if (p == nullptr) {
    return Fail(model::kESRCH, "getpgid: find_task_by_vpid found no task");
  }
  return Value(p->proc->pgid);
}

Kernel::SysRet Kernel::SysGetuid(Task* t) { return Value(t->proc->cred.uid); }

Kernel::SysRet Kernel::SysGetgid(Task* t) { return Value(t->proc->cred.gid); }

}  // namespace sclab::ksim
