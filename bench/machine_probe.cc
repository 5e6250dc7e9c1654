// machine_probe: how fast this machine runs plain integer code right now, with no
// simulator in it. The build machine is a VM whose speed on throughput-bound code
// (many independent operations per cycle, as the simulator's) halves for seconds at a
// time while a dependent chain keeps its speed, as when another guest shares the core.
// Repeated runs of this probe show those swings; docs/kernel_sim.md ("Benchmarks")
// reads the simulator's series against them.
#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

constexpr int kStepsPerIteration = 1000;

// Four independent chains: the core's issue width bounds the time, not latency.
void BM_Throughput(benchmark::State& state) {
  uint64_t a = 1;
  uint64_t b = 2;
  uint64_t c = 3;
  uint64_t d = 4;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kStepsPerIteration; ++i) {
      a += i;
      b ^= i;
      c += a;
      d ^= b;
      benchmark::DoNotOptimize(a);
      benchmark::DoNotOptimize(b);
      benchmark::DoNotOptimize(c);
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(state.iterations() * kStepsPerIteration);
}
BENCHMARK(BM_Throughput);

// One dependent chain: latency bounds the time. It keeps its speed when the core is
// shared, which tells a shared core apart from a slower clock.
void BM_Latency(benchmark::State& state) {
  uint64_t x = 1;
  for (auto _ : state) {
    for (int i = 0; i < kStepsPerIteration; ++i) {
      x = x * 3 + 1;
      benchmark::DoNotOptimize(x);
    }
  }
  state.SetItemsProcessed(state.iterations() * kStepsPerIteration);
}
BENCHMARK(BM_Latency);

}  // namespace

BENCHMARK_MAIN();
