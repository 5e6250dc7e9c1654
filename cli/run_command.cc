#include "cli/run_command.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/backends.h"
#include "model/errno.h"
#include "scenarios/mermaid.h"
#include "scenarios/parser.h"
#include "scenarios/timeline.h"
#include "scenarios/trace_json.h"

namespace sclab::cli {
namespace {

[[noreturn]] void Exit(int code) { throw CLI::RuntimeError(code); }

struct RunFlags {
  std::string backend = "sim";
  std::optional<uint64_t> seed;
  bool json = false;
  bool mermaid = false;
  uint32_t step_timeout_ms = scn::RunOptions{}.step_timeout_ms;
  uint32_t scenario_timeout_ms = scn::RunOptions{}.scenario_timeout_ms;
  std::vector<std::string> files;
};

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return std::nullopt;
  }
  return buffer.str();
}

void PrintSummary(const std::vector<scn::Trace>& traces) {
  for (const scn::Trace& t : traces) {
    if (t.runtime_error) {
      std::fprintf(stderr, "%s\n", t.stop_reason.c_str());
    } else if (t.Failures() > 0) {
      std::fprintf(stderr, "%s: %zu failed check%s\n", t.header.file.c_str(), t.Failures(),
                   t.Failures() == 1 ? "" : "s");
    }
  }
}

void RunCommand(const RunFlags& flags) {
  if (flags.json && flags.mermaid) {
    std::fprintf(stderr, "seccomp-lab: error: --json and --mermaid exclude each other\n");
    Exit(2);
  }
  std::optional<std::vector<scn::Scenario>> scenarios = ParseFiles(flags.files);
  if (!scenarios) {
    Exit(2);
  }
  scn::RunOptions options;
  options.seed = flags.seed;
  options.step_timeout_ms = flags.step_timeout_ms;
  options.scenario_timeout_ms = flags.scenario_timeout_ms;
  std::unique_ptr<scn::Backend> backend = BackendOrExit(flags.backend, options);
  std::vector<scn::Trace> traces;
  for (const scn::Scenario& s : *scenarios) {
    traces.push_back(RunOne(*backend, s, options));
  }
  std::string out;
  if (flags.json) {
    out = scn::TracesToJson(traces);
  } else {
    for (size_t i = 0; i < traces.size(); ++i) {
      if (i > 0) {
        out += '\n';
      }
      if (flags.mermaid) {
        out += fmt::format("%% {}\n", traces[i].header.file);
        out += scn::FormatMermaid(traces[i]);
      } else {
        out += scn::FormatTimeline(traces[i]);
      }
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  PrintSummary(traces);
  Exit(ExitStatus(traces));
}

}  // namespace

std::optional<std::vector<scn::Scenario>> ParseFiles(const std::vector<std::string>& files) {
  std::vector<scn::Scenario> scenarios;
  bool ok = true;
  for (const std::string& path : files) {
    const std::optional<std::string> text = ReadFile(path);
    if (!text) {
      const int err = errno;
      const std::string_view name = model::ErrnoName(model::Errno{err});
      std::fprintf(stderr, "%s: error: cannot read the file (%.*s)\n", path.c_str(),
                   static_cast<int>(name.size()), name.data());
      ok = false;
      continue;
    }
    scn::ParseResult r = scn::ParseScenario(path, *text);
    if (!r.scenario) {
      const std::string report = scn::FormatDiagnostics(r.diagnostics);
      std::fwrite(report.data(), 1, report.size(), stderr);
      ok = false;
      continue;
    }
    scenarios.push_back(std::move(*r.scenario));
  }
  if (!ok) {
    return std::nullopt;
  }
  return scenarios;
}

std::unique_ptr<scn::Backend> BackendOrExit(const std::string& name,
                                            const scn::RunOptions& options) {
  try {
    return MakeBackend(name, options);
  } catch (const BackendUnavailable& e) {
    std::fprintf(stderr, "seccomp-lab: error: %s\n", e.what());
    Exit(2);
  }
}

scn::Trace RunOne(scn::Backend& backend, const scn::Scenario& scenario,
                  const scn::RunOptions& options) {
  const std::string skip = backend.SkipReason(scenario);
  if (skip.empty()) {
    return backend.Run(scenario);
  }
  scn::Trace t;
  t.header.scenario = scenario.title;
  t.header.file = scenario.file;
  t.header.about = scenario.about;
  t.header.backend = backend.Name();
  t.header.seed = options.seed.value_or(scenario.seed);
  t.skipped = true;
  t.stop_reason = skip;
  return t;
}

int ExitStatus(const std::vector<scn::Trace>& traces) {
  int status = 0;
  for (const scn::Trace& t : traces) {
    if (t.runtime_error) {
      return 2;
    }
    if (t.Failures() > 0) {
      status = 1;
    }
  }
  return status;
}

void RegisterRunCommand(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand("run", "run scenarios and print their traces");
  run->add_option("--backend", flags->backend, "sim or live")
      ->check(CLI::IsMember({"sim", "live"}));
  run->add_option("--seed", flags->seed, "override the scenarios' seed");
  run->add_flag("--json", flags->json, "write the traces as JSON");
  run->add_flag("--mermaid", flags->mermaid, "write Mermaid sequence diagrams");
  run->add_option("--step-timeout-ms", flags->step_timeout_ms, "live: bound on each wait");
  run->add_option("--scenario-timeout-ms", flags->scenario_timeout_ms,
                  "live: bound on each scenario");
  run->add_option("FILE", flags->files, "scenario files (.scn)")->required();
  run->callback([flags] { RunCommand(*flags); });
}

}  // namespace sclab::cli
