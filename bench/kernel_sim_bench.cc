// Benchmarks of the simulated kernel (docs/kernel_sim.md has the figures):
//  (a) filtered syscalls: 10,000 tasks, 100 getpid() each, through a 50-rule
//      libseccomp filter, with and without the constant-action cache; plus the heap
//      bytes one idle task costs (a spawned process, a thread, a forked process);
//  (b) user notification: one supervisor, N notifying tasks always pending
//      (N = 1, 100, 10,000): RECV + SEND + the target's return + its next notifying
//      call is one round trip; plus the heap bytes one pending notification costs.
// Heap bytes come from the counting allocator linked in (counting_allocator.h).
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <span>
#include <vector>

#include "base/check.h"
#include "bench/counting_allocator.h"
#include "bpf/actions.h"
#include "bpf/compiler.h"
#include "kernel_sim/kernel.h"
#include "model/syscall_table.h"

namespace sclab::bench {
namespace {

using ksim::Kernel;
using ksim::KernelConfig;
using ksim::Pid;
namespace nr = model::nr;

constexpr std::array<uint64_t, 6> kNoArgs{};

int64_t Call(Kernel& k, Pid t, int64_t n, std::array<uint64_t, 6> args = kNoArgs) {
  const ksim::CallHandle h = k.StartSyscall(t, n, args);
  const ksim::CallStatus s = k.Status(h);
  SCLAB_CHECK(s.state == ksim::CallState::kReturned, "bench: call did not return");
  return s.ret;
}

// A 50-rule policy as a container runtime might write it: a denylist of 50 syscalls
// the workload never makes, some with argument conditions, default allow.
std::vector<bpf::Insn> FiftyRules() {
  bpf::RuleList rules;
  rules.default_action = bpf::kRetAllow;
  rules.rules.reserve(50);
  for (int i = 0; i < 50; ++i) {
    bpf::Rule r;
    r.nr = 130 + i;  // 130..179: none is getpid, gettid, getuid or getppid
    r.action = bpf::kRetErrno | static_cast<uint32_t>(1 + i % 30);
    if (i % 5 == 0) {
      r.conds.push_back(bpf::ArgCmp{0, bpf::ArgCmp::Op::kEq, 7, 0});
    }
    rules.rules.push_back(r);
  }
  auto prog = bpf::Compile(rules);
  SCLAB_CHECK(prog.ok(), "bench: libseccomp compile failed");
  return prog.value();
}

uint64_t PutFprog(Kernel& k, Pid t, const std::vector<bpf::Insn>& prog) {
  model::UserMemory& mem = k.Memory(t);
  const uint64_t p = mem.AllocBuffer(prog.size() * 8);
  std::vector<uint8_t> bytes(prog.size() * 8);
  std::memcpy(bytes.data(), prog.data(), bytes.size());
  SCLAB_CHECK(mem.Write(p, bytes).ok(), "bench: write");
  const uint64_t f = mem.AllocBuffer(16);
  std::vector<uint8_t> hdr(16, 0);
  const auto len = static_cast<uint16_t>(prog.size());
  std::memcpy(hdr.data(), &len, 2);
  std::memcpy(hdr.data() + 8, &p, 8);
  SCLAB_CHECK(mem.Write(f, hdr).ok(), "bench: write");
  return f;
}

KernelConfig Config(bool cache) {
  KernelConfig c;
  c.action_cache = cache;
  c.step_budget = UINT64_MAX;
  c.memory = model::UserMemoryOptions{0x10000000, 1, 1};  // one-page buffers: small forks
  return c;
}

Pid FilteredParent(Kernel& k, const std::vector<bpf::Insn>& prog, uint32_t flags = 0) {
  const Pid p = k.SpawnProcess(false);
  SCLAB_CHECK(Call(k, p, nr::kPrctl, {38, 1, 0, 0, 0, 0}) == 0, "bench: nnp");
  const int64_t r = Call(k, p, nr::kSeccomp, {1, flags, PutFprog(k, p, prog), 0, 0, 0});
  SCLAB_CHECK(r >= 0, "bench: install");
  return p;
}

std::vector<Pid> Threads(Kernel& k, Pid p, int n) {
  const uint64_t words = k.Memory(p).AllocBuffer(16);
  std::vector<Pid> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back(static_cast<Pid>(
        Call(k, p, nr::kClone, {ksim::kCloneThreadFlags, 0x7000, words, words + 8, 0, 0})));
  }
  return out;
}

// (a) 10,000 tasks x 100 filtered getpid() through the 50-rule filter. Order 0 is
// round robin (each round touches every task: the cache-unfriendly worst case),
// order 1 is bursts (each task makes its 100 calls back to back).
void BM_FilteredSyscalls(benchmark::State& state) {
  const bool cache = state.range(0) != 0;
  const bool burst = state.range(1) != 0;
  constexpr int kTasks = 10000;
  constexpr int kCallsPerTask = 100;
  Kernel k(Config(cache));
  const Pid parent = FilteredParent(k, FiftyRules());
  std::vector<Pid> tasks = Threads(k, parent, kTasks - 1);
  tasks.push_back(parent);
  const int64_t allocs_before = HeapAllocations();
  for (auto _ : state) {
    if (burst) {
      for (Pid t : tasks) {
        for (int i = 0; i < kCallsPerTask; ++i) {
          benchmark::DoNotOptimize(k.StartSyscall(t, nr::kGetpid, kNoArgs));
        }
      }
    } else {
      for (int round = 0; round < kCallsPerTask; ++round) {
        for (Pid t : tasks) {
          benchmark::DoNotOptimize(k.StartSyscall(t, nr::kGetpid, kNoArgs));
        }
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kTasks * kCallsPerTask);
  state.counters["allocs_per_syscall"] =
      benchmark::Counter(static_cast<double>(HeapAllocations() - allocs_before) /
                         static_cast<double>(state.iterations() * kTasks * kCallsPerTask));
}
BENCHMARK(BM_FilteredSyscalls)
    ->ArgNames({"cache", "burst"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Unit(benchmark::kMillisecond);

// Heap bytes per idle task, three ways.
void BM_IdleTaskBytes(benchmark::State& state) {
  constexpr int kTasks = 10000;
  for (auto _ : state) {
    Kernel k(Config(true));
    const Pid parent = FilteredParent(k, FiftyRules());
    int64_t before = LiveHeapBytes();
    for (int i = 0; i < kTasks; ++i) {
      benchmark::DoNotOptimize(k.SpawnProcess(false));
    }
    state.counters["spawned_process_bytes"] =
        static_cast<double>(LiveHeapBytes() - before) / kTasks;
    before = LiveHeapBytes();
    const std::vector<Pid> threads = Threads(k, parent, kTasks);
    state.counters["thread_bytes"] = static_cast<double>(LiveHeapBytes() - before) / kTasks;
    before = LiveHeapBytes();
    for (int i = 0; i < kTasks; ++i) {
      benchmark::DoNotOptimize(Call(k, parent, nr::kClone, {ksim::kCloneForkFlags, 0, 0, 0, 0, 0}));
    }
    state.counters["forked_process_bytes"] = static_cast<double>(LiveHeapBytes() - before) / kTasks;
    state.counters["forked_user_memory_bytes"] =
        static_cast<double>(k.Memory(parent).mapped_bytes());
  }
}
BENCHMARK(BM_IdleTaskBytes)->Iterations(1)->Unit(benchmark::kMillisecond);

// (b) notification round trips with N notifications always pending.
struct NotifyWorld {
  explicit NotifyWorld(int n) : k(Config(true)) {
    sup = k.SpawnProcess(false);
    const std::vector<bpf::Insn> prog = {
        bpf::Stmt(bpf::kLdWAbs, 0),
        bpf::Jump(bpf::kJeqK, static_cast<uint32_t>(nr::kGetppid), 0, 1),
        bpf::Stmt(bpf::kRetK, bpf::kRetUserNotif),
        bpf::Stmt(bpf::kRetK, bpf::kRetAllow),
    };
    const Pid target = FilteredParent(k, prog, ksim::kFilterFlagNewListener);
    SCLAB_CHECK(k.SendFdToChannel(target, 3, sup), "bench: pass");
    model::UserMemory& mem = k.Memory(sup);
    const uint64_t m = mem.AllocBuffer(120);
    auto put = [&](uint64_t addr, uint64_t v) {
      uint8_t b[8];
      std::memcpy(b, &v, 8);
      SCLAB_CHECK(mem.Write(addr, b).ok(), "bench: write");
    };
    put(m + 16, m + 56);
    put(m + 24, 1);
    put(m + 32, m + 80);
    put(m + 40, 24);
    put(m + 56, m + 72);
    put(m + 64, 1);
    SCLAB_CHECK(Call(k, sup, nr::kRecvmsg, {1023, m, 0, 0, 0, 0}) == 1, "bench: recvmsg");
    tasks = Threads(k, target, n - 1);
    tasks.push_back(target);
    recv_buf = mem.AllocBuffer(80);
    resp_buf = mem.AllocBuffer(24);
    recv = mem.MappedSpan(recv_buf, 80);
    resp = mem.MappedSpan(resp_buf, 24);
    SCLAB_CHECK(recv.size() == 80 && resp.size() == 24, "bench: buffers");
    idle_bytes = LiveHeapBytes();
    for (Pid t : tasks) {
      (void)k.StartSyscall(t, nr::kGetppid, kNoArgs);
    }
    pending_bytes = LiveHeapBytes();
  }

  // One round trip: the supervisor receives the oldest notification, answers it, and
  // the answered task makes its next notifying call.
  // The supervisor's own memory work (clearing the buffer, reading the id, writing the
  // response) is user-space code, not simulated kernel work: it goes straight to the
  // buffers' bytes (UserMemory::MappedSpan), as a real supervisor's memset does; only
  // the syscalls go through the simulated kernel.
  [[gnu::noinline]] void RoundTrip() {  // noinline: callgrind --toggle-collect target
    std::memset(recv.data(), 0, sizeof(model::seccomp_notif));  // recv.size(), known here
    const ksim::CallHandle r =
        k.StartSyscall(sup, nr::kIoctl, {3, ksim::kIoctlNotifRecv, recv_buf, 0, 0, 0});
    SCLAB_CHECK(k.Status(r).ret == 0, "bench: recv");
    uint32_t pid = 0;
    std::memcpy(&pid, recv.data() + 8, 4);
    std::memcpy(resp.data(), recv.data(), 8);  // the id
    const ksim::CallHandle s =
        k.StartSyscall(sup, nr::kIoctl, {3, ksim::kIoctlNotifSend, resp_buf, 0, 0, 0});
    SCLAB_CHECK(k.Status(s).ret == 0, "bench: send");
    (void)k.StartSyscall(static_cast<Pid>(pid), nr::kGetppid, kNoArgs);
  }

  Kernel k;
  Pid sup = 0;
  std::vector<Pid> tasks;
  uint64_t recv_buf = 0;
  uint64_t resp_buf = 0;
  std::span<uint8_t> recv;  // the two buffers' bytes, as the supervisor's code sees them
  std::span<uint8_t> resp;
  int64_t idle_bytes = 0;
  int64_t pending_bytes = 0;
};

void BM_NotifyRoundTrip(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  NotifyWorld w(n);
  const int64_t allocs_before = HeapAllocations();
  for (auto _ : state) {
    w.RoundTrip();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["heap_bytes_per_pending"] =
      static_cast<double>(w.pending_bytes - w.idle_bytes) / static_cast<double>(n);
  state.counters["notification_in_task_bytes"] = static_cast<double>(sizeof(ksim::Notification));
  state.counters["allocs_per_round_trip"] =
      benchmark::Counter(static_cast<double>(HeapAllocations() - allocs_before) /
                         static_cast<double>(state.iterations()));
}
BENCHMARK(BM_NotifyRoundTrip)->ArgName("N")->Arg(1)->Arg(100)->Arg(10000);

}  // namespace
}  // namespace sclab::bench

BENCHMARK_MAIN();
