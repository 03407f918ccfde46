#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/util/json.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_json)

BOOST_AUTO_TEST_CASE(strings_of_keeps_the_strings_of_an_array) {
  auto j = parse_json(R"(["sh", 1, "-c", null, "echo hi"])");
  BOOST_REQUIRE(j);
  BOOST_TEST((strings_of(*j) == std::vector<std::string>{"sh", "-c", "echo hi"}));
}

BOOST_AUTO_TEST_CASE(strings_of_anything_but_an_array_is_empty) {
  BOOST_TEST(strings_of(Json()).empty());
  BOOST_TEST(strings_of(Json("sh")).empty());
  BOOST_TEST(strings_of(Json::object({{"a", "b"}})).empty());
}

BOOST_AUTO_TEST_SUITE_END()
