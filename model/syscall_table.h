// SyscallInfo describes one syscall the project models: its name, x86_64 number,
// the kind of each argument and of its result. This one table is shared by the
// simulated kernel (which implements exactly these), the scenario parser (a
// syscall outside it is a diagnostic) and the live backend (which never issues a
// syscall outside it on a task's behalf).
//
// Argument and result kinds drive normalisation: a kPid result is printed as a task
// name, a kAddr argument as &buf+off, and so on.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace sclab::model {

enum class ArgKind : uint8_t {
  kInt,     // a plain integer
  kFd,      // a file descriptor number
  kPid,     // a pid / tgid (0 and negatives keep their wait4/kill meaning)
  kTid,     // a thread id
  kSignal,  // a signal number
  kAddr,    // a user-memory address (a buffer, a struct)
  kPath,    // the address of a NUL-terminated path
  kSize,    // a byte count or struct size
  kFlags,   // a bit set
  kMode,    // a file mode
};

enum class ResultKind : uint8_t {
  kValue,    // a number (0 on success for most calls)
  kFd,       // a new file descriptor
  kPid,      // a pid or tid
  kSize,     // a byte count
  kNoReturn, // exit / exit_group / rt_sigreturn: does not return to the caller
};

struct SyscallInfo {
  std::string_view name;
  int nr;  // x86_64 number
  uint8_t nargs;
  std::array<ArgKind, 6> args;
  ResultKind result;
};

// x86_64 numbers of the modelled syscalls (arch/x86/entry/syscalls/syscall_64.tbl).
namespace nr {
inline constexpr int kRead = 0, kWrite = 1, kClose = 3, kPoll = 7, kRtSigaction = 13,
                     kRtSigreturn = 15, kIoctl = 16, kDup = 32, kGetpid = 39, kRecvmsg = 47,
                     kClone = 56, kExit = 60, kWait4 = 61, kKill = 62, kGetuid = 102,
                     kGetgid = 104, kGetppid = 110, kGetpgid = 121, kPrctl = 157,
                     kGettid = 186, kExitGroup = 231, kTgkill = 234, kOpenat = 257,
                     kMkdirat = 258, kSeccomp = 317, kClone3 = 435, kOpenat2 = 437;
}  // namespace nr

// ModelledSyscalls lists every modelled syscall, in ascending number order.
std::span<const SyscallInfo> ModelledSyscalls();

// FindModelledSyscall returns the entry for a name or number, or nullptr.
const SyscallInfo* FindModelledSyscall(std::string_view name);
const SyscallInfo* FindModelledSyscall(int number);

}  // namespace sclab::model
