// The constants table is the one place the scenario language turns a symbolic name
// into a number, and a number back into a name for traces.
//
// A name resolves, in this order of tables (they do not overlap except as noted):
// errno names (model/errno.h), signal names with their SIG prefix (model/signals.h),
// the seccomp constants of include/uapi/linux/seccomp.h with or without their
// SECCOMP_, SECCOMP_FILTER_FLAG_, SECCOMP_RET_, SECCOMP_USER_NOTIF_ or
// SECCOMP_ADDFD_FLAG_ prefix (plus SYNC_WAKE_UP for SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP),
// O_*, RESOLVE_*, AT_FDCWD, AUDIT_ARCH_*, POLL*, PR_*, CLONE_*, the published struct
// sizes (OPEN_HOW_SIZE_VER0, CLONE_ARGS_SIZE_VER0..2), and finally any x86_64
// syscall name libseccomp knows (seccomp_syscall_resolve_name_arch), which stands
// for its number. Only the modelled ones may be *called*; every one is a number.
//
// One unprefixed name has two readings: LOG is SECCOMP_FILTER_FLAG_LOG (2) and
// SECCOMP_RET_LOG (0x7ffc0000). A ConstantHint picks one (install's flags prefer the
// flag, action_avail the action); without a hint the lookup reports it as ambiguous.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sclab::scn {

enum class ConstantKind : uint8_t {
  kErrno,
  kSignal,
  kSeccompOp,    // SECCOMP_SET_MODE_* / SECCOMP_GET_*: seccomp(2)'s operation
  kSeccompMode,  // SECCOMP_MODE_*: what PR_GET_SECCOMP returns
  kFilterFlag,   // SECCOMP_FILTER_FLAG_*
  kRetAction,    // SECCOMP_RET_*
  kNotifFlag,    // SECCOMP_USER_NOTIF_*
  kAddfdFlag,    // SECCOMP_ADDFD_FLAG_*
  kIoctl,        // SECCOMP_IOCTL_NOTIF_*
  kOpenFlag,     // O_*
  kResolve,      // RESOLVE_*
  kAt,           // AT_FDCWD
  kAuditArch,    // AUDIT_ARCH_*
  kPoll,         // POLL*
  kPrctl,        // PR_*
  kClone,        // CLONE_*
  kStructSize,   // OPEN_HOW_SIZE_VER0, CLONE_ARGS_SIZE_VER*
  kSyscall,      // an x86_64 syscall name
};

// ConstantHint says which reading an ambiguous unprefixed name should take.
enum class ConstantHint : uint8_t { kNone, kFilterFlags, kAction };

struct Constant {
  std::string name;    // the full name ("SECCOMP_RET_LOG", "getppid")
  uint64_t value = 0;  // the 64-bit pattern (AT_FDCWD is 0xffffffffffffff9c)
  ConstantKind kind = ConstantKind::kErrno;
};

// ConstantMatch is the result of a lookup: found (one constant), unknown, or
// ambiguous (candidates holds every reading).
struct ConstantMatch {
  enum class Status : uint8_t { kFound, kUnknown, kAmbiguous };
  Status status = Status::kUnknown;
  Constant constant;                 // kFound
  std::vector<Constant> candidates;  // kAmbiguous
};

// LookupConstant resolves `name` as described above.
ConstantMatch LookupConstant(std::string_view name, ConstantHint hint = ConstantHint::kNone);

// IsConstantName is true when LookupConstant would not say kUnknown.
bool IsConstantName(std::string_view name);

// SyscallNumber is the x86_64 number of a syscall name (libseccomp), or -1.
int SyscallNumber(std::string_view name);

// SyscallName names an x86_64 syscall number ("getppid"), or "" when it has none.
std::string SyscallName(int64_t nr);

// ArchName is "AUDIT_ARCH_X86_64" / "AUDIT_ARCH_I386" (and the other AUDIT_ARCH_*
// the table knows), or "" for an unknown value.
std::string ArchName(uint64_t arch);

// SignalName is "SIGSYS" for 31, or "" outside 1..31.
std::string SignalName(int64_t sig);

// ErrnoName is "ENOENT" for 2, or "" outside the errno table.
std::string ErrnoName(int64_t err);

// PollBitsName prints poll bits as names joined by `|` in ascending bit order
// ("POLLIN|POLLRDNORM"); unknown bits print as one hex number at the end; 0 is "0".
std::string PollBitsName(uint64_t bits);

}  // namespace sclab::scn
