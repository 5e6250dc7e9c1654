// Sim is the tests' driver for one simulated kernel: spawn processes, place buffers,
// issue syscalls and read back outcomes, with small helpers for the BPF programs the
// tests install. Every helper states the raw syscall it issues.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "bpf/actions.h"
#include "bpf/insn.h"
#include "kernel_sim/kernel.h"
#include "model/errno.h"
#include "model/syscall_table.h"

namespace sclab::ksim::testing {

namespace nr = model::nr;

// Err is the raw return register for -errno.
inline int64_t Err(model::Errno e) { return -static_cast<int64_t>(e.value); }

// Prog helpers: one instruction a line in the tests.
inline bpf::Insn Ld(uint32_t off) { return bpf::Stmt(bpf::kLdWAbs, off); }
inline bpf::Insn Ret(uint32_t k) { return bpf::Stmt(bpf::kRetK, k); }
inline bpf::Insn Jeq(uint32_t k, uint8_t jt, uint8_t jf) {
  return bpf::Jump(bpf::kJeqK, k, jt, jf);
}
inline uint32_t Errno(int e) { return bpf::kRetErrno | static_cast<uint32_t>(e); }
inline uint32_t Trap(int data) { return bpf::kRetTrap | static_cast<uint32_t>(data); }

// IfNr returns `action` for syscall `n` and `other` for everything else.
std::vector<bpf::Insn> IfNr(int n, uint32_t action, uint32_t other = bpf::kRetAllow);
// Always returns `action` for every syscall.
std::vector<bpf::Insn> Always(uint32_t action);

class Sim {
 public:
  explicit Sim(uint64_t seed = 1, bool explain = true, bool cache = true);
  explicit Sim(KernelConfig config);

  Kernel& k() { return kernel_; }

  Pid Spawn(bool privileged = false) { return kernel_.SpawnProcess(privileged); }

  // Start issues a syscall and returns its handle (it may be blocked).
  CallHandle Start(Pid tid, int64_t n, std::initializer_list<uint64_t> args = {});
  CallStatus Status(const CallHandle& h) const { return kernel_.Status(h); }
  // Call issues a syscall that must return; it returns the raw register value.
  int64_t Call(Pid tid, int64_t n, std::initializer_list<uint64_t> args = {});

  uint64_t Buf(Pid tid, uint64_t size);
  uint64_t Str(Pid tid, const std::string& text);
  uint64_t Bytes(Pid tid, const std::vector<uint8_t>& bytes);
  std::vector<uint8_t> Read(Pid tid, uint64_t addr, uint64_t len);
  uint64_t U64(Pid tid, uint64_t addr);
  uint32_t U32(Pid tid, uint64_t addr);
  void PutU64(Pid tid, uint64_t addr, uint64_t v);
  void PutU32(Pid tid, uint64_t addr, uint32_t v);

  // Fprog lays the program out in the task's memory and returns a sock_fprog address.
  uint64_t Fprog(Pid tid, const std::vector<bpf::Insn>& prog);
  // Install: seccomp(SET_MODE_FILTER, flags, fprog); Nnp: prctl(PR_SET_NO_NEW_PRIVS, 1).
  int64_t Install(Pid tid, const std::vector<bpf::Insn>& prog, uint32_t flags = 0);
  int64_t Nnp(Pid tid);
  // Handler: rt_sigaction(sig) with the recording handler (SA_RESTART if restart),
  // or SIG_IGN / SIG_DFL.
  int64_t Handle(Pid tid, int sig, bool restart);
  int64_t Ignore(Pid tid, int sig);
  int64_t Default(Pid tid, int sig);
  // Fork / Thread: clone in the two runner shapes; returns the child tid.
  Pid Fork(Pid tid);
  Pid Thread(Pid tid);
  int64_t Tgkill(Pid from, Pid to, int sig);

  // Notification helpers (ioctl on listener `fd` from `tid`).
  int64_t Recv(Pid tid, int fd, uint64_t* id = nullptr);
  CallHandle StartRecv(Pid tid, int fd, uint64_t* buf_out);
  int64_t Send(Pid tid, int fd, uint64_t id, int64_t val, int32_t error = 0, uint32_t flags = 0);
  int64_t IdValid(Pid tid, int fd, uint64_t id);
  int64_t Addfd(Pid tid, int fd, uint64_t id, uint32_t srcfd, uint32_t newfd = 0,
                uint32_t flags = 0, uint32_t newfd_flags = 0);
  CallHandle StartAddfd(Pid tid, int fd, uint64_t id, uint32_t srcfd, uint32_t newfd = 0,
                        uint32_t flags = 0, uint32_t newfd_flags = 0);
  int64_t Poll(Pid tid, int fd);
  int64_t Pass(Pid from, int fd, Pid to);  // SendFdToChannel + recvmsg(1023) in `to`
  // MsgHdr lays out the runner's 120-byte recvmsg buffer (docs/execution.md §3): a
  // msghdr with one 1-byte iovec and a 24-byte control buffer; the fd lands at +96.
  uint64_t MsgHdr(Pid tid);

  std::string Dump() const { return kernel_.StateDump(); }

 private:
  Kernel kernel_;
};

}  // namespace sclab::ksim::testing
