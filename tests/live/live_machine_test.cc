// live_machine: a fresh agent's promised state, syscalls through the command page,
// the buffer slot layout, Info(), refusals and budgets.
#include "live/live_machine.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>

#include "live/proc_reader.h"
#include "tests/live/live_test_util.h"

namespace sclab::live {
namespace {

using namespace testing;
namespace utf = boost::unit_test;
using scn::RawOutcome;

std::string FdTarget(int pid, int fd) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd),
                                       ec)
      .string();
}

std::vector<int> OpenFds(int pid) {
  std::vector<int> fds;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    fds.push_back(std::stoi(entry.path().filename().string()));
  }
  std::sort(fds.begin(), fds.end());
  return fds;
}

BOOST_AUTO_TEST_SUITE(live_machine)

BOOST_AUTO_TEST_CASE(fresh_agent_has_the_promised_state, *utf::precondition(NeedsRoot)) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  const int pid = static_cast<int>(m.Pid(a));
  BOOST_TEST(m.Tid(a) == m.Pid(a));

  // Own session and process group.
  const auto stat = ReadProcStat(pid);
  BOOST_REQUIRE(stat.has_value());
  BOOST_TEST(stat->pgrp == pid);
  BOOST_TEST(stat->session == pid);
  BOOST_TEST(stat->ppid == getpid());

  // fds 0-2 on /dev/null, the channel at 1023, nothing else.
  BOOST_TEST(OpenFds(pid) == (std::vector<int>{0, 1, 2, 1023}), boost::test_tools::per_element());
  for (int fd = 0; fd < 3; ++fd) {
    BOOST_TEST(FdTarget(pid, fd) == "/dev/null");
  }
  BOOST_TEST(FdTarget(pid, 1023).rfind("socket:", 0) == 0);

  // uid/gid 65534, no capabilities, no groups, no filters, NNP off.
  const auto status = ReadTaskStatus(pid, pid);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(status->uid == 65534);
  BOOST_TEST(status->gid == 65534);
  BOOST_TEST(status->cap_effective == 0u);
  BOOST_TEST(status->seccomp_mode == 0);
  BOOST_TEST(status->seccomp_filters == 0);
  BOOST_TEST(status->no_new_privs == 0);
  const std::string full = ReadText("/proc/" + std::to_string(pid) + "/status");
  BOOST_TEST(full.find("Groups:\t \n") != std::string::npos);
  BOOST_TEST(full.find("CapPrm:\t0000000000000000") != std::string::npos);
  BOOST_TEST(full.find("CapInh:\t0000000000000000") != std::string::npos);

  // Dumpable: /proc/PID files belong to the task's uid only then; and prctl says so.
  struct stat st {};
  BOOST_REQUIRE(::stat(("/proc/" + std::to_string(pid) + "/status").c_str(), &st) == 0);
  BOOST_TEST(st.st_uid == 65534u);
  BOOST_TEST(d.Call(a, SYS_prctl, {PR_GET_DUMPABLE, 0, 0, 0, 0, 0}) == 1);

  // RLIMIT_CORE 0, RLIMIT_NOFILE 1024 (the simulator's), PDEATHSIG = SIGKILL.
  const std::string limits = ReadText("/proc/" + std::to_string(pid) + "/limits");
  BOOST_TEST(limits.find("Max core file size        0                    0") != std::string::npos);
  BOOST_TEST(limits.find("Max open files            1024                 1024") !=
             std::string::npos);
  const uint64_t sig = m.AllocBuffer(a, 4);
  BOOST_TEST(d.Call(a, SYS_prctl, {2 /*PR_GET_PDEATHSIG*/, sig, 0, 0, 0, 0}) == 0);
  BOOST_TEST(m.ReadMemory(a, sig, 4) == (std::vector<uint8_t>{9, 0, 0, 0}),
             boost::test_tools::per_element());

  // cwd = $scratch, 17 characters, 0777.
  BOOST_TEST(m.ScratchPath().size() == 17u);
  BOOST_TEST(std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd").string() ==
             m.ScratchPath());
  BOOST_REQUIRE(::stat(m.ScratchPath().c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0777u);

  // Through the agent itself.
  BOOST_TEST(d.Call(a, SYS_getuid) == 65534);
  BOOST_TEST(d.Call(a, SYS_getpgid, {0, 0, 0, 0, 0, 0}) == pid);
  BOOST_TEST(d.Call(a, SYS_prctl, {PR_GET_SECCOMP, 0, 0, 0, 0, 0}) == 0);
}

