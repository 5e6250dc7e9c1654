#define BOOST_TEST_MODULE proposals
#include <boost/test/unit_test.hpp>
