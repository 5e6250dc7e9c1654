#define BOOST_TEST_MODULE bpf
#include <boost/test/unit_test.hpp>