BOOST_AUTO_TEST_CASE(privileged_agent_is_root_with_every_capability,
                     *utf::precondition(NeedsRoot)) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId root = m.SpawnProcess("root", true);
  const auto status = ReadTaskStatus(static_cast<int>(m.Pid(root)), static_cast<int>(m.Tid(root)));
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(status->uid == 0);
  BOOST_TEST(status->cap_effective == ReadTaskStatus(getpid(), gettid())->cap_effective);
  // CAP_SYS_ADMIN: a filter without NNP.
  BOOST_TEST(d.Install(root, ReturnAlways(SECCOMP_RET_ALLOW)) == 0);
}

BOOST_AUTO_TEST_CASE(ids_come_from_the_agent) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  const scn::TaskId b = m.SpawnProcess("b", false);
  BOOST_TEST(d.Call(a, SYS_getpid) == m.Pid(a));
  BOOST_TEST(d.Call(a, SYS_gettid) == m.Tid(a));
  BOOST_TEST(d.Call(a, SYS_getppid) == m.RunnerPid());
  BOOST_TEST(d.Call(b, SYS_getpid) == m.Pid(b));
  BOOST_TEST(m.Pid(a) != m.Pid(b));
  BOOST_TEST(m.RunnerPid() == getpid());
}

BOOST_AUTO_TEST_CASE(buffers_end_at_the_end_of_their_slot) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  const uint64_t b1 = d.Buffer(a, {1, 2, 3, 4, 5, 6, 7, 8});
  const uint64_t b2 = m.AllocBuffer(a, 8);
  // Slot k starts at base + k * 20 KiB; the buffer ends 16 KiB into it.
  BOOST_TEST(b2 - b1 == 20u * 1024u);
  BOOST_TEST((b1 + 8) % 4096 == 0u);
  BOOST_TEST(m.ReadMemory(a, b1, 8) == (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}),
             boost::test_tools::per_element());
  BOOST_TEST(m.ReadMemory(a, b1 - 16, 16) == std::vector<uint8_t>(16, 0),
             boost::test_tools::per_element());

  const uint64_t path = d.String(a, "/dev/zero");
  const int64_t fd =
      d.Call(a, SYS_openat, {static_cast<uint64_t>(AT_FDCWD), path, O_RDONLY, 0, 0, 0});
  BOOST_TEST(fd == 3);
  // The byte after a buffer is not mapped: a read there faults...
  BOOST_TEST(d.Call(a, SYS_read, {3, b2 + 8, 1, 0, 0, 0}) == -EFAULT);
  // ... and a read of N+1 bytes into an N-byte buffer stops short at the fault.
  BOOST_TEST(d.Call(a, SYS_read, {3, b2, 9, 0, 0, 0}) == 8);
  BOOST_TEST(d.Call(a, SYS_read, {3, 0x1000, 1, 0, 0, 0}) == -EFAULT);  // bad_addr

  BOOST_CHECK_THROW(m.AllocBuffer(a, uint64_t{16} * 1024 + 1), scn::MachineError);
  BOOST_TEST(m.AllocBuffer(a, uint64_t{16} * 1024) % 4096 == 0u);
}

BOOST_AUTO_TEST_CASE(info_names_the_running_kernel) {
  LiveMachine m;
  const scn::BackendInfo info = m.Info();
  utsname uts{};
  BOOST_REQUIRE(uname(&uts) == 0);
  BOOST_TEST(info.backend == "live");
  BOOST_TEST(info.kernel == uts.release);
  BOOST_TEST(info.runner_status.find("Seccomp:") != std::string::npos);
  BOOST_TEST(info.runner_status.find("Seccomp_filters:") != std::string::npos);
  const std::string avail = ReadText("/proc/sys/kernel/seccomp/actions_avail");
  BOOST_TEST(info.user_notif_available == (avail.find("user_notif") != std::string::npos));
}

BOOST_AUTO_TEST_CASE(refuses_unmodelled_syscalls_unless_noted_skipped) {
  LiveMachine m;
  Driver d(m);
  const scn::TaskId a = m.SpawnProcess("a", false);
  // times(100) is a real syscall outside the table.
  BOOST_CHECK_THROW(m.StartSyscall(a, SYS_times, {}), scn::MachineError);
  BOOST_CHECK_THROW(m.StartSyscall(a, SYS_clone, {}), scn::MachineError);
  BOOST_CHECK_THROW(m.StartSyscall(a, 0x40000000 | 39, {}), scn::MachineError);  // x32 getpid
  // Numbers that are no syscall at all are harmless: ENOSYS.
  BOOST_TEST(d.Call(a, -1) == -ENOSYS);
  BOOST_TEST(d.Call(a, 5000) == -ENOSYS);
  // Once the runner notes that the task's filters skip it, it is issued.
  BOOST_TEST(d.Nnp(a) == 0);
  BOOST_TEST(d.Install(a, OnSyscall(SYS_times, SECCOMP_RET_ERRNO | 13)) == 0);
  m.NoteSkippedSyscall(a, SYS_times);
  BOOST_TEST(d.Call(a, SYS_times) == -13);
  // The note covers one call only.
  BOOST_CHECK_THROW(m.StartSyscall(a, SYS_times, {}), scn::MachineError);
}

