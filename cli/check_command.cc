#include "cli/check_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/run_command.h"
#include "scenarios/difference_report.h"
#include "scenarios/trace.h"

namespace sclab::cli {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Exit(int code) { throw CLI::RuntimeError(code); }

struct CheckFlags {
  std::optional<uint64_t> seed;
  uint32_t repeat = 1;
  uint32_t step_timeout_ms = scn::RunOptions{}.step_timeout_ms;
  uint32_t scenario_timeout_ms = scn::RunOptions{}.scenario_timeout_ms;
  bool quiet = false;
  std::vector<std::string> paths;
};

// DefaultCorpus is the source tree's corpus, or ./scenarios/corpus when the binary
// runs away from its source tree.
std::string DefaultCorpus() {
  const fs::path built_in = fs::path(SCLAB_SOURCE_DIR) / "scenarios" / "corpus";
  std::error_code ec;
  if (fs::is_directory(built_in, ec)) return built_in.string();
  return "scenarios/corpus";
}

// ExpandPaths turns files and directories into a sorted list of .scn files;
// returns false (after printing why) for a path that does not exist.
bool ExpandPaths(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  bool ok = true;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(p, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".scn") {
          found.push_back(entry.path().string());
        }
      }
      if (ec) {
        std::fprintf(stderr, "%s: error: cannot list the directory\n", p.c_str());
        ok = false;
      }
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files->push_back(p);
    } else {
      std::fprintf(stderr, "%s: error: no such file or directory\n", p.c_str());
      ok = false;
    }
  }
  return ok;
}

// Verdict is one backend's column: "pass", "FAIL (n)", "error", "skipped".
std::string Verdict(const scn::Trace& t) {
  if (t.skipped) return "skipped";
  if (t.runtime_error || !t.stop_reason.empty()) return "error";
  if (t.Failures() > 0) return fmt::format("FAIL ({})", t.Failures());
  return "pass";
}

bool Passed(const scn::Trace& t) {
  return !t.skipped && !t.runtime_error && t.stop_reason.empty() && t.Failures() == 0;
}

// FailureReport lists a trace's failed events and its stop reason.
std::string FailureReport(const scn::Trace& t, std::string_view backend) {
  std::string out;
  if (!t.stop_reason.empty() && !t.skipped) {
    out += fmt::format("  {}: {}\n", backend, t.stop_reason);
  }
  for (const scn::Event& e : t.events) {
    if (!e.check.empty() && e.check != "ok") {
      out += fmt::format("  {}: line {}: {}: {}\n", backend, e.line, e.call, e.check);
    }
  }
  return out;
}

struct Row {
  std::string file, sim, live, agree;
};

// DisplayPath is `file` relative to the working directory when it lies below it
// (the default corpus is found by absolute path), else `file` as given.
std::string DisplayPath(const std::string& file) {
  std::error_code ec;
  const fs::path relative = fs::relative(file, fs::current_path(ec), ec);
  if (ec || relative.empty() || *relative.begin() == "..") return file;
  return relative.string();
}

