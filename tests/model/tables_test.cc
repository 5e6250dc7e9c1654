// The project's own errno, signal and syscall tables, checked against the host's
// headers (the one place the host's numbering is consulted).
#include <sys/syscall.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <csignal>

#include "model/errno.h"
#include "model/signals.h"
#include "model/syscall_table.h"

namespace sclab::model {
namespace {

BOOST_AUTO_TEST_SUITE(model_tables)

BOOST_AUTO_TEST_CASE(errno_table_matches_host_numbers_and_names) {
// The kernel-internal codes are not in the host's <errno.h>; give them their
// include/linux/errno.h values so the comparison below covers them too.
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515
#define ERESTART_RESTARTBLOCK 516
#define ENOTSUPP 524
  // One row per entry, checked in a loop: 400 separate BOOST_TESTs cost this file
  // half a minute of compile time.
  struct Row {
    const char* name;
    int ours;
    int host;
  };
#define SCLAB_HOST_ERRNO_ROW(name, number) Row{#name, number, name},
  const Row rows[] = {SCLAB_ERRNO_LIST(SCLAB_HOST_ERRNO_ROW)};
#undef SCLAB_HOST_ERRNO_ROW
  for (const Row& row : rows) {
    BOOST_TEST(row.ours == row.host, row.name);
    BOOST_TEST(ErrnoName(Errno{row.ours}) == row.name);
    const auto parsed = ErrnoFromName(row.name);
    BOOST_TEST_REQUIRE(parsed.has_value(), row.name);
    BOOST_TEST(parsed->value == row.ours, row.name);
  }
  BOOST_TEST(ErrnoFromName("EWOULDBLOCK")->value == EAGAIN);
  BOOST_TEST(ErrnoFromName("ENOTSUP")->value == EOPNOTSUPP);
  BOOST_TEST(!ErrnoFromName("EBOGUS").has_value());
  BOOST_TEST(ErrnoName(Errno{4000}).empty());
  BOOST_TEST(kERESTARTSYS.value == 512);
  BOOST_TEST(IsInternalErrno(kERESTARTSYS));
  BOOST_TEST(!IsInternalErrno(kEINVAL));
}

BOOST_AUTO_TEST_CASE(signal_table_matches_host) {
  BOOST_TEST(Signals().size() == 31u);
  BOOST_TEST(FindSignal("SIGSYS")->number == SIGSYS);
  BOOST_TEST(FindSignal("USR1")->number == SIGUSR1);
  BOOST_TEST(FindSignal(SIGCHLD)->name == "SIGCHLD");
  BOOST_TEST((FindSignal(SIGCHLD)->default_action == SigDefault::kIgn));
  BOOST_TEST((FindSignal(SIGSYS)->default_action == SigDefault::kCore));
  BOOST_TEST((FindSignal(SIGSTOP)->default_action == SigDefault::kStop));
  BOOST_TEST(FindSignal(0) == nullptr);
  BOOST_TEST(FindSignal(32) == nullptr);
  for (const SignalInfo& s : Signals()) BOOST_TEST(FindSignal(s.number) == &s);
}

BOOST_AUTO_TEST_CASE(modelled_syscalls_have_host_numbers) {
  BOOST_TEST(FindModelledSyscall("getppid")->nr == SYS_getppid);
  BOOST_TEST(FindModelledSyscall("openat2")->nr == SYS_openat2);
  BOOST_TEST(FindModelledSyscall("seccomp")->nr == SYS_seccomp);
  BOOST_TEST(FindModelledSyscall("recvmsg")->nr == SYS_recvmsg);
  BOOST_TEST(FindModelledSyscall("clone")->nr == SYS_clone);
  BOOST_TEST(FindModelledSyscall("rt_sigreturn")->nr == SYS_rt_sigreturn);
  BOOST_TEST(FindModelledSyscall(SYS_tgkill)->name == "tgkill");
  BOOST_TEST(FindModelledSyscall("mmap") == nullptr);
  int prev = -1;
  for (const SyscallInfo& s : ModelledSyscalls()) {
    BOOST_TEST(s.nr > prev);
    prev = s.nr;
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model
