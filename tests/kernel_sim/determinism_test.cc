// ksim_determinism: one seed, one run: the same calls give byte-identical state dumps
// and kernel notes; another seed draws other notification ids (base/rng.h "ids").
#include <boost/test/unit_test.hpp>

#include "tests/kernel_sim/notify_harness.h"

namespace sclab::ksim::testing {

namespace {

struct Run {
  std::string dump;
  std::vector<std::string> notes;
  uint64_t id = 0;
};

Run Workload(uint64_t seed) {
  Sim s(seed);
  Notify n(s);
  const Pid child = s.Fork(n.target);
  const Pid other = s.Spawn();
  BOOST_TEST(s.Handle(n.target, 10, true) == 0);
  const CallHandle c1 = n.Trigger();
  const CallHandle c2 = n.Trigger(child);
  BOOST_TEST(s.Tgkill(other, n.target, 10) == 0);
  Run run;
  BOOST_TEST(s.Recv(n.sup, 3, &run.id) == 0);
  BOOST_TEST(s.Addfd(n.sup, 3, run.id, 0) >= 0);
  BOOST_TEST(s.Send(n.sup, 3, run.id, 5) == 0);
  (void)s.Start(other, nr::kExitGroup, {3});
  run.dump = s.Dump();
  run.notes = s.k().DrainNotes();
  (void)c1;
  (void)c2;
  return run;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ksim_determinism)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_byte_identical_dumps_and_notes) {
  const Run a = Workload(7);
  const Run b = Workload(7);
  BOOST_TEST(a.dump == b.dump);
  BOOST_TEST(a.notes == b.notes);
  BOOST_TEST(a.notes.size() > 10u);
}

BOOST_AUTO_TEST_CASE(another_seed_draws_other_notification_ids) {
  const Run a = Workload(7);
  const Run b = Workload(8);
  BOOST_TEST(a.id != b.id);
  BOOST_TEST(a.dump != b.dump);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