void CheckCommand(const CheckFlags& flags) {
  std::vector<std::string> files;
  const std::vector<std::string> paths =
      flags.paths.empty() ? std::vector<std::string>{DefaultCorpus()} : flags.paths;
  if (!ExpandPaths(paths, &files)) Exit(2);
  if (files.empty()) {
    std::fprintf(stderr, "seccomp-lab: error: no .scn files found\n");
    Exit(2);
  }
  std::optional<std::vector<scn::Scenario>> scenarios = ParseFiles(files);
  if (!scenarios) Exit(2);

  scn::RunOptions options;
  options.seed = flags.seed;
  options.step_timeout_ms = flags.step_timeout_ms;
  options.scenario_timeout_ms = flags.scenario_timeout_ms;
  std::unique_ptr<scn::Backend> sim = BackendOrExit("sim", options);
  std::unique_ptr<scn::Backend> live = BackendOrExit("live", options);

  std::vector<Row> rows;
  std::string details;
  // Skips that are not failures, grouped by reason (in order of first appearance):
  // the proposal scenarios alone would otherwise repeat one sentence 23 times.
  std::vector<std::pair<std::string, std::vector<std::string>>> skips;
  size_t agree = 0, disagree = 0, skipped = 0, failed = 0;
  for (const scn::Scenario& s : *scenarios) {
    const scn::Trace sim_trace = RunOne(*sim, s, options);
    Row row{DisplayPath(s.file), Verdict(sim_trace), "", ""};
    std::string skip_reason;
    bool ok = Passed(sim_trace);
    std::string report = FailureReport(sim_trace, "sim");
    bool differs = false;
    for (uint32_t i = 0; i < std::max<uint32_t>(flags.repeat, 1); ++i) {
      const scn::Trace live_trace = RunOne(*live, s, options);
      if (live_trace.skipped) {
        row.live = "skipped";
        report += fmt::format("  live: skipped, because {}\n", live_trace.stop_reason);
        skip_reason = live_trace.stop_reason;
        ++skipped;
        break;
      }
      if (!Passed(live_trace)) {
        ok = false;
        if (row.live.empty() || row.live == "pass") row.live = Verdict(live_trace);
        report += FailureReport(live_trace, fmt::format("live (run {})", i + 1));
      } else if (row.live.empty()) {
        row.live = "pass";
      }
      if (!(live_trace == sim_trace)) {
        if (!differs) {
          report += scn::FormatFirstDifference(sim_trace, live_trace, "sim", "live");
          if (!report.empty() && report.back() != '\n') report += '\n';
        }
        differs = true;
      }
    }
    if (row.live == "skipped") {
      row.agree = "-";
      ok = ok && !differs;
    } else if (differs) {
      row.agree = flags.repeat > 1 ? "NO (flaky or differs)" : "NO";
      ok = false;
    } else {
      row.agree = "yes";
    }
    if (differs) {
      ++disagree;
    } else if (row.live != "skipped") {
      ++agree;
    }
    if (!ok) {
      ++failed;
      details += fmt::format("{}\n{}\n", row.file, report);
    } else if (!flags.quiet && row.live == "skipped") {
      auto it = std::find_if(skips.begin(), skips.end(),
                             [&](const auto& g) { return g.first == skip_reason; });
      if (it == skips.end()) it = skips.insert(skips.end(), {skip_reason, {}});
      it->second.push_back(row.file);
    }
    rows.push_back(std::move(row));
  }

  size_t width = 8;
  for (const Row& r : rows) width = std::max(width, r.file.size());
  std::string out = fmt::format("{:<{}}  {:<9}  {:<9}  {}\n", "scenario", width, "sim", "live",
                                "agree");
  for (const Row& r : rows) {
    out += fmt::format("{:<{}}  {:<9}  {:<9}  {}\n", r.file, width, r.sim, r.live, r.agree);
  }
  out += fmt::format(
      "\n{} scenarios: {} agree on both backends, {} differ, {} skipped on live, {} failed"
      "{}\n",
      rows.size(), agree, disagree, skipped, failed,
      flags.repeat > 1 ? fmt::format(" ({} live runs each)", flags.repeat) : "");
  for (const auto& [reason, skipped_files] : skips) {
    out += fmt::format("\nskipped on live, because {} ({}):\n", reason, skipped_files.size());
    for (const std::string& f : skipped_files) out += fmt::format("  {}\n", f);
  }
  if (!details.empty()) out += "\n" + details;
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  Exit(failed == 0 ? 0 : 1);
}

}  // namespace

void RegisterCheckCommand(CLI::App& app) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = app.add_subcommand(
      "check", "run scenarios on the simulator and on the real kernel and compare the traces");
  check->add_option("--seed", flags->seed, "override the scenarios' seed");
  check->add_option("--repeat", flags->repeat, "live runs per scenario (all must agree)")
      ->check(CLI::Range(1, 1000));
  check->add_option("--step-timeout-ms", flags->step_timeout_ms, "live: bound on each wait");
  check->add_option("--scenario-timeout-ms", flags->scenario_timeout_ms,
                    "live: bound on each scenario");
  check->add_flag("--quiet", flags->quiet, "do not list the reasons for skips");
  check->add_option("PATH", flags->paths, "scenario files or directories (default: the corpus)");
  check->callback([flags] { CheckCommand(*flags); });
}

}  // namespace sclab::cli
