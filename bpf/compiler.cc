#include "bpf/compiler.h"

#include <fmt/format.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "bpf/program_io.h"

namespace sclab::bpf {
namespace {

// The few errno values libseccomp returns, by name (the project's errno table lives
// in model/, which bpf/ may not use).
std::string ErrName(int err) {
  switch (err) {
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EEXIST: return "EEXIST";
    case ENOMEM: return "ENOMEM";
    case EDOM: return "EDOM";
    case EFAULT: return "EFAULT";
    case ECANCELED: return "ECANCELED";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ESRCH: return "ESRCH";
    default: return fmt::format("errno {}", err);
  }
}

scmp_compare ToScmp(ArgCmp::Op op) {
  switch (op) {
    case ArgCmp::Op::kEq: return SCMP_CMP_EQ;
    case ArgCmp::Op::kNe: return SCMP_CMP_NE;
    case ArgCmp::Op::kLt: return SCMP_CMP_LT;
    case ArgCmp::Op::kLe: return SCMP_CMP_LE;
    case ArgCmp::Op::kGt: return SCMP_CMP_GT;
    case ArgCmp::Op::kGe: return SCMP_CMP_GE;
    case ArgCmp::Op::kMaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return _SCMP_CMP_MIN;
}

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) {
      close(fd);
    }
  }
};

Err<std::string> Fail(std::string message) { return Err<std::string>{std::move(message)}; }

}  // namespace

Outcome<std::vector<Insn>, std::string> Compile(const RuleList& rules) {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(rules.default_action));
  if (!ctx) {
    return Fail(fmt::format("libseccomp refused the default action 0x{:08x}",
                            rules.default_action));
  }
  // Nothing is loaded, but make sure nothing would touch the process either.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0) {
    return Fail(fmt::format("libseccomp: cannot turn off NNP handling ({})", ErrName(-rc)));
  }
  if (seccomp_arch_exist(ctx.get(), SCMP_ARCH_X86_64) != 0) {
    if (int rc = seccomp_arch_add(ctx.get(), SCMP_ARCH_X86_64); rc < 0) {
      return Fail(fmt::format("libseccomp: cannot add x86_64 ({})", ErrName(-rc)));
    }
    if (int rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE); rc < 0) {
      return Fail(fmt::format("libseccomp: cannot remove the native arch ({})", ErrName(-rc)));
    }
  }
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    const Rule& rule = rules.rules[i];
    std::vector<scmp_arg_cmp> cmps;
    for (const ArgCmp& c : rule.conds) {
      scmp_arg_cmp cmp{};
      cmp.arg = c.arg;
      cmp.op = ToScmp(c.op);
      if (c.op == ArgCmp::Op::kMaskedEq) {
        cmp.datum_a = c.mask;
        cmp.datum_b = c.value;
      } else {
        cmp.datum_a = c.value;
      }
      cmps.push_back(cmp);
    }
    const int rc = seccomp_rule_add_array(ctx.get(), rule.action, rule.nr,
                                          static_cast<unsigned>(cmps.size()), cmps.data());
    if (rc < 0) {
      std::string why;
      if (rc == -EACCES && rule.action == rules.default_action) {
        why = ": its action equals the default action";
      }
      return Fail(fmt::format("libseccomp refused rule {} (syscall {}, action 0x{:08x}){} ({})",
                              i + 1, rule.nr, rule.action, why, ErrName(-rc)));
    }
  }
  FdCloser fd{memfd_create("sclab-bpf", MFD_CLOEXEC)};
  if (fd.fd < 0) {
    return Fail(fmt::format("memfd_create failed ({})", ErrName(errno)));
  }
  if (int rc = seccomp_export_bpf(ctx.get(), fd.fd); rc < 0) {
    return Fail(fmt::format("seccomp_export_bpf failed ({})", ErrName(-rc)));
  }
  if (lseek(fd.fd, 0, SEEK_SET) != 0) {
    return Fail(fmt::format("lseek on the memfd failed ({})", ErrName(errno)));
  }
  std::vector<uint8_t> bytes;
  uint8_t buffer[4096];
  for (;;) {
    const ssize_t n = read(fd.fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Fail(fmt::format("reading the memfd failed ({})", ErrName(errno)));
    }
    if (n == 0) {
      break;
    }
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  auto program = DecodeProgram(bytes);
  if (!program) {
    return Fail("libseccomp exported a truncated program: " + program.error());
  }
  return std::move(program).value();
}

}  // namespace sclab::bpf
