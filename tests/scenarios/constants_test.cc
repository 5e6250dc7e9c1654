// The constants table: every spelling the language accepts, the one ambiguity and
// how a hint settles it, and the values checked against the host's uapi headers.
#include "scenarios/constants.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <boost/test/unit_test.hpp>

namespace sclab::scn {
namespace {

uint64_t Value(std::string_view name, ConstantHint hint = ConstantHint::kNone) {
  const ConstantMatch m = LookupConstant(name, hint);
  BOOST_TEST_REQUIRE((m.status == ConstantMatch::Status::kFound), name);
  return m.constant.value;
}

BOOST_AUTO_TEST_SUITE(scn_constants)

BOOST_AUTO_TEST_CASE(errno_and_signal_names_resolve_through_the_model_tables) {
  BOOST_TEST(Value("EPERM") == 1u);
  BOOST_TEST(Value("ENOSYS") == 38u);
  BOOST_TEST(Value("SIGSYS") == 31u);
  BOOST_TEST(Value("SIGUSR1") == 10u);
  BOOST_TEST((LookupConstant("EPERM").constant.kind == ConstantKind::kErrno));
  BOOST_TEST((LookupConstant("SIGKILL").constant.kind == ConstantKind::kSignal));
}

BOOST_AUTO_TEST_CASE(signal_names_need_their_sig_prefix) {
  BOOST_TEST((LookupConstant("USR1").status == ConstantMatch::Status::kUnknown));
  BOOST_TEST((LookupConstant("SIG").status == ConstantMatch::Status::kUnknown));
}

BOOST_AUTO_TEST_CASE(seccomp_constants_resolve_with_or_without_their_prefixes) {
  BOOST_TEST(Value("SECCOMP_FILTER_FLAG_NEW_LISTENER") ==
             uint64_t{SECCOMP_FILTER_FLAG_NEW_LISTENER});
  BOOST_TEST(Value("FILTER_FLAG_NEW_LISTENER") == 8u);
  BOOST_TEST(Value("NEW_LISTENER") == 8u);
  BOOST_TEST(Value("TSYNC") == 1u);
  BOOST_TEST(Value("TSYNC_ESRCH") == 16u);
  BOOST_TEST(Value("WAIT_KILLABLE_RECV") == 32u);
  BOOST_TEST(Value("SECCOMP_RET_ALLOW") == uint64_t{SECCOMP_RET_ALLOW});
  BOOST_TEST(Value("RET_ALLOW") == 0x7fff0000u);
  BOOST_TEST(Value("ALLOW") == 0x7fff0000u);
  BOOST_TEST(Value("KILL_PROCESS") == uint64_t{SECCOMP_RET_KILL_PROCESS});
  BOOST_TEST(Value("USER_NOTIF") == uint64_t{SECCOMP_RET_USER_NOTIF});
  BOOST_TEST(Value("ERRNO") == uint64_t{SECCOMP_RET_ERRNO});
  BOOST_TEST(Value("SET_MODE_FILTER") == uint64_t{SECCOMP_SET_MODE_FILTER});
  BOOST_TEST(Value("GET_NOTIF_SIZES") == uint64_t{SECCOMP_GET_NOTIF_SIZES});
  BOOST_TEST(Value("MODE_FILTER") == uint64_t{SECCOMP_MODE_FILTER});
  BOOST_TEST(Value("SECCOMP_USER_NOTIF_FLAG_CONTINUE") ==
             uint64_t{SECCOMP_USER_NOTIF_FLAG_CONTINUE});
  BOOST_TEST(Value("FLAG_CONTINUE") == 1u);
  BOOST_TEST(Value("FD_SYNC_WAKE_UP") == 1u);
  BOOST_TEST(Value("SYNC_WAKE_UP") == 1u);
  BOOST_TEST(Value("SETFD") == uint64_t{SECCOMP_ADDFD_FLAG_SETFD});
  BOOST_TEST(Value("SEND") == uint64_t{SECCOMP_ADDFD_FLAG_SEND});
  BOOST_TEST(Value("SECCOMP_IOCTL_NOTIF_RECV") == static_cast<uint64_t>(SECCOMP_IOCTL_NOTIF_RECV));
  BOOST_TEST(Value("IOCTL_NOTIF_SEND") == static_cast<uint64_t>(SECCOMP_IOCTL_NOTIF_SEND));
  BOOST_TEST(Value("IOCTL_NOTIF_ID_VALID") == static_cast<uint64_t>(SECCOMP_IOCTL_NOTIF_ID_VALID));
  BOOST_TEST(Value("IOCTL_NOTIF_ADDFD") == static_cast<uint64_t>(SECCOMP_IOCTL_NOTIF_ADDFD));
  BOOST_TEST(Value("IOCTL_NOTIF_SET_FLAGS") == 0x40082104u);  // newer than the host header
}

BOOST_AUTO_TEST_CASE(unprefixed_log_is_ambiguous_until_a_hint_settles_it) {
  const ConstantMatch m = LookupConstant("LOG");
  BOOST_TEST((m.status == ConstantMatch::Status::kAmbiguous));
  BOOST_TEST(m.candidates.size() == 2u);
  BOOST_TEST(Value("LOG", ConstantHint::kFilterFlags) == uint64_t{SECCOMP_FILTER_FLAG_LOG});
  BOOST_TEST(Value("LOG", ConstantHint::kAction) == uint64_t{SECCOMP_RET_LOG});
  BOOST_TEST(Value("SECCOMP_RET_LOG") == 0x7ffc0000u);
  BOOST_TEST(Value("FILTER_FLAG_LOG") == 2u);
}

BOOST_AUTO_TEST_CASE(file_poll_prctl_clone_and_arch_constants_match_the_host) {
  BOOST_TEST(Value("O_RDONLY") == uint64_t{O_RDONLY});
  BOOST_TEST(Value("O_CREAT") == uint64_t{O_CREAT});
  BOOST_TEST(Value("O_CLOEXEC") == uint64_t{O_CLOEXEC});
  BOOST_TEST(Value("O_DIRECTORY") == uint64_t{O_DIRECTORY});
  BOOST_TEST(Value("O_PATH") == uint64_t{O_PATH});
  BOOST_TEST(Value("O_TMPFILE") == uint64_t{O_TMPFILE});
  BOOST_TEST(Value("O_SYNC") == uint64_t{O_SYNC});
  BOOST_TEST(Value("O_NONBLOCK") == uint64_t{O_NONBLOCK});
  BOOST_TEST(Value("AT_FDCWD") == static_cast<uint64_t>(int64_t{AT_FDCWD}));
  BOOST_TEST(Value("POLLIN") == uint64_t{POLLIN});
  BOOST_TEST(Value("POLLOUT") == uint64_t{POLLOUT});
  BOOST_TEST(Value("POLLHUP") == uint64_t{POLLHUP});
  BOOST_TEST(Value("POLLRDNORM") == uint64_t{POLLRDNORM});
  BOOST_TEST(Value("POLLWRNORM") == uint64_t{POLLWRNORM});
  BOOST_TEST(Value("POLLRDHUP") == uint64_t{POLLRDHUP});
  BOOST_TEST(Value("PR_SET_NO_NEW_PRIVS") == uint64_t{PR_SET_NO_NEW_PRIVS});
  BOOST_TEST(Value("PR_GET_SECCOMP") == uint64_t{PR_GET_SECCOMP});
  BOOST_TEST(Value("PR_SET_SECCOMP") == uint64_t{PR_SET_SECCOMP});
  BOOST_TEST(Value("CLONE_THREAD") == uint64_t{CLONE_THREAD});
  BOOST_TEST(Value("CLONE_VM") == uint64_t{CLONE_VM});
  BOOST_TEST(Value("CLONE_CHILD_CLEARTID") == uint64_t{CLONE_CHILD_CLEARTID});
  BOOST_TEST(Value("CLONE_NEWUSER") == uint64_t{CLONE_NEWUSER});
  BOOST_TEST(Value("AUDIT_ARCH_X86_64") == uint64_t{AUDIT_ARCH_X86_64});
  BOOST_TEST(Value("AUDIT_ARCH_I386") == uint64_t{AUDIT_ARCH_I386});
  BOOST_TEST(Value("AUDIT_ARCH_AARCH64") == uint64_t{AUDIT_ARCH_AARCH64});
  BOOST_TEST(Value("OPEN_HOW_SIZE_VER0") == 24u);
  BOOST_TEST(Value("CLONE_ARGS_SIZE_VER2") == 88u);
}

BOOST_AUTO_TEST_CASE(any_x86_64_syscall_name_is_its_number) {
  BOOST_TEST(Value("getppid") == uint64_t{SYS_getppid});
  BOOST_TEST(Value("read") == 0u);
  BOOST_TEST(Value("mount") == uint64_t{SYS_mount});  // not modelled, still a number
  BOOST_TEST(Value("seccomp") == uint64_t{SYS_seccomp});
  BOOST_TEST((LookupConstant("getppid").constant.kind == ConstantKind::kSyscall));
  BOOST_TEST(SyscallNumber("nosuchcall") == -1);
  BOOST_TEST((LookupConstant("nosuchcall").status == ConstantMatch::Status::kUnknown));
  // socketcall exists only on 32-bit architectures: libseccomp gives x86_64 a
  // negative pseudo-number, which is no number here.
  BOOST_TEST(SyscallNumber("socketcall") == -1);
}

BOOST_AUTO_TEST_CASE(numbers_print_back_as_names) {
  BOOST_TEST(SyscallName(110) == "getppid");
  BOOST_TEST(SyscallName(317) == "seccomp");
  BOOST_TEST(SyscallName(-1).empty());
  BOOST_TEST(SyscallName(100000).empty());
  BOOST_TEST(ArchName(0xc000003e) == "AUDIT_ARCH_X86_64");
  BOOST_TEST(ArchName(0x40000003) == "AUDIT_ARCH_I386");
  BOOST_TEST(ArchName(7).empty());
  BOOST_TEST(SignalName(31) == "SIGSYS");
  BOOST_TEST(SignalName(0).empty());
  BOOST_TEST(SignalName(32).empty());
  BOOST_TEST(ErrnoName(2) == "ENOENT");
  BOOST_TEST(ErrnoName(4000).empty());
  BOOST_TEST(PollBitsName(0) == "0");
  BOOST_TEST(PollBitsName(0x1) == "POLLIN");
  BOOST_TEST(PollBitsName(0x41) == "POLLIN|POLLRDNORM");
  BOOST_TEST(PollBitsName(0x14) == "POLLOUT|POLLHUP");
  BOOST_TEST(PollBitsName(0x10001) == "POLLIN|0x10000");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
