#include "tests/live/live_test_util.h"

#include <dirent.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstring>
#include <map>

#include "live/proc_reader.h"

namespace sclab::scn {

std::ostream& operator<<(std::ostream& os, RawOutcome::Kind kind) {
  constexpr const char* kNames[] = {"returned", "blocked", "killed", "exited", "gone"};
  return os << kNames[static_cast<int>(kind)];
}

std::ostream& operator<<(std::ostream& os, TaskEnd::Kind kind) {
  constexpr const char* kNames[] = {"alive", "exited", "killed", "gone"};
  return os << kNames[static_cast<int>(kind)];
}

}  // namespace sclab::scn

namespace sclab::live::testing {

std::vector<sock_filter> ReturnAlways(uint32_t action) { return {Stmt(BPF_RET | BPF_K, action)}; }

std::vector<sock_filter> OnSyscall(int nr, uint32_t action) {
  return {
      Stmt(BPF_LD | BPF_W | BPF_ABS, 0),                                 // A = nr
      Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1),  // nr == N?
      Stmt(BPF_RET | BPF_K, action),                                     //   the action
      Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                          // else allow
  };
}

std::vector<sock_filter> AllowOnly(const std::vector<int>& nrs, uint32_t otherwise) {
  std::vector<sock_filter> program{Stmt(BPF_LD | BPF_W | BPF_ABS, 0)};  // A = nr
  for (size_t i = 0; i < nrs.size(); ++i) {
    // Jump to the final "allow" when nr matches.
    const auto to_allow = static_cast<uint8_t>(nrs.size() - i);
    program.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nrs[i]), to_allow, 0));
  }
  program.push_back(Stmt(BPF_RET | BPF_K, otherwise));
  program.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return program;
}

uint64_t Driver::Buffer(scn::TaskId task, const std::vector<uint8_t>& bytes) {
  const uint64_t addr = m_.AllocBuffer(task, bytes.size());
  m_.WriteMemory(task, addr, bytes);
  return addr;
}

uint64_t Driver::String(scn::TaskId task, const std::string& text) {
  std::vector<uint8_t> bytes(text.begin(), text.end());
  bytes.push_back(0);
  return Buffer(task, bytes);
}

scn::RawOutcome Driver::Outcome(scn::TaskId task, int nr, std::array<uint64_t, 6> args) {
  return m_.Await(m_.StartSyscall(task, nr, args));
}

int64_t Driver::Call(scn::TaskId task, int nr, std::array<uint64_t, 6> args) {
  const scn::RawOutcome out = Outcome(task, nr, args);
  BOOST_REQUIRE_MESSAGE(
      out.kind == scn::RawOutcome::Kind::kReturned,
      "syscall " << nr << " did not return (kind " << static_cast<int>(out.kind) << ")");
  return out.ret;
}

int64_t Driver::Nnp(scn::TaskId task) { return Call(task, SYS_prctl, {38, 1, 0, 0, 0, 0}); }

int64_t Driver::Install(scn::TaskId task, const std::vector<sock_filter>& program, uint32_t flags) {
  std::vector<uint8_t> insns(program.size() * sizeof(sock_filter));
  std::memcpy(insns.data(), program.data(), insns.size());
  const uint64_t p = Buffer(task, insns);
  std::vector<uint8_t> fprog(16, 0);
  const auto len = static_cast<uint16_t>(program.size());
  std::memcpy(fprog.data(), &len, 2);
  std::memcpy(fprog.data() + 8, &p, 8);
  const uint64_t f = Buffer(task, fprog);
  return Call(task, SYS_seccomp, {SECCOMP_SET_MODE_FILTER, flags, f, 0, 0, 0});
}

int64_t Driver::Pass(scn::TaskId from, int fd, scn::TaskId to) {
  if (!m_.SendFdToChannel(from, fd, to)) {
    return -EBADF;
  }
  // docs/execution.md: a 120-byte buffer holding the msghdr, one 1-byte iovec and a
  // 24-byte control buffer.
  const uint64_t m = m_.AllocBuffer(to, 120);
  std::vector<uint8_t> bytes(120, 0);
  auto put = [&](size_t off, uint64_t v) { std::memcpy(bytes.data() + off, &v, 8); };
  put(16, m + 56);  // msg_iov
  put(24, 1);       // msg_iovlen
  put(32, m + 72);  // msg_control
  put(40, 24);      // msg_controllen
  put(56, m + 96);  // iov_base
  put(64, 1);       // iov_len
  m_.WriteMemory(to, m, bytes);
  const int64_t r = Call(to, SYS_recvmsg, {1023, m, 0, 0, 0, 0});
  if (r < 0) {
    return r;
  }
  const std::vector<uint8_t> control = m_.ReadMemory(to, m + 72, 24);
  int32_t fd_in_to = -1;
  std::memcpy(&fd_in_to, control.data() + 16, 4);
  return fd_in_to;
}

int64_t Driver::Sigaction(scn::TaskId task, int sig, scn::HandleMode mode) {
  const uint64_t act = Buffer(task, m_.SigactionFor(task, sig, mode));
  return Call(task, SYS_rt_sigaction, {static_cast<uint64_t>(sig), act, 0, 8, 0, 0});
}

uint64_t Driver::U64(scn::TaskId task, uint64_t addr) {
  const std::vector<uint8_t> bytes = m_.ReadMemory(task, addr, 8);
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

boost::test_tools::assertion_result NeedsRoot(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result ok(geteuid() == 0);
  ok.message() << "needs root: unprivileged agents switch to uid 65534";
  return ok;
}

boost::test_tools::assertion_result NeedsUserNotif(boost::unit_test::test_unit_id) {
  const std::string avail = ReadText("/proc/sys/kernel/seccomp/actions_avail");
  boost::test_tools::assertion_result ok(avail.find("user_notif") != std::string::npos);
  ok.message() << "the kernel does not offer SECCOMP_RET_USER_NOTIF";
  return ok;
}

int CountDescendants() {
  std::map<int, int> parent;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) {
    return -1;
  }
  while (const dirent* entry = readdir(proc)) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 0) {
      continue;
    }
    if (const auto stat = ReadProcStat(pid)) {
      parent[pid] = stat->ppid;
    }
  }
  closedir(proc);
  const int self = getpid();
  int count = 0;
  for (const auto& [pid, ppid] : parent) {
    int up = ppid;
    for (int depth = 0; depth < 64 && up > 1; ++depth) {
      if (up == self) {
        ++count;
        break;
      }
      const auto it = parent.find(up);
      if (it == parent.end()) {
        break;
      }
      up = it->second;
    }
  }
  return count;
}

bool ProcessGroupEmpty(int pgid) { return kill(-pgid, 0) != 0 && errno == ESRCH; }

}  // namespace sclab::live::testing