BOOST_AUTO_TEST_CASE(task_budget_is_enforced) {
  LiveOptions options;
  options.task_budget = 2;
  LiveMachine m(options);
  m.SpawnProcess("a", false);
  const scn::TaskId b = m.SpawnProcess("b", false);
  BOOST_CHECK_THROW(m.SpawnProcess("c", false), scn::MachineError);
  BOOST_CHECK_THROW(m.StartClone(b, scn::CloneKind::kFork), scn::MachineError);
}

BOOST_AUTO_TEST_CASE(scenario_timeout_stops_the_run) {
  LiveOptions options;
  options.scenario_timeout_ms = 200;
  LiveMachine m(options);
  const scn::TaskId a = m.SpawnProcess("a", false);
  usleep(250 * 1000);
  try {
    m.StartSyscall(a, SYS_getpid, {});
    BOOST_FAIL("no MachineError");
  } catch (const scn::MachineError& e) {
    BOOST_TEST(std::string(e.what()).find("scenario timeout") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live

namespace sclab::live {
namespace {

using testing::Driver;

double Micros(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

BOOST_AUTO_TEST_SUITE(live_timing)

// Medians of the primitives, printed for docs/live.md; bounded far below the step
// timeout so that a regression to "every step waits for a timeout" fails.
BOOST_AUTO_TEST_CASE(primitives_are_fast) {
  LiveMachine m;
  Driver d(m);
  using Clock = std::chrono::steady_clock;
  std::vector<double> spawn, getpid_rt, notify_rt, spin_rt;
  for (int i = 0; i < 15; ++i) {
    const auto t0 = Clock::now();
    m.SpawnProcess("p" + std::to_string(i), false);
    spawn.push_back(Micros(Clock::now() - t0));
  }
  const scn::TaskId a = 0;
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Clock::now();
    d.Call(a, SYS_getpid);
    getpid_rt.push_back(Micros(Clock::now() - t0));
  }
  const scn::TaskId sup = 1, target = 2;
  BOOST_REQUIRE(d.Nnp(target) == 0);
  BOOST_REQUIRE(d.Install(target, testing::OnSyscall(SYS_getppid, SECCOMP_RET_USER_NOTIF),
                          SECCOMP_FILTER_FLAG_NEW_LISTENER) == 3);
  m.NoteFutexAllowed(target, true);
  BOOST_REQUIRE(d.Pass(target, 3, sup) == 3);
  for (int i = 0; i < 50; ++i) {
    const auto t0 = Clock::now();
    const scn::CallId c = m.StartSyscall(target, SYS_getppid, {});
    const uint64_t n = m.AllocBuffer(sup, 80);
    d.Call(sup, SYS_ioctl, {3, 0xC0502100, n, 0, 0, 0});
    std::vector<uint8_t> reply(24, 0);
    const std::vector<uint8_t> id = m.ReadMemory(sup, n, 8);
    std::copy(id.begin(), id.end(), reply.begin());
    d.Call(sup, SYS_ioctl, {3, 0xC0182101, d.Buffer(sup, reply), 0, 0, 0});
    BOOST_REQUIRE(m.Await(c).kind == scn::RawOutcome::Kind::kReturned);
    notify_rt.push_back(Micros(Clock::now() - t0));
  }
  const scn::TaskId spinner = 3;
  BOOST_REQUIRE(d.Nnp(spinner) == 0);
  BOOST_REQUIRE(d.Install(spinner, testing::ReturnAlways(SECCOMP_RET_ERRNO | EPERM)) == 0);
  m.NoteFutexAllowed(spinner, false);
  for (int i = 0; i < 100; ++i) {
    const auto t0 = Clock::now();
    d.Call(spinner, SYS_getpid);
    spin_rt.push_back(Micros(Clock::now() - t0));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  BOOST_TEST_MESSAGE("median us: spawn "
                     << median(spawn) << ", getpid round trip " << median(getpid_rt)
                     << " (futex) / " << median(spin_rt)
                     << " (spinning agent), notification round trip (start, recv, reply, await) "
                     << median(notify_rt));
  BOOST_TEST(median(spawn) < 200'000);
  BOOST_TEST(median(getpid_rt) < 50'000);
  BOOST_TEST(median(spin_rt) < 50'000);
  BOOST_TEST(median(notify_rt) < 200'000);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::live
