// Trace equality, FirstDifference and the digest: only the compared fields count,
// every one of them does, and the digest of a fixed trace never changes.
#include "scenarios/trace.h"

#include <boost/test/unit_test.hpp>

#include "sample_traces.h"

namespace sclab::scn {
namespace {

using testing::SampleTrace;

BOOST_AUTO_TEST_SUITE(scn_trace)

BOOST_AUTO_TEST_CASE(identical_traces_are_equal_and_have_no_first_difference) {
  BOOST_TEST((SampleTrace() == SampleTrace()));
  BOOST_TEST(!FirstDifference(SampleTrace(), SampleTrace()).has_value());
}

BOOST_AUTO_TEST_CASE(headers_and_explanations_are_not_compared) {
  Trace a = SampleTrace();
  Trace b = SampleTrace();
  b.header.backend = "live";
  b.header.kernel = "6.18.0";
  b.header.seed = 99;
  b.events[3].reason = "something else";
  b.events[3].notes.clear();
  b.events[3].queue_state = "";
  b.events[5].listener = "";
  BOOST_TEST((a == b));
  BOOST_TEST(a.Digest() == b.Digest());
}

BOOST_AUTO_TEST_CASE(every_compared_field_changes_equality_and_digest) {
  const Trace base = SampleTrace();
  std::vector<Trace> changed(8, base);
  changed[0].events[5].line = 99;
  changed[1].events[5].actor = "target";
  changed[2].events[5].call = "recv(SL)";
  changed[3].events[5].outcome = "err ENOENT";
  changed[4].events[5].data[1].second = "runner";
  changed[5].events[5].check = "";
  changed[6].stop_reason = "x.scn:3:1: error: sup is busy";
  changed[7].skipped = true;
  for (size_t i = 0; i < changed.size(); ++i) {
    BOOST_TEST(!(changed[i] == base), "change " << i);
    BOOST_TEST(changed[i].Digest() != base.Digest(), "change " << i);
  }
  BOOST_TEST(*FirstDifference(base, changed[0]) == 5u);
  BOOST_TEST(*FirstDifference(base, changed[4]) == 5u);
}

BOOST_AUTO_TEST_CASE(a_prefix_differs_at_the_shorter_length) {
  Trace shorter = SampleTrace();
  shorter.events.resize(4);
  BOOST_TEST(*FirstDifference(SampleTrace(), shorter) == 4u);
  BOOST_TEST(*FirstDifference(shorter, SampleTrace()) == 4u);
}

BOOST_AUTO_TEST_CASE(equal_events_with_different_endings_differ_after_the_last_event) {
  Trace a = SampleTrace();
  Trace b = SampleTrace();
  b.runtime_error = true;
  BOOST_TEST(*FirstDifference(a, b) == a.events.size());
}

BOOST_AUTO_TEST_CASE(field_boundaries_cannot_be_confused) {
  Trace a = SampleTrace();
  Trace b = SampleTrace();
  a.events[0].actor = "ab";
  a.events[0].call = "c";
  b.events[0].actor = "a";
  b.events[0].call = "bc";
  BOOST_TEST(a.Digest() != b.Digest());
}

BOOST_AUTO_TEST_CASE(digest_is_pinned_for_a_fixed_trace) {
  // FNV-1a 64 over the canonical serialisation; a change here changes every
  // recorded digest, so it must be deliberate.
  BOOST_TEST(Trace{}.Digest() == "8af9437d9cb5d2df");
  BOOST_TEST(SampleTrace().Digest() == "7d161145ffae5c0d");
  BOOST_TEST(SampleTrace().Digest().size() == 16u);
}

BOOST_AUTO_TEST_CASE(failures_count_failed_checks_only) {
  BOOST_TEST(SampleTrace().Failures() == 1u);
  BOOST_TEST(Trace{}.Failures() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
