// corpus_bench: every corpus scenario (scenarios/corpus) on the simulator and on the
// real kernel, wall time per scenario, and how many times faster the simulator is.
//
//   BM_CorpusSim/<file>   one run of the scenario on SimBackend
//   BM_CorpusLive/<file>  one run on LiveBackend (skipped, with the reason, when the
//                         live backend cannot run it: not root, `requires proposal` …);
//                         its counters: sim_us (the simulator's mean for the same
//                         scenario, measured just before) and sim_speedup (live / sim)
//
// After the runs a summary lists each scenario's sim and live means and the ratio,
// then the minimum, median and geometric mean of the ratios. Both benchmarks of a
// scenario run back to back so that machine load affects them alike; pass
// --benchmark_filter=Sim to time the simulator alone.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "live/live_backend.h"
#include "scenarios/parser.h"
#include "scenarios/sim_backend.h"

namespace sclab::bench {
namespace {

namespace fs = std::filesystem;

struct Timing {
  double sim_us = 0;   // mean wall time of one run
  double live_us = 0;  // 0: not run (skipped or filtered out)
  std::string live_skip;
};

std::map<std::string, Timing>& Timings() {
  static std::map<std::string, Timing> timings;
  return timings;
}

scn::RunOptions Options() { return scn::RunOptions{}; }

// Corpus parses every .scn file under the source tree's corpus, sorted by path.
std::vector<scn::Scenario> Corpus() {
  const fs::path root = fs::path(SCLAB_SOURCE_DIR) / "scenarios" / "corpus";
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".scn") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<scn::Scenario> out;
  for (const std::string& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    scn::ParseResult r = scn::ParseScenario(fs::relative(f, root).string(), text.str());
    if (r.scenario) out.push_back(std::move(*r.scenario));
  }
  return out;
}

double MeanMicros(benchmark::State& state, std::chrono::steady_clock::duration total) {
  return std::chrono::duration<double, std::micro>(total).count() /
         static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
}

void RunSim(benchmark::State& state, const scn::Scenario* s) {
  scn::SimBackend sim(Options());
  std::chrono::steady_clock::duration total{};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    scn::Trace t = sim.Run(*s);
    total += std::chrono::steady_clock::now() - start;
    benchmark::DoNotOptimize(t);
  }
  Timings()[s->file].sim_us = MeanMicros(state, total);
}

void RunLive(benchmark::State& state, const scn::Scenario* s, live::LiveBackend* live) {
  Timing& timing = Timings()[s->file];
  const std::string skip = live->SkipReason(*s);
  if (!skip.empty()) {
    timing.live_skip = skip;
    state.SkipWithError(("skipped, because " + skip).c_str());
    for (auto _ : state) {
    }
    return;
  }
  std::chrono::steady_clock::duration total{};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    scn::Trace t = live->Run(*s);
    total += std::chrono::steady_clock::now() - start;
    benchmark::DoNotOptimize(t);
  }
  timing.live_us = MeanMicros(state, total);
  state.counters["sim_us"] = timing.sim_us;
  if (timing.sim_us > 0) state.counters["sim_speedup"] = timing.live_us / timing.sim_us;
}

void PrintSummary() {
  std::vector<double> ratios;
  std::printf("\n%-60s %12s %12s %10s\n", "scenario", "sim_us", "live_us", "live/sim");
  for (const auto& [file, t] : Timings()) {
    if (t.live_us > 0 && t.sim_us > 0) {
      ratios.push_back(t.live_us / t.sim_us);
      std::printf("%-60s %12.1f %12.1f %10.1f\n", file.c_str(), t.sim_us, t.live_us,
                  ratios.back());
    } else if (t.sim_us > 0) {
      std::printf("%-60s %12.1f %12s %10s\n", file.c_str(), t.sim_us,
                  t.live_skip.empty() ? "-" : "skipped", "-");
    }
  }
  if (ratios.empty()) return;
  std::vector<double> sorted = ratios;
  std::sort(sorted.begin(), sorted.end());
  double log_sum = 0;
  for (double r : ratios) log_sum += std::log(r);
  std::printf("\n%zu scenarios on both backends: live/sim min %.1f, median %.1f, geomean %.1f\n",
              ratios.size(), sorted.front(), sorted[sorted.size() / 2],
              std::exp(log_sum / static_cast<double>(ratios.size())));
}

}  // namespace
}  // namespace sclab::bench

int main(int argc, char** argv) {
  using namespace sclab;
  static const std::vector<scn::Scenario> corpus = bench::Corpus();
  static live::LiveBackend live(bench::Options());
  for (const scn::Scenario& s : corpus) {
    benchmark::RegisterBenchmark(("BM_CorpusSim/" + s.file).c_str(), bench::RunSim, &s)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_CorpusLive/" + s.file).c_str(), bench::RunLive, &s, &live)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  bench::PrintSummary();
  return 0;
}
