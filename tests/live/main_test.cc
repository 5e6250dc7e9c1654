#define BOOST_TEST_MODULE live
#include <boost/test/unit_test.hpp>
