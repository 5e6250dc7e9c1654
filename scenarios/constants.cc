#include "scenarios/constants.h"

#include <seccomp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/errno.h"
#include "model/signals.h"

namespace sclab::scn {
namespace {

using enum ConstantKind;

struct Entry {
  std::string_view name;
  uint64_t value;
  ConstantKind kind;
};

// Values from the x86_64 uapi headers: linux/seccomp.h, asm-generic/fcntl.h,
// linux/openat2.h, linux/fcntl.h, linux/audit.h, asm-generic/poll.h, linux/prctl.h,
// linux/sched.h. The tests compare every one of them with the host's headers.
constexpr Entry kTable[] = {
    // seccomp(2) operations and prctl modes.
    {"SECCOMP_SET_MODE_STRICT", 0, kSeccompOp},
    {"SECCOMP_SET_MODE_FILTER", 1, kSeccompOp},
    {"SECCOMP_GET_ACTION_AVAIL", 2, kSeccompOp},
    {"SECCOMP_GET_NOTIF_SIZES", 3, kSeccompOp},
    {"SECCOMP_MODE_DISABLED", 0, kSeccompMode},
    {"SECCOMP_MODE_STRICT", 1, kSeccompMode},
    {"SECCOMP_MODE_FILTER", 2, kSeccompMode},
    // Filter flags.
    {"SECCOMP_FILTER_FLAG_TSYNC", 1, kFilterFlag},
    {"SECCOMP_FILTER_FLAG_LOG", 2, kFilterFlag},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4, kFilterFlag},
    {"SECCOMP_FILTER_FLAG_NEW_LISTENER", 8, kFilterFlag},
    {"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 16, kFilterFlag},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32, kFilterFlag},
    // Filter return values.
    {"SECCOMP_RET_KILL_PROCESS", 0x80000000U, kRetAction},
    {"SECCOMP_RET_KILL_THREAD", 0, kRetAction},
    {"SECCOMP_RET_KILL", 0, kRetAction},
    {"SECCOMP_RET_TRAP", 0x00030000U, kRetAction},
    {"SECCOMP_RET_ERRNO", 0x00050000U, kRetAction},
    {"SECCOMP_RET_USER_NOTIF", 0x7fc00000U, kRetAction},
    {"SECCOMP_RET_TRACE", 0x7ff00000U, kRetAction},
    {"SECCOMP_RET_LOG", 0x7ffc0000U, kRetAction},
    {"SECCOMP_RET_ALLOW", 0x7fff0000U, kRetAction},
    {"SECCOMP_RET_ACTION_FULL", 0xffff0000U, kRetAction},
    {"SECCOMP_RET_ACTION", 0x7fff0000U, kRetAction},
    {"SECCOMP_RET_DATA", 0x0000ffffU, kRetAction},
    // User notification.
    {"SECCOMP_USER_NOTIF_FLAG_CONTINUE", 1, kNotifFlag},
    {"SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", 1, kNotifFlag},
    {"SECCOMP_ADDFD_FLAG_SETFD", 1, kAddfdFlag},
    {"SECCOMP_ADDFD_FLAG_SEND", 2, kAddfdFlag},
    {"SECCOMP_IOCTL_NOTIF_RECV", 0xc0502100U, kIoctl},
    {"SECCOMP_IOCTL_NOTIF_SEND", 0xc0182101U, kIoctl},
    {"SECCOMP_IOCTL_NOTIF_ID_VALID", 0x40082102U, kIoctl},
    {"SECCOMP_IOCTL_NOTIF_ADDFD", 0x40182103U, kIoctl},
    {"SECCOMP_IOCTL_NOTIF_SET_FLAGS", 0x40082104U, kIoctl},
    // open(2) flags (x86_64 values, octal as in asm-generic/fcntl.h).
    {"O_RDONLY", 0, kOpenFlag},
    {"O_WRONLY", 01, kOpenFlag},
    {"O_RDWR", 02, kOpenFlag},
    {"O_ACCMODE", 03, kOpenFlag},
    {"O_CREAT", 0100, kOpenFlag},
    {"O_EXCL", 0200, kOpenFlag},
    {"O_NOCTTY", 0400, kOpenFlag},
    {"O_TRUNC", 01000, kOpenFlag},
    {"O_APPEND", 02000, kOpenFlag},
    {"O_NONBLOCK", 04000, kOpenFlag},
    {"O_NDELAY", 04000, kOpenFlag},
    {"O_DSYNC", 010000, kOpenFlag},
    {"O_ASYNC", 020000, kOpenFlag},
    {"O_DIRECT", 040000, kOpenFlag},
    {"O_LARGEFILE", 0100000, kOpenFlag},
    {"O_DIRECTORY", 0200000, kOpenFlag},
    {"O_NOFOLLOW", 0400000, kOpenFlag},
    {"O_NOATIME", 01000000, kOpenFlag},
    {"O_CLOEXEC", 02000000, kOpenFlag},
    {"O_SYNC", 04010000, kOpenFlag},
    {"O_PATH", 010000000, kOpenFlag},
    {"O_TMPFILE", 020200000, kOpenFlag},
    // openat2 resolve flags.
    {"RESOLVE_NO_XDEV", 0x01, kResolve},
    {"RESOLVE_NO_MAGICLINKS", 0x02, kResolve},
    {"RESOLVE_NO_SYMLINKS", 0x04, kResolve},
    {"RESOLVE_BENEATH", 0x08, kResolve},
    {"RESOLVE_IN_ROOT", 0x10, kResolve},
    {"RESOLVE_CACHED", 0x20, kResolve},
    {"AT_FDCWD", static_cast<uint64_t>(-100), kAt},
    // Audit architectures.
    {"AUDIT_ARCH_X86_64", 0xc000003eU, kAuditArch},
    {"AUDIT_ARCH_I386", 0x40000003U, kAuditArch},
    {"AUDIT_ARCH_AARCH64", 0xc00000b7U, kAuditArch},
    {"AUDIT_ARCH_ARM", 0x40000028U, kAuditArch},
    {"AUDIT_ARCH_RISCV64", 0xc00000f3U, kAuditArch},
    {"AUDIT_ARCH_PPC64LE", 0xc0000015U, kAuditArch},
    {"AUDIT_ARCH_S390X", 0x80000016U, kAuditArch},
    // poll bits (asm-generic/poll.h), in bit order: PollBitsName relies on it.
    {"POLLIN", 0x0001, kPoll},
    {"POLLPRI", 0x0002, kPoll},
    {"POLLOUT", 0x0004, kPoll},
    {"POLLERR", 0x0008, kPoll},
    {"POLLHUP", 0x0010, kPoll},
    {"POLLNVAL", 0x0020, kPoll},
    {"POLLRDNORM", 0x0040, kPoll},
    {"POLLRDBAND", 0x0080, kPoll},
    {"POLLWRNORM", 0x0100, kPoll},
    {"POLLWRBAND", 0x0200, kPoll},
    {"POLLMSG", 0x0400, kPoll},
    {"POLLREMOVE", 0x1000, kPoll},
    {"POLLRDHUP", 0x2000, kPoll},
    // prctl options.
    {"PR_SET_PDEATHSIG", 1, kPrctl},
    {"PR_GET_PDEATHSIG", 2, kPrctl},
    {"PR_GET_DUMPABLE", 3, kPrctl},
    {"PR_SET_DUMPABLE", 4, kPrctl},
    {"PR_GET_KEEPCAPS", 7, kPrctl},
    {"PR_SET_KEEPCAPS", 8, kPrctl},
    {"PR_SET_NAME", 15, kPrctl},
    {"PR_GET_NAME", 16, kPrctl},
    {"PR_GET_SECCOMP", 21, kPrctl},
    {"PR_SET_SECCOMP", 22, kPrctl},
    {"PR_CAPBSET_READ", 23, kPrctl},
    {"PR_SET_NO_NEW_PRIVS", 38, kPrctl},
    {"PR_GET_NO_NEW_PRIVS", 39, kPrctl},
    // clone flags.
    {"CLONE_NEWTIME", 0x00000080, kClone},
    {"CLONE_VM", 0x00000100, kClone},
    {"CLONE_FS", 0x00000200, kClone},
    {"CLONE_FILES", 0x00000400, kClone},
    {"CLONE_SIGHAND", 0x00000800, kClone},
    {"CLONE_PIDFD", 0x00001000, kClone},
    {"CLONE_PTRACE", 0x00002000, kClone},
    {"CLONE_VFORK", 0x00004000, kClone},
    {"CLONE_PARENT", 0x00008000, kClone},
    {"CLONE_THREAD", 0x00010000, kClone},
    {"CLONE_NEWNS", 0x00020000, kClone},
    {"CLONE_SYSVSEM", 0x00040000, kClone},
    {"CLONE_SETTLS", 0x00080000, kClone},
    {"CLONE_PARENT_SETTID", 0x00100000, kClone},
    {"CLONE_CHILD_CLEARTID", 0x00200000, kClone},
    {"CLONE_DETACHED", 0x00400000, kClone},
    {"CLONE_UNTRACED", 0x00800000, kClone},
    {"CLONE_CHILD_SETTID", 0x01000000, kClone},
    {"CLONE_NEWCGROUP", 0x02000000, kClone},
    {"CLONE_NEWUTS", 0x04000000, kClone},
    {"CLONE_NEWIPC", 0x08000000, kClone},
    {"CLONE_NEWUSER", 0x10000000, kClone},
    {"CLONE_NEWPID", 0x20000000, kClone},
    {"CLONE_NEWNET", 0x40000000, kClone},
    {"CLONE_IO", 0x80000000U, kClone},
    {"CLONE_CLEAR_SIGHAND", 0x100000000ULL, kClone},
    {"CLONE_INTO_CGROUP", 0x200000000ULL, kClone},
    // Published sizes of the extensible structs.
    {"OPEN_HOW_SIZE_VER0", 24, kStructSize},
    {"CLONE_ARGS_SIZE_VER0", 64, kStructSize},
    {"CLONE_ARGS_SIZE_VER1", 80, kStructSize},
    {"CLONE_ARGS_SIZE_VER2", 88, kStructSize},
};

// The prefixes a seccomp constant may be written without (longest first, so that
// the shortest remaining name is tried last; every match counts anyway).
constexpr std::array<std::string_view, 5> kSeccompPrefixes = {
    "SECCOMP_FILTER_FLAG_", "SECCOMP_USER_NOTIF_", "SECCOMP_ADDFD_FLAG_", "SECCOMP_RET_",
    "SECCOMP_"};

// Extra spellings SCENARIO_LANGUAGE.md uses.
struct Alias {
  std::string_view alias;
  std::string_view name;
};
constexpr Alias kAliases[] = {{"SYNC_WAKE_UP", "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP"}};

const Entry* FindEntry(std::string_view full_name) {
  for (const Entry& e : kTable) {
    if (e.name == full_name) {
      return &e;
    }
  }
  return nullptr;
}

Constant ToConstant(const Entry& e) { return Constant{std::string(e.name), e.value, e.kind}; }

bool IsSeccompKind(ConstantKind kind) {
  switch (kind) {
    case kSeccompOp:
    case kSeccompMode:
    case kFilterFlag:
    case kRetAction:
    case kNotifFlag:
    case kAddfdFlag:
    case kIoctl:
      return true;
    default:
      return false;
  }
}

// SeccompCandidates collects every seccomp entry that `name` spells, with or
// without one of the prefixes (once per entry).
std::vector<const Entry*> SeccompCandidates(std::string_view name) {
  std::vector<const Entry*> found;
  for (const Entry& e : kTable) {
    if (!IsSeccompKind(e.kind)) {
      continue;
    }
    bool match = e.name == name;
    for (std::string_view prefix : kSeccompPrefixes) {
      if (match) {
        break;
      }
      match = e.name.size() > prefix.size() && e.name.substr(0, prefix.size()) == prefix &&
              e.name.substr(prefix.size()) == name;
    }
    if (match) {
      found.push_back(&e);
    }
  }
  for (const Alias& a : kAliases) {
    if (a.alias == name) {
      found.push_back(FindEntry(a.name));
    }
  }
  return found;
}

ConstantMatch Found(Constant c) {
  ConstantMatch m;
  m.status = ConstantMatch::Status::kFound;
  m.constant = std::move(c);
  return m;
}

}  // namespace

ConstantMatch LookupConstant(std::string_view name, ConstantHint hint) {
  if (auto err = model::ErrnoFromName(name)) {
    return Found(Constant{std::string(name), static_cast<uint64_t>(err->value), kErrno});
  }
  if (name.size() > 3 && name.substr(0, 3) == "SIG") {
    if (const model::SignalInfo* sig = model::FindSignal(name)) {
      return Found(Constant{std::string(sig->name), static_cast<uint64_t>(sig->number), kSignal});
    }
  }
  std::vector<const Entry*> seccomp = SeccompCandidates(name);
  if (seccomp.size() > 1) {
    if (hint != ConstantHint::kNone) {
      const ConstantKind wanted = hint == ConstantHint::kFilterFlags ? kFilterFlag : kRetAction;
      for (const Entry* e : seccomp) {
        if (e->kind == wanted) {
          return Found(ToConstant(*e));
        }
      }
    }
    ConstantMatch m;
    m.status = ConstantMatch::Status::kAmbiguous;
    for (const Entry* e : seccomp) {
      m.candidates.push_back(ToConstant(*e));
    }
    return m;
  }
  if (seccomp.size() == 1) {
    return Found(ToConstant(*seccomp[0]));
  }
  if (const Entry* e = FindEntry(name)) {
    return Found(ToConstant(*e));
  }
  const int nr = SyscallNumber(name);
  if (nr >= 0) {
    return Found(Constant{std::string(name), static_cast<uint64_t>(nr), kSyscall});
  }
  return {};
}

bool IsConstantName(std::string_view name) {
  return LookupConstant(name).status != ConstantMatch::Status::kUnknown;
}

int SyscallNumber(std::string_view name) {
  // libseccomp wants a C string; syscall names are short identifiers.
  if (name.empty() || name.size() > 64) {
    return -1;
  }
  const std::string text(name);
  const int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, text.c_str());
  // Negative results are libseccomp's pseudo-numbers for syscalls x86_64 lacks.
  return nr >= 0 ? nr : -1;
}

