#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/util/toml.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_toml)

BOOST_AUTO_TEST_CASE(toml_lines_of_values) {
  TomlLines lines;
  auto j = parse_toml("a = 1\n\n[[t]]\nx = true\n[[t]]\n\ny = [1,\n 2]\n", "f.toml", &lines);
  BOOST_REQUIRE(j);
  BOOST_TEST(lines.line_of({"a"}) == 1);
  BOOST_TEST(lines.line_of({"t", "0", "x"}) == 4);
  BOOST_TEST(lines.line_of({"t", "1", "y"}) == 7);
  BOOST_TEST(lines.line_of({"t", "1", "y", "1"}) == 8);
  BOOST_TEST(lines.line_of({"t", "1", "missing"}) == 5);  // nearest ancestor: the [[t]] header
  BOOST_TEST(lines.line_of({"nothing"}) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
