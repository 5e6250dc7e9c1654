// The output formats of a trace: the timeline (plain and explained), JSON (and its
// round trip), Mermaid, and the first-difference report, against golden files —
// for a hand-built sample trace and for two real corpus scenarios run on SimBackend
// (deterministic: same seed, same trace).
//
// Regenerate every golden file after a deliberate output change, then review the diff:
//
//   SCLAB_UPDATE_GOLDEN=1 build/tests/scenarios/scenarios_test -t 'scn_golden*'
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "golden.h"
#include "sample_traces.h"
#include "test_files.h"
#include "scenarios/difference_report.h"
#include "scenarios/mermaid.h"
#include "scenarios/parser.h"
#include "scenarios/sim_backend.h"
#include "scenarios/timeline.h"
#include "scenarios/trace_json.h"

namespace sclab::scn {
namespace {

using testing::CheckGolden;
using testing::SampleTrace;

BOOST_AUTO_TEST_SUITE(scn_golden_outputs)

// Two corpus scenarios on the simulator: the plain supervisor round trip, and a
// signal after RECV with SA_RESTART (withdrawn notification, restart, new id).
BOOST_DATA_TEST_CASE(corpus_timeline_and_mermaid_on_sim,
                     boost::unit_test::data::make({"notify/getppid_answered",
                                                   "signals/after_recv_sa_restart"}),
                     name) {
  const std::string file = std::string(name) + ".scn";
  ParseResult parsed =
      ParseScenario(file, testing::ReadSourceFile("scenarios/corpus/" + file));
  BOOST_REQUIRE(parsed.scenario.has_value());
  SimBackend sim;
  const Trace trace = sim.Run(*parsed.scenario);
  BOOST_TEST(trace.Failures() == 0u);
  std::string golden = "corpus_" + std::string(name);
  for (char& c : golden) {
    if (c == '/') c = '_';
  }
  CheckGolden(golden + "_timeline", FormatTimeline(trace));
  CheckGolden(golden + "_mermaid", FormatMermaid(trace));
}

BOOST_AUTO_TEST_CASE(timeline_starts_with_the_seed_and_ends_with_the_digest) {
  const std::string text = FormatTimeline(SampleTrace());
  BOOST_TEST(text.rfind("seed=7\n", 0) == 0u);
  BOOST_TEST(text.find("digest=" + SampleTrace().Digest() + "\n") == text.size() - 24);
  CheckGolden("timeline_sample", text);
}

BOOST_AUTO_TEST_CASE(explained_timeline_adds_about_reasons_notes_and_queues) {
  const std::string text = FormatTimeline(SampleTrace(), {.explain = true});
  BOOST_TEST(text.find("The supervisor answers with a fake value.") != std::string::npos);
  BOOST_TEST(text.find("why: filter notify_getppid returned USER_NOTIF") != std::string::npos);
  CheckGolden("timeline_sample_explained", text);
}

BOOST_AUTO_TEST_CASE(timeline_reports_a_run_time_error_and_a_skip) {
  Trace t = SampleTrace();
  t.events.resize(2);
  t.runtime_error = true;
  t.stop_reason = "notify/getppid.scn:15:1: error: target is still inside `getppid() &`";
  const std::string text = FormatTimeline(t);
  BOOST_TEST(text.find("\nstopped: notify/getppid.scn:15:1: error: target is still inside") !=
             std::string::npos);
  BOOST_TEST(text.find("\n2 events, 0 failed, run-time error\n") != std::string::npos);
  Trace s;
  s.skipped = true;
  s.stop_reason = "requires kernel >= 9.0";
  BOOST_TEST(FormatTimeline(s).find("\nskipped: requires kernel >= 9.0\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mermaid_has_tasks_kernel_and_listener_lifelines) {
  const std::string text = FormatMermaid(SampleTrace());
  BOOST_TEST(text.rfind("sequenceDiagram\n    participant target\n    participant sup\n"
                        "    participant kernel\n    participant lst1 as listener L\n",
                        0) == 0u);
  BOOST_TEST(text.find("    kernel->>lst1: id=n1 pid=target") != std::string::npos);
  BOOST_TEST(text.find("    lst1-->>sup: ret 0\n") != std::string::npos);
  BOOST_TEST(text.find("    kernel--)target: blocked\n") != std::string::npos);
  BOOST_TEST(text.find("Note over kernel: FAIL: expected ret 4243, got ret 4242") !=
             std::string::npos);
  CheckGolden("mermaid_sample", text);
}

BOOST_AUTO_TEST_CASE(mermaid_escapes_what_would_break_its_parser) {
  Trace t;
  Event e;
  e.line = 3;
  e.actor = "p";
  e.call = "write(1, \"a;b#c<d>\", 8)";
  e.outcome = "ret 8";
  t.events.push_back(e);
  BOOST_TEST(FormatMermaid(t).find("p->>kernel: L3 write(1, \"a#59;b#35;c#lt;d#gt;\", 8)\n") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_round_trips_every_field) {
  Trace t = SampleTrace();
  t.runtime_error = true;
  t.stop_reason = "x.scn:1:2: error: why";
  t.header.runner_status = "Seccomp: 0";
  t.header.user_notif = false;
  const std::string json = TraceToJson(t);
  const TraceJsonResult back = TraceFromJson(json, "t.json");
  BOOST_TEST_REQUIRE(back.trace.has_value(), back.error);
  BOOST_TEST((*back.trace == t));
  BOOST_TEST(back.trace->header.runner_status == "Seccomp: 0");
  BOOST_TEST(!back.trace->header.user_notif);
  BOOST_TEST(back.trace->header.seed == 7u);
  BOOST_TEST(back.trace->events[3].notes == t.events[3].notes);
  BOOST_TEST(back.trace->events[3].reason == t.events[3].reason);
  BOOST_TEST(back.trace->events[5].listener == "L");
  BOOST_TEST(json.find("\"digest\": \"" + t.Digest() + "\"") != std::string::npos);
  BOOST_TEST(json.find("\"failures\": 1") != std::string::npos);
  CheckGolden("json_sample", TraceToJson(SampleTrace()));
}

BOOST_AUTO_TEST_CASE(json_of_several_traces_is_one_document) {
  const std::string json = TracesToJson({SampleTrace(), Trace{}});
  BOOST_TEST(json.rfind("{\n    \"traces\": [\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_an_error_message_not_an_exception) {
  for (std::string_view bad : {"", "{", "[1,2]", "{\"header\": 5}", "not json at all"}) {
    const TraceJsonResult r = TraceFromJson(bad, "bad.json");
    BOOST_TEST(!r.trace.has_value());
    BOOST_TEST(r.error.rfind("bad.json: error: not a seccomp-lab trace: ", 0) == 0u, r.error);
  }
}

BOOST_AUTO_TEST_CASE(difference_report_puts_the_first_differing_event_side_by_side) {
  Trace live = SampleTrace();
  live.header.backend = "live";
  live.events[5].outcome = "err ENOENT";
  live.events[5].data.clear();
  live.events[5].check = "FAIL: expected ret 0, got err ENOENT";
  const std::string text = FormatFirstDifference(SampleTrace(), live, "sim", "live");
  BOOST_TEST(text.rfind("first difference at event 6 (line 18):\n", 0) == 0u);
  BOOST_TEST(text.find("  outcome    ret 0               err ENOENT  <>\n") != std::string::npos,
             text);
  BOOST_TEST(text.find("  data.nr    getppid             —  <>\n") != std::string::npos, text);
  BOOST_TEST(text.find("  actor      sup                 sup\n") != std::string::npos, text);
  CheckGolden("difference_sample", text);
}

BOOST_AUTO_TEST_CASE(difference_report_of_equal_traces_says_so) {
  BOOST_TEST(FormatFirstDifference(SampleTrace(), SampleTrace(), "sim", "live") ==
             "traces agree (10 events, digest=" + SampleTrace().Digest() + ")\n");
}

BOOST_AUTO_TEST_CASE(difference_report_shows_a_missing_event_and_a_different_ending) {
  Trace shorter = SampleTrace();
  shorter.events.resize(9);
  const std::string text = FormatFirstDifference(SampleTrace(), shorter, "sim", "live");
  BOOST_TEST(text.find("  outcome    err EPERM            (no event)  <>\n") != std::string::npos,
             text);
  Trace stopped = SampleTrace();
  stopped.runtime_error = true;
  stopped.stop_reason = "x";
  BOOST_TEST(FormatFirstDifference(SampleTrace(), stopped, "sim", "live") ==
             "traces agree on all 10 events but end differently:\n"
             "          sim        live\n"
             "  ending  completed  run-time error: x  <>\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
