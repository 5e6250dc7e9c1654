#include "tests/kernel_sim/harness.h"

#include <cstring>

#include "base/check.h"

namespace sclab::ksim::testing {

std::vector<bpf::Insn> IfNr(int n, uint32_t action, uint32_t other) {
  return {
      Ld(0),                                // A = nr
      Jeq(static_cast<uint32_t>(n), 0, 1),  // nr == n ?
      Ret(action),                          //   yes
      Ret(other),                           //   no
  };
}

std::vector<bpf::Insn> Always(uint32_t action) { return {Ret(action)}; }

Sim::Sim(uint64_t seed, bool explain, bool cache)
    : kernel_([&] {
        KernelConfig c;
        c.seed = seed;
        c.explain = explain;
        c.action_cache = cache;
        return c;
      }()) {}

Sim::Sim(KernelConfig config) : kernel_(std::move(config)) {}

CallHandle Sim::Start(Pid tid, int64_t n, std::initializer_list<uint64_t> args) {
  std::array<uint64_t, 6> a{};
  size_t i = 0;
  for (uint64_t v : args) {
    a[i++] = v;
  }
  return kernel_.StartSyscall(tid, n, a);
}

int64_t Sim::Call(Pid tid, int64_t n, std::initializer_list<uint64_t> args) {
  const CallHandle h = Start(tid, n, args);
  const CallStatus s = kernel_.Status(h);
  SCLAB_CHECK(s.state == CallState::kReturned, "Sim::Call: the call did not return");
  return s.ret;
}

uint64_t Sim::Buf(Pid tid, uint64_t size) { return kernel_.Memory(tid).AllocBuffer(size); }

uint64_t Sim::Str(Pid tid, const std::string& text) {
  std::vector<uint8_t> bytes(text.begin(), text.end());
  bytes.push_back(0);
  return Bytes(tid, bytes);
}

uint64_t Sim::Bytes(Pid tid, const std::vector<uint8_t>& bytes) {
  const uint64_t addr = Buf(tid, bytes.size());
  SCLAB_CHECK(kernel_.Memory(tid).Write(addr, bytes).ok(), "Sim::Bytes: write failed");
  return addr;
}

std::vector<uint8_t> Sim::Read(Pid tid, uint64_t addr, uint64_t len) {
  std::vector<uint8_t> out(len);
  SCLAB_CHECK(kernel_.Memory(tid).Read(addr, out).ok(), "Sim::Read: read failed");
  return out;
}

uint64_t Sim::U64(Pid tid, uint64_t addr) {
  auto b = Read(tid, addr, 8);
  uint64_t v = 0;
  std::memcpy(&v, b.data(), 8);
  return v;
}

uint32_t Sim::U32(Pid tid, uint64_t addr) {
  auto b = Read(tid, addr, 4);
  uint32_t v = 0;
  std::memcpy(&v, b.data(), 4);
  return v;
}

void Sim::PutU64(Pid tid, uint64_t addr, uint64_t v) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &v, 8);
  SCLAB_CHECK(kernel_.Memory(tid).Write(addr, b).ok(), "Sim::PutU64 failed");
}

void Sim::PutU32(Pid tid, uint64_t addr, uint32_t v) {
  std::vector<uint8_t> b(4);
  std::memcpy(b.data(), &v, 4);
  SCLAB_CHECK(kernel_.Memory(tid).Write(addr, b).ok(), "Sim::PutU32 failed");
}

uint64_t Sim::Fprog(Pid tid, const std::vector<bpf::Insn>& prog) {
  std::vector<uint8_t> insns(prog.size() * sizeof(bpf::Insn));
  std::memcpy(insns.data(), prog.data(), insns.size());
  const uint64_t p = Bytes(tid, insns);
  const uint64_t f = Buf(tid, 16);
  const auto len = static_cast<uint16_t>(prog.size());
  std::vector<uint8_t> hdr(16, 0);
  std::memcpy(hdr.data(), &len, 2);
  std::memcpy(hdr.data() + 8, &p, 8);
  SCLAB_CHECK(kernel_.Memory(tid).Write(f, hdr).ok(), "Sim::Fprog failed");
  return f;
}

int64_t Sim::Install(Pid tid, const std::vector<bpf::Insn>& prog, uint32_t flags) {
  return Call(tid, nr::kSeccomp, {kSeccompSetModeFilter, flags, Fprog(tid, prog)});
}

int64_t Sim::Nnp(Pid tid) {
  return Call(tid, nr::kPrctl, {static_cast<uint64_t>(kPrSetNoNewPrivs), 1, 0, 0, 0});
}

int64_t Sim::Handle(Pid tid, int sig, bool restart) {
  const uint64_t a = Buf(tid, 32);
  PutU64(tid, a, kRecordingHandler);
  PutU64(tid, a + 8, kSaSiginfo | kSaRestorer | (restart ? kSaRestart : 0));
  PutU64(tid, a + 16, kRecordingRestorer);
  return Call(tid, nr::kRtSigaction, {static_cast<uint64_t>(sig), a, 0, 8});
}

