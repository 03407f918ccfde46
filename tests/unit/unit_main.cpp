// Boost.Test entry point for every unit test under tests/unit/<module>/.
#define BOOST_TEST_MODULE skiff
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
