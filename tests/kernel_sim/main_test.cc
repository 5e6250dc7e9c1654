#define BOOST_TEST_MODULE kernel_sim_test
#include <boost/test/unit_test.hpp>