int64_t Sim::Ignore(Pid tid, int sig) {
  const uint64_t a = Buf(tid, 32);
  PutU64(tid, a, kSigIgn);
  return Call(tid, nr::kRtSigaction, {static_cast<uint64_t>(sig), a, 0, 8});
}

int64_t Sim::Default(Pid tid, int sig) {
  const uint64_t a = Buf(tid, 32);
  return Call(tid, nr::kRtSigaction, {static_cast<uint64_t>(sig), a, 0, 8});
}

Pid Sim::Fork(Pid tid) {
  return static_cast<Pid>(Call(tid, nr::kClone, {kCloneForkFlags, 0, 0, 0, 0}));
}

Pid Sim::Thread(Pid tid) {
  const uint64_t words = Buf(tid, 16);
  return static_cast<Pid>(Call(tid, nr::kClone, {kCloneThreadFlags, 0x7000, words, words + 8, 0}));
}

int64_t Sim::Tgkill(Pid from, Pid to, int sig) {
  return Call(from, nr::kTgkill,
              {static_cast<uint64_t>(kernel_.Tgid(to)), static_cast<uint64_t>(to),
               static_cast<uint64_t>(sig)});
}

int64_t Sim::Recv(Pid tid, int fd, uint64_t* id) {
  const uint64_t buf = Buf(tid, 80);
  const int64_t r = Call(tid, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifRecv, buf});
  if (r == 0 && id != nullptr) {
    *id = U64(tid, buf);
  }
  return r;
}

CallHandle Sim::StartRecv(Pid tid, int fd, uint64_t* buf_out) {
  const uint64_t buf = Buf(tid, 80);
  if (buf_out != nullptr) {
    *buf_out = buf;
  }
  return Start(tid, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifRecv, buf});
}

int64_t Sim::Send(Pid tid, int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags) {
  const uint64_t r = Buf(tid, 24);
  PutU64(tid, r, id);
  PutU64(tid, r + 8, static_cast<uint64_t>(val));
  PutU32(tid, r + 16, static_cast<uint32_t>(error));
  PutU32(tid, r + 20, flags);
  return Call(tid, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifSend, r});
}

int64_t Sim::IdValid(Pid tid, int fd, uint64_t id) {
  const uint64_t b = Buf(tid, 8);
  PutU64(tid, b, id);
  return Call(tid, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifIdValid, b});
}

CallHandle Sim::StartAddfd(Pid tid, int fd, uint64_t id, uint32_t srcfd, uint32_t newfd,
                           uint32_t flags, uint32_t newfd_flags) {
  const uint64_t a = Buf(tid, 24);
  PutU64(tid, a, id);
  PutU32(tid, a + 8, flags);
  PutU32(tid, a + 12, srcfd);
  PutU32(tid, a + 16, newfd);
  PutU32(tid, a + 20, newfd_flags);
  return Start(tid, nr::kIoctl, {static_cast<uint64_t>(fd), kIoctlNotifAddfd, a});
}

int64_t Sim::Addfd(Pid tid, int fd, uint64_t id, uint32_t srcfd, uint32_t newfd, uint32_t flags,
                   uint32_t newfd_flags) {
  const CallHandle h = StartAddfd(tid, fd, id, srcfd, newfd, flags, newfd_flags);
  const CallStatus s = kernel_.Status(h);
  SCLAB_CHECK(s.state == CallState::kReturned, "Sim::Addfd: the call did not return");
  return s.ret;
}

int64_t Sim::Poll(Pid tid, int fd) {
  const uint64_t p = Buf(tid, 8);
  PutU32(tid, p, static_cast<uint32_t>(fd));
  PutU32(tid, p + 4, kPollIn | kPollOut);
  const int64_t r = Call(tid, nr::kPoll, {p, 1, 0});
  if (r < 0) {
    return r;
  }
  return U32(tid, p + 4) >> 16;
}

int64_t Sim::Pass(Pid from, int fd, Pid to) {
  if (!kernel_.SendFdToChannel(from, fd, to)) {
    return Err(model::kEBADF);
  }
  const uint64_t m = MsgHdr(to);
  const int64_t r = Call(to, nr::kRecvmsg, {static_cast<uint64_t>(kChannelFd), m, 0});
  if (r < 0) {
    return r;
  }
  return static_cast<int32_t>(U32(to, m + 96));
}

uint64_t Sim::MsgHdr(Pid tid) {
  const uint64_t m = Buf(tid, 120);
  // msghdr at m: iov at m+56 (16 bytes) -> data byte at m+72; control at m+80 (24 bytes).
  PutU64(tid, m + 16, m + 56);
  PutU64(tid, m + 24, 1);
  PutU64(tid, m + 32, m + 80);
  PutU64(tid, m + 40, 24);
  PutU64(tid, m + 56, m + 72);
  PutU64(tid, m + 64, 1);
  return m;
}

}  // namespace sclab::ksim::testing
