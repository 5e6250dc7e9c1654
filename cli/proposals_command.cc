#include "cli/proposals_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "kernel_sim/proposals/registry.h"
#include "live/notify_round_trip.h"
#include "live/skip_reason.h"
#include "scenarios/parser.h"
#include "scenarios/proposal_report.h"

namespace sclab::cli {
namespace {

struct ProposalsFlags {
  uint32_t n = 64;
  bool json = false;
  bool layouts = false;
  bool verbs = false;
  std::string scenario;  // print this proposal's workload scenario instead
};

// RunSeconds is the wall-clock time of a run of `p`'s workload with `n`
// notifications (parsing excluded; the fastest of five, so a cold cache or a
// preempted run does not count), or a negative value when it does not parse.
double RunSeconds(const ksim::proposals::Proposal& p, uint32_t n) {
  scn::ParseResult parsed = scn::ParseScenario("workload.scn", scn::WorkloadScenario(p, n));
  if (!parsed.scenario) return -1;
  double best = -1;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)scn::CountRun(*parsed.scenario);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (best < 0 || seconds < best) best = seconds;
  }
  return best;
}

// SimThroughput is notifications per second of wall-clock time for `p`'s workload
// through the scenario runner, marginal: the run with `n` notifications minus the
// same run with none, so the setup (tasks, filter, listener) is not counted.
double SimThroughput(const ksim::proposals::Proposal& p, uint32_t n) {
  const double with_n = RunSeconds(p, n);
  const double with_none = RunSeconds(p, 0);
  if (with_n < 0 || with_none < 0 || with_n <= with_none) return 0;
  return n / (with_n - with_none);
}

// LiveRoundTrip is the real kernel's round trip for `today`, or why it was not measured.
std::string LiveRoundTrip() {
  const live::LiveHost host = live::ProbeLiveHost();
  if (!host.root) return "not measured: the runner is not root";
  if (!host.seccomp_filter) return "not measured: the kernel has no seccomp filters";
  if (!host.user_notif) return "not measured: the kernel offers no user notification";
  const live::RoundTrip plain = live::MeasureNotifyRoundTrip(20000, false);
  if (!plain.ok) return "not measured: " + plain.why;
  const live::RoundTrip sync = live::MeasureNotifyRoundTrip(20000, true);
  std::string out = fmt::format("{:.2f} us per RECV+SEND round trip (Linux {})",
                                1e6 / plain.per_second, host.kernel);
  if (sync.ok) out += fmt::format("; {:.2f} us with SYNC_WAKE_UP", 1e6 / sync.per_second);
  return out;
}

void ProposalsCommand(const ProposalsFlags& flags) {
  if (!flags.scenario.empty()) {
    const ksim::proposals::Proposal* p = ksim::proposals::FindProposal(flags.scenario);
    if (p == nullptr) {
      std::fprintf(stderr, "seccomp-lab: error: --scenario: unknown proposal `%s`\n",
                   flags.scenario.c_str());
      throw CLI::RuntimeError(2);
    }
    std::fputs(scn::WorkloadScenario(*p, flags.n).c_str(), stdout);
    return;
  }
  if (flags.layouts) {
    std::fputs(scn::RenderLayouts().c_str(), stdout);
    return;
  }
  if (flags.verbs) {
    std::fputs(scn::RenderVerbs().c_str(), stdout);
    return;
  }
  const std::vector<scn::ProposalRow> rows = scn::MeasureProposals(flags.n);
  const auto depth = scn::DepthRows();
  bool failed = false;
  for (const auto& r : rows) failed = failed || !r.error.empty();
  if (flags.json) {
    std::fputs(scn::RenderJson(flags.n, rows, depth).c_str(), stdout);
  } else {
    std::printf("seccomp-lab proposals --n=%u\n\n", flags.n);
    std::fputs(scn::RenderTable(rows, depth).c_str(), stdout);
    std::printf("\nSimulated throughput through the scenario runner (wall clock, this machine, the\n"
                "run with N notifications minus the run with none; not deterministic):\n\n");
    for (const ksim::proposals::Proposal* p : ksim::proposals::AllProposals()) {
      std::printf("%-13s %10.0f notifications/s\n", std::string(p->Name()).c_str(),
                  SimThroughput(*p, flags.n));
    }
    std::printf("\nReal kernel, today: %s\n", LiveRoundTrip().c_str());
  }
  if (failed) throw CLI::RuntimeError(1);
}

}  // namespace

void RegisterProposalsCommand(CLI::App& app) {
  auto flags = std::make_shared<ProposalsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "proposals", "run the standard workload on every API proposal and compare them");
  cmd->add_option("--n", flags->n, "notifications in the workload")->check(CLI::Range(1, 4096));
  cmd->add_flag("--json", flags->json, "print the deterministic part as JSON");
  cmd->add_flag("--layouts", flags->layouts, "print every proposal's records as byte maps");
  cmd->add_flag("--verbs", flags->verbs, "print every proposal's scenario verbs (markdown)");
  cmd->add_option("--scenario", flags->scenario,
                  "print NAME's standard-workload scenario (N notifications) and stop");
  cmd->callback([flags] { ProposalsCommand(*flags); });
}

}  // namespace sclab::cli
