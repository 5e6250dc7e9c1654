#include "model/syscall_table.h"

namespace sclab::model {
namespace {

using enum ArgKind;
using R = ResultKind;

// clone(flags, stack, parent_tid, child_tid, tls) is how fork() and thread() are
// issued (glibc's fork also uses clone). recvmsg is how `pass` delivers an fd
// (SCM_RIGHTS) to the receiving task. rt_sigreturn is issued when a handler returns.
// clone3 is modelled for its extensible-struct rules only: the runner issues it only
// when those rules say the call fails before creating a task (docs/execution.md).
constexpr SyscallInfo kTable[] = {
    {"read", nr::kRead, 3, {kFd, kAddr, kSize}, R::kSize},
    {"write", nr::kWrite, 3, {kFd, kAddr, kSize}, R::kSize},
    {"close", nr::kClose, 1, {kFd}, R::kValue},
    {"poll", nr::kPoll, 3, {kAddr, kInt, kInt}, R::kValue},
    {"rt_sigaction", nr::kRtSigaction, 4, {kSignal, kAddr, kAddr, kSize}, R::kValue},
    {"rt_sigreturn", nr::kRtSigreturn, 0, {}, R::kNoReturn},
    {"ioctl", nr::kIoctl, 3, {kFd, kInt, kAddr}, R::kValue},
    {"dup", nr::kDup, 1, {kFd}, R::kFd},
    {"getpid", nr::kGetpid, 0, {}, R::kPid},
    {"recvmsg", nr::kRecvmsg, 3, {kFd, kAddr, kFlags}, R::kSize},
    {"clone", nr::kClone, 5, {kFlags, kAddr, kAddr, kAddr, kInt}, R::kPid},
    {"exit", nr::kExit, 1, {kInt}, R::kNoReturn},
    {"wait4", nr::kWait4, 4, {kPid, kAddr, kFlags, kAddr}, R::kPid},
    {"kill", nr::kKill, 2, {kPid, kSignal}, R::kValue},
    {"getuid", nr::kGetuid, 0, {}, R::kValue},
    {"getgid", nr::kGetgid, 0, {}, R::kValue},
    {"getppid", nr::kGetppid, 0, {}, R::kPid},
    {"getpgid", nr::kGetpgid, 1, {kPid}, R::kPid},
    {"prctl", nr::kPrctl, 5, {kInt, kInt, kInt, kInt, kInt}, R::kValue},
    {"gettid", nr::kGettid, 0, {}, R::kPid},
    {"exit_group", nr::kExitGroup, 1, {kInt}, R::kNoReturn},
    {"tgkill", nr::kTgkill, 3, {kPid, kTid, kSignal}, R::kValue},
    {"openat", nr::kOpenat, 4, {kFd, kPath, kFlags, kMode}, R::kFd},
    {"mkdirat", nr::kMkdirat, 3, {kFd, kPath, kMode}, R::kValue},
    {"seccomp", nr::kSeccomp, 3, {kInt, kFlags, kAddr}, R::kValue},
    {"clone3", nr::kClone3, 2, {kAddr, kSize}, R::kPid},
    {"openat2", nr::kOpenat2, 4, {kFd, kPath, kAddr, kSize}, R::kFd},
};

}  // namespace

std::span<const SyscallInfo> ModelledSyscalls() { return kTable; }

const SyscallInfo* FindModelledSyscall(std::string_view name) {
  for (const SyscallInfo& s : kTable) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const SyscallInfo* FindModelledSyscall(int number) {
  for (const SyscallInfo& s : kTable) {
    if (s.nr == number) return &s;
  }
  return nullptr;
}

}  // namespace sclab::model
