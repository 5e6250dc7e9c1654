// The proposals report (scenarios/proposal_report.h): the numbers `seccomp-lab
// proposals` prints come from running each plug-in's supervisor in the simulator,
// they are deterministic, and the `today` row is what the `today` corpus scenario
// counts.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "kernel_sim/proposals/registry.h"
#include "scenarios/diagnostic.h"
#include "scenarios/parser.h"
#include "scenarios/proposal_report.h"
#include "scenarios/runner.h"
#include "scenarios/sim_backend.h"
#include "scenarios/sim_machine.h"

namespace sclab::scn {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Scenario MustParse(const std::string& name, const std::string& text) {
  ParseResult r = ParseScenario(name, text);
  BOOST_TEST_REQUIRE(r.diagnostics.empty(), FormatDiagnostics(r.diagnostics));
  return std::move(*r.scenario);
}

// SourcePath is `relative` under the source tree. (Built with fmt: GCC 12 reports a
// false -Warray-bounds in chains of std::string operator+ in this file once
// Boost.Test's headers come precompiled.)
std::string SourcePath(std::string_view relative) {
  return fmt::format("{}/{}", SCLAB_SOURCE_DIR, relative);
}

// Row of a temporary vector would dangle (ASan caught one).
const ProposalRow& Row(const std::vector<ProposalRow>&& rows, const std::string& name) = delete;
const ProposalRow& Row(const std::vector<ProposalRow>& rows, const std::string& name) {
  for (const ProposalRow& r : rows) {
    if (r.name == name) return r;
  }
  BOOST_FAIL("no row " + name);
  return rows.front();
}

BOOST_AUTO_TEST_SUITE(proposals_report)

BOOST_AUTO_TEST_CASE(every_workload_runs_clean_and_divides_exactly) {
  const auto rows = MeasureProposals(5);
  BOOST_TEST_REQUIRE(rows.size() == 7u);
  for (const ProposalRow& r : rows) {
    BOOST_TEST(r.error.empty(), r.name << ": " << r.error);
    BOOST_TEST(r.per.exact, r.name);
  }
}

BOOST_AUTO_TEST_CASE(the_json_is_deterministic_and_independent_of_n) {
  const std::string a = RenderJson(8, MeasureProposals(8), DepthRows());
  const std::string b = RenderJson(8, MeasureProposals(8), DepthRows());
  BOOST_TEST(a == b);
  // Per-notification numbers do not depend on N (setup is subtracted).
  const auto r3 = MeasureProposals(3);
  const auto r8 = MeasureProposals(8);
  for (size_t i = 0; i < r3.size(); ++i) {
    BOOST_TEST(r3[i].per.to_user_bytes == r8[i].per.to_user_bytes, r3[i].name);
    BOOST_TEST(r3[i].per.from_user_bytes == r8[i].per.from_user_bytes, r3[i].name);
    BOOST_TEST(r3[i].per.copy_ops == r8[i].per.copy_ops, r3[i].name);
    BOOST_TEST(r3[i].per.syscalls == r8[i].per.syscalls, r3[i].name);
  }
}

BOOST_AUTO_TEST_CASE(the_today_row_is_what_the_today_corpus_scenario_counts) {
  const std::string path =
      SourcePath("scenarios/corpus/proposals/today/standard_workload.scn");
  const Scenario corpus = MustParse(path, ReadFile(path));
  const auto* today = ksim::proposals::FindProposal("today");
  BOOST_TEST_REQUIRE(today != nullptr);
  const Scenario setup = MustParse("setup.scn", WorkloadScenario(*today, 0));
  const WorkloadCount with = CountRun(corpus);
  const WorkloadCount without = CountRun(setup);
  BOOST_TEST(with.failures == 0u);
  BOOST_TEST(with.error.empty(), with.error);
  const PerNotification per = Divide(with, without, 3);  // the corpus file answers 3
  BOOST_TEST(per.exact);
  const std::vector<ProposalRow> rows = MeasureProposals(8);
  const ProposalRow& row = Row(rows, "today");
  BOOST_TEST(per.to_user_bytes == row.per.to_user_bytes);
  BOOST_TEST(per.from_user_bytes == row.per.from_user_bytes);
  BOOST_TEST(per.copy_ops == row.per.copy_ops);
  BOOST_TEST(per.syscalls == row.per.syscalls);
  BOOST_TEST(per.steps == row.per.steps);
  // And what they are: RECV (check_zeroed_user 80, copy_to_user 80), process_vm_readv
  // (two iovecs of 16, 24 read from the target, 24 written), ID_VALID (8), SEND (24).
  BOOST_TEST(row.per.syscalls == 4u);
  BOOST_TEST(row.per.to_user_bytes == 80u + 24u);
  BOOST_TEST(row.per.from_user_bytes == 80u + 16u + 16u + 24u + 8u + 24u);
  BOOST_TEST(row.per.copy_ops == 8u);
}

BOOST_AUTO_TEST_CASE(the_corpus_workloads_are_the_generated_ones) {
  // Every standard_workload.scn is WorkloadScenario(p, 3) with an `about` block, so
  // a change to a plug-in's Workload shows up here.
  for (const auto* p : ksim::proposals::AllProposals()) {
    const std::string path = SourcePath(fmt::format(
        "scenarios/corpus/proposals/{}/standard_workload.scn", p->Name()));
    std::string text = ReadFile(path);
    const size_t about = text.find("about \"\"\"\n");
    const size_t end = text.find("\"\"\"\n", about + 10);
    BOOST_TEST_REQUIRE(about != std::string::npos, path);
    text.erase(about, end + 4 - about);
    BOOST_TEST(text == WorkloadScenario(*p, 3), path);
  }
}

BOOST_AUTO_TEST_CASE(only_deep_args_closes_the_toctou_window) {
  for (const ProposalRow& r : MeasureProposals(1)) {
    BOOST_TEST(r.toctou_free == (r.name == "deep_args"), r.name);
    BOOST_TEST(r.toctou_evidence == (r.name == "deep_args" ? "write() on the result: err EBADF"
                                                           : "write() on the result: ret 9"),
               r.name);
  }
}

BOOST_AUTO_TEST_CASE(designs_that_carry_open_how_need_two_syscalls) {
  const auto rows = MeasureProposals(4);
  BOOST_TEST(Row(rows, "ea_notif").per.syscalls == 5u);  // + close(pidfd)
  BOOST_TEST(Row(rows, "read_notif").per.syscalls == 4u);
  for (const char* name : {"perf_config", "notif_ptrs", "sizes_vector", "deep_args"}) {
    BOOST_TEST(Row(rows, name).per.syscalls == 2u, name);
  }
  // The flat record is smaller than the self-describing one, which holds everything.
  BOOST_TEST(Row(rows, "perf_config").per.to_user_bytes <
             Row(rows, "sizes_vector").per.to_user_bytes);
  // notif_ptrs reads its pointer block: more operations than one flat record.
  BOOST_TEST(Row(rows, "notif_ptrs").per.copy_ops > Row(rows, "perf_config").per.copy_ops);
}

BOOST_AUTO_TEST_CASE(the_layouts_section_names_every_proposal_and_both_abis) {
  const std::string layouts = RenderLayouts();
  for (const auto* p : ksim::proposals::AllProposals()) {
    BOOST_TEST(layouts.find("### " + std::string(p->Name()) + "\n") != std::string::npos);
  }
  BOOST_TEST(layouts.find("old ABI:") != std::string::npos);
  BOOST_TEST(layouts.find("new ABI:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_plugin_has_a_readme_and_three_corpus_scenarios_with_about) {
  namespace fs = std::filesystem;
  for (const auto* p : ksim::proposals::AllProposals()) {
    const std::string name(p->Name());
    const fs::path root(SCLAB_SOURCE_DIR);
    BOOST_TEST(fs::file_size(root / "kernel_sim/proposals" / name / "README.md") > 500u, name);
    size_t scenarios = 0;
    for (const auto& entry : fs::directory_iterator(root / "scenarios/corpus/proposals" / name)) {
      if (entry.path().extension() != ".scn") continue;
      const Scenario s = MustParse(entry.path().string(), ReadFile(entry.path().string()));
      BOOST_TEST(!s.about.empty(), entry.path());
      BOOST_TEST(s.requires_proposals.front() == name, entry.path());
      ++scenarios;
    }
    BOOST_TEST(scenarios >= 3u, name);
  }
}

BOOST_AUTO_TEST_CASE(every_corpus_proposal_scenario_passes_on_the_simulator) {
  namespace fs = std::filesystem;
  size_t ran = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SCLAB_SOURCE_DIR) /
                                                            "scenarios/corpus/proposals")) {
    if (entry.path().extension() != ".scn") continue;
    const Scenario s = MustParse(entry.path().string(), ReadFile(entry.path().string()));
    const Trace t = SimBackend().Run(s);
    BOOST_TEST(t.Failures() == 0u, entry.path());
    BOOST_TEST(!t.runtime_error, entry.path() << ": " << t.stop_reason);
    ++ran;
  }
  BOOST_TEST(ran >= 21u);
}

