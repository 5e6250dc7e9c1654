// The one translation unit that consults the host's kernel headers: it asserts, at
// compile time, that the mirror structs of model/uapi.h and the flag constants of
// model/open_how.h and model/clone_args.h match <linux/...> (Debian 12 ships the
// 6.1 uapi headers; these structs and values have not changed since). Everything
// else in model/ stays independent of the host. <signal.h> comes first on purpose:
// model/uapi.h must survive its si_* macros.
#include <linux/fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/stat.h>
#include <signal.h>

#include <cstddef>

#include "model/clone_args.h"
#include "model/open_how.h"
#include "model/uapi.h"

namespace sclab::model {
namespace {

// SCLAB_SAME_FIELD asserts that field F of mirror M and host H agree in offset and size.
#define SCLAB_SAME_FIELD(M, H, F)                                        \
  static_assert(offsetof(M, F) == offsetof(H, F), #M "." #F ": offset"); \
  static_assert(sizeof(M::F) == sizeof(H::F), #M "." #F ": size")

static_assert(sizeof(seccomp_data) == sizeof(::seccomp_data));
SCLAB_SAME_FIELD(seccomp_data, ::seccomp_data, nr);
SCLAB_SAME_FIELD(seccomp_data, ::seccomp_data, arch);
SCLAB_SAME_FIELD(seccomp_data, ::seccomp_data, instruction_pointer);
SCLAB_SAME_FIELD(seccomp_data, ::seccomp_data, args);

static_assert(sizeof(seccomp_notif) == sizeof(::seccomp_notif));
SCLAB_SAME_FIELD(seccomp_notif, ::seccomp_notif, id);
SCLAB_SAME_FIELD(seccomp_notif, ::seccomp_notif, pid);
SCLAB_SAME_FIELD(seccomp_notif, ::seccomp_notif, flags);
SCLAB_SAME_FIELD(seccomp_notif, ::seccomp_notif, data);

static_assert(sizeof(seccomp_notif_resp) == sizeof(::seccomp_notif_resp));
SCLAB_SAME_FIELD(seccomp_notif_resp, ::seccomp_notif_resp, id);
SCLAB_SAME_FIELD(seccomp_notif_resp, ::seccomp_notif_resp, val);
SCLAB_SAME_FIELD(seccomp_notif_resp, ::seccomp_notif_resp, error);
SCLAB_SAME_FIELD(seccomp_notif_resp, ::seccomp_notif_resp, flags);

static_assert(sizeof(seccomp_notif_sizes) == sizeof(::seccomp_notif_sizes));
SCLAB_SAME_FIELD(seccomp_notif_sizes, ::seccomp_notif_sizes, seccomp_notif);
SCLAB_SAME_FIELD(seccomp_notif_sizes, ::seccomp_notif_sizes, seccomp_notif_resp);
SCLAB_SAME_FIELD(seccomp_notif_sizes, ::seccomp_notif_sizes, seccomp_data);

static_assert(sizeof(seccomp_notif_addfd) == sizeof(::seccomp_notif_addfd));
SCLAB_SAME_FIELD(seccomp_notif_addfd, ::seccomp_notif_addfd, id);
SCLAB_SAME_FIELD(seccomp_notif_addfd, ::seccomp_notif_addfd, flags);
SCLAB_SAME_FIELD(seccomp_notif_addfd, ::seccomp_notif_addfd, srcfd);
SCLAB_SAME_FIELD(seccomp_notif_addfd, ::seccomp_notif_addfd, newfd);
SCLAB_SAME_FIELD(seccomp_notif_addfd, ::seccomp_notif_addfd, newfd_flags);

static_assert(sizeof(open_how) == sizeof(::open_how));
SCLAB_SAME_FIELD(open_how, ::open_how, flags);
SCLAB_SAME_FIELD(open_how, ::open_how, mode);
SCLAB_SAME_FIELD(open_how, ::open_how, resolve);

static_assert(sizeof(clone_args) == sizeof(::clone_args));
SCLAB_SAME_FIELD(clone_args, ::clone_args, flags);
SCLAB_SAME_FIELD(clone_args, ::clone_args, pidfd);
SCLAB_SAME_FIELD(clone_args, ::clone_args, child_tid);
SCLAB_SAME_FIELD(clone_args, ::clone_args, parent_tid);
SCLAB_SAME_FIELD(clone_args, ::clone_args, exit_signal);
SCLAB_SAME_FIELD(clone_args, ::clone_args, stack);
SCLAB_SAME_FIELD(clone_args, ::clone_args, stack_size);
SCLAB_SAME_FIELD(clone_args, ::clone_args, tls);
SCLAB_SAME_FIELD(clone_args, ::clone_args, set_tid);
SCLAB_SAME_FIELD(clone_args, ::clone_args, set_tid_size);
SCLAB_SAME_FIELD(clone_args, ::clone_args, cgroup);
static_assert(alignof(clone_args) == alignof(::clone_args));
static_assert(kCloneArgsSizeVer0 == CLONE_ARGS_SIZE_VER0);
static_assert(kCloneArgsSizeVer1 == CLONE_ARGS_SIZE_VER1);
static_assert(kCloneArgsSizeVer2 == CLONE_ARGS_SIZE_VER2);
static_assert(offsetof(clone_args, tls) + sizeof(uint64_t) == CLONE_ARGS_SIZE_VER0);
static_assert(offsetof(clone_args, set_tid_size) + sizeof(uint64_t) == CLONE_ARGS_SIZE_VER1);
static_assert(offsetof(clone_args, cgroup) + sizeof(uint64_t) == CLONE_ARGS_SIZE_VER2);

static_assert(sizeof(sock_filter) == sizeof(::sock_filter));
SCLAB_SAME_FIELD(sock_filter, ::sock_filter, code);
SCLAB_SAME_FIELD(sock_filter, ::sock_filter, jt);
SCLAB_SAME_FIELD(sock_filter, ::sock_filter, jf);
SCLAB_SAME_FIELD(sock_filter, ::sock_filter, k);

static_assert(sizeof(sock_fprog) == sizeof(::sock_fprog));
SCLAB_SAME_FIELD(sock_fprog, ::sock_fprog, len);
SCLAB_SAME_FIELD(sock_fprog, ::sock_fprog, filter);  // NOLINT(bugprone-sizeof-expression)

// glibc's accessor macros name the SIGSYS fields of siginfo_t.
static_assert(sizeof(siginfo_sigsys) == sizeof(siginfo_t));
static_assert(offsetof(siginfo_sigsys, si_signo) == offsetof(siginfo_t, si_signo));
static_assert(offsetof(siginfo_sigsys, si_errno) == offsetof(siginfo_t, si_errno));
static_assert(offsetof(siginfo_sigsys, si_code) == offsetof(siginfo_t, si_code));
static_assert(offsetof(siginfo_sigsys, _call_addr) == offsetof(siginfo_t, si_call_addr));
static_assert(offsetof(siginfo_sigsys, _syscall) == offsetof(siginfo_t, si_syscall));
static_assert(offsetof(siginfo_sigsys, _arch) == offsetof(siginfo_t, si_arch));

#undef SCLAB_SAME_FIELD

// Flag values against the kernel's uapi numbering.
static_assert(kOAccmode == O_ACCMODE && kORdonly == O_RDONLY && kOWronly == O_WRONLY &&
              kORdwr == O_RDWR);
static_assert(kOCreat == O_CREAT && kOExcl == O_EXCL && kONoctty == O_NOCTTY &&
              kOTrunc == O_TRUNC && kOAppend == O_APPEND && kONonblock == O_NONBLOCK);
static_assert(kODsync == O_DSYNC && kFasync == FASYNC && kODirect == O_DIRECT &&
              kOLargefile == O_LARGEFILE && kODirectory == O_DIRECTORY &&
              kONofollow == O_NOFOLLOW && kONoatime == O_NOATIME && kOCloexec == O_CLOEXEC);
static_assert(kOSyncBit == __O_SYNC && kOSync == O_SYNC && kOPath == O_PATH &&
              kOTmpfileBit == __O_TMPFILE && kOTmpfile == O_TMPFILE);
static_assert(kResolveNoXdev == RESOLVE_NO_XDEV && kResolveNoMagiclinks == RESOLVE_NO_MAGICLINKS &&
              kResolveNoSymlinks == RESOLVE_NO_SYMLINKS && kResolveBeneath == RESOLVE_BENEATH &&
              kResolveInRoot == RESOLVE_IN_ROOT && kResolveCached == RESOLVE_CACHED);
static_assert(kSIallugo == (S_ISUID | S_ISGID | S_ISVTX | S_IRWXU | S_IRWXG | S_IRWXO));
static_assert(kSIfreg == S_IFREG);

static_assert(kCsignal == CSIGNAL && kCloneNewtime == CLONE_NEWTIME && kCloneVm == CLONE_VM &&
              kCloneSighand == CLONE_SIGHAND && kCloneParent == CLONE_PARENT &&
              kCloneThread == CLONE_THREAD && kCloneDetached == CLONE_DETACHED);
static_assert(kCloneClearSighand == CLONE_CLEAR_SIGHAND && kCloneIntoCgroup == CLONE_INTO_CGROUP);

}  // namespace
}  // namespace sclab::model
