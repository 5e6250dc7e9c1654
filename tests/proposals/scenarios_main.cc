#define BOOST_TEST_MODULE proposals_scenarios
#include <boost/test/unit_test.hpp>
