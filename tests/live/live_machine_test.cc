#include <boost/test/unit_test.hpp>
#include "live/live_machine.h"
BOOST_AUTO_TEST_SUITE(live_machine)
BOOST_AUTO_TEST_CASE(spawns) {
  sclab::live::LiveMachine m;
  auto t = m.SpawnProcess("a", false);
  auto c = m.StartSyscall(t, 39, {});
  auto out = m.Poll(c);
  BOOST_TEST(out.ret == m.Pid(t));
}
BOOST_AUTO_TEST_SUITE_END()