BOOST_AUTO_TEST_CASE(hooks_that_override_nothing_leave_the_kernel_as_it_is) {
  // proposal_hooks.h's promise: a hooks object with every default gives the run an
  // unset pointer gives, event for event and copy for copy.
  for (const char* file :
       {"notify/getppid_answered.scn", "supervisor/openat2_on_behalf_addfd_send.scn",
        "extensible_structs/openat2_fields.scn"}) {
    const std::string path = SourcePath(fmt::format("scenarios/corpus/{}", file));
    const Scenario s = MustParse(path, ReadFile(path));
    SimMachine plain{SimMachineOptions{}};
    SimMachineOptions hooked_options;
    hooked_options.proposals = std::make_shared<ksim::ProposalHooks>();
    SimMachine hooked{hooked_options};
    const Trace a = RunScenario(s, plain, RunOptions{});
    const Trace b = RunScenario(s, hooked, RunOptions{});
    BOOST_TEST_REQUIRE(a.events.size() == b.events.size(), file);
    for (size_t i = 0; i < a.events.size(); ++i) {
      BOOST_TEST(a.events[i].SameObservable(b.events[i]), file << " event " << i);
    }
    BOOST_TEST(a.Failures() == 0u, file);
    BOOST_TEST((plain.kernel().copies() == hooked.kernel().copies()), file);
    BOOST_TEST(plain.kernel().steps() == hooked.kernel().steps(), file);
  }
}

BOOST_AUTO_TEST_CASE(docs_proposals_md_holds_what_the_code_generates) {
  const std::string doc = ReadFile(SourcePath("docs/proposals.md"));
  const auto table = DocBlock(doc, "table");
  const auto verbs = DocBlock(doc, "verbs");
  const auto layouts = DocBlock(doc, "layouts");
  BOOST_TEST_REQUIRE(table.has_value());
  BOOST_TEST_REQUIRE(verbs.has_value());
  BOOST_TEST_REQUIRE(layouts.has_value());
  // Regenerate with `seccomp-lab proposals --n=64`, `--verbs` and `--layouts`.
  BOOST_TEST(*table == "```\n" + RenderTable(MeasureProposals(64), DepthRows()) + "```\n");
  BOOST_TEST(*verbs == RenderVerbs());
  BOOST_TEST(*layouts == RenderLayouts());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