std::string SyscallName(int64_t nr) {
  if (nr < 0 || nr > 0x7fffffff) {
    return {};
  }
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, static_cast<int>(nr));
  if (name == nullptr) {
    return {};
  }
  std::string result(name);
  std::free(name);  // NOLINT(cppcoreguidelines-no-malloc): libseccomp's allocation
  return result;
}

std::string ArchName(uint64_t arch) {
  for (const Entry& e : kTable) {
    if (e.kind == kAuditArch && e.value == arch) {
      return std::string(e.name);
    }
  }
  return {};
}

std::string SignalName(int64_t sig) {
  if (sig < 1 || sig > model::kNumSignals) {
    return {};
  }
  return std::string(model::FindSignal(static_cast<int>(sig))->name);
}

std::string ErrnoName(int64_t err) {
  if (err <= 0 || err > 0xffff) {
    return {};
  }
  return std::string(model::ErrnoName(model::Errno{static_cast<int>(err)}));
}

std::string PollBitsName(uint64_t bits) {
  if (bits == 0) {
    return "0";
  }
  std::string out;
  uint64_t rest = bits;
  for (const Entry& e : kTable) {
    if (e.kind != kPoll || (bits & e.value) == 0) {
      continue;
    }
    if (!out.empty()) {
      out += '|';
    }
    out += e.name;
    rest &= ~e.value;
  }
  if (rest != 0) {
    if (!out.empty()) {
      out += '|';
    }
    char hex[24];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(rest));
    out += hex;
  }
  return out;
}

}  // namespace sclab::scn
