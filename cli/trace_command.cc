#include "cli/trace_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "cli/run_command.h"
#include "scenarios/timeline.h"

namespace sclab::cli {
namespace {

struct TraceFlags {
  std::string backend = "sim";
  std::optional<uint64_t> seed;
  std::string file;
};

void TraceCommand(const TraceFlags& flags) {
  std::optional<std::vector<scn::Scenario>> scenarios = ParseFiles({flags.file});
  if (!scenarios) {
    throw CLI::RuntimeError(2);
  }
  scn::RunOptions options;
  options.seed = flags.seed;
  options.explain = true;
  std::unique_ptr<scn::Backend> backend = BackendOrExit(flags.backend, options);
  const scn::Trace trace = RunOne(*backend, scenarios->front(), options);
  const std::string out = scn::FormatTimeline(trace, {.explain = true});
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (trace.runtime_error) {
    std::fprintf(stderr, "%s\n", trace.stop_reason.c_str());
  }
  throw CLI::RuntimeError(ExitStatus({trace}));
}

}  // namespace

void RegisterTraceCommand(CLI::App& app) {
  auto flags = std::make_shared<TraceFlags>();
  CLI::App* trace = app.add_subcommand("trace", "run one scenario and explain every step");
  trace->add_option("--backend", flags->backend, "sim or live")
      ->check(CLI::IsMember({"sim", "live"}));
  trace->add_option("--seed", flags->seed, "override the scenario's seed");
  trace->add_option("FILE", flags->file, "a scenario file (.scn)")->required();
  trace->callback([flags] { TraceCommand(*flags); });
}

}  // namespace sclab::cli
