// ksim_id_index: the notification id index agrees with a std::map under a long
// random stream of inserts and erases (consecutive ids, as a listener hands out).
#include <boost/test/unit_test.hpp>

#include <map>

#include "base/rng.h"
#include "kernel_sim/id_index.h"
#include "kernel_sim/task.h"

namespace sclab::ksim::testing {

BOOST_AUTO_TEST_SUITE(ksim_id_index)

BOOST_AUTO_TEST_CASE(matches_a_map_under_random_inserts_and_erases) {
  IdIndex index;
  std::map<uint64_t, Task*> truth;
  Rng rng(42);
  uint64_t next = 0xfffffffffffff000ULL;  // wraps past 2^64, as next_id++ may
  std::vector<Task> tasks(64);
  for (int step = 0; step < 200000; ++step) {
    if (truth.size() < 40 && (truth.empty() || rng.Chance(3, 5))) {
      Task* t = &tasks[static_cast<size_t>(next % tasks.size())];
      index.Insert(next, t);
      truth[next] = t;
      ++next;
    } else {
      auto it = truth.begin();
      std::advance(it, static_cast<long>(rng.Below(truth.size())));
      index.Erase(it->first);
      truth.erase(it);
    }
    const uint64_t probe = next - 1 - rng.Below(80);
    auto it = truth.find(probe);
    BOOST_REQUIRE(index.Find(probe) == (it == truth.end() ? nullptr : it->second));
  }
  BOOST_TEST(index.size() == truth.size());
  BOOST_TEST(index.capacity() <= 64u);  // erases never grow the table
}

// Ids that share their low bits all want one slot: the Robin Hood order must still
// find and erase each of them, whatever the erase order.
BOOST_AUTO_TEST_CASE(matches_a_map_when_every_id_collides) {
  IdIndex index;
  std::map<uint64_t, Task*> truth;
  Rng rng(7);
  std::vector<Task> tasks(64);
  uint64_t next = 5;
  for (int step = 0; step < 50000; ++step) {
    if (truth.size() < 30 && (truth.empty() || rng.Chance(1, 2))) {
      Task* t = &tasks[static_cast<size_t>(step % 64)];
      index.Insert(next, t);
      truth[next] = t;
      next += 1024;  // the same home slot in every table up to 1024 slots
    } else {
      auto it = truth.begin();
      std::advance(it, static_cast<long>(rng.Below(truth.size())));
      index.Erase(it->first);
      truth.erase(it);
    }
    const uint64_t probe = next - 1024 * (1 + rng.Below(40));
    auto it = truth.find(probe);
    BOOST_REQUIRE(index.Find(probe) == (it == truth.end() ? nullptr : it->second));
  }
  BOOST_TEST(index.size() == truth.size());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sclab::ksim::testing
