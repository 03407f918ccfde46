#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/util/base64.hpp"
#include "skiff/util/toml.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_base64_toml)

BOOST_AUTO_TEST_CASE(base64_rfc4648_vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : kVectors) {
    BOOST_TEST(base64_encode(plain) == enc);
    BOOST_TEST(*base64_decode(enc) == plain);
  }
  BOOST_TEST(*base64_decode("Zm9vYg") == "foob");  // padding optional
  BOOST_TEST(*base64_decode("Zm9v\nYmFy") == "foobar");
  BOOST_TEST(!base64_decode("Zm9v!"));
  BOOST_TEST(!base64_decode("Z"));
  BOOST_TEST(!base64_decode("Zg==Zg"));
  std::string bin("\x00\xff\x10\x80", 4);
  BOOST_TEST(*base64_decode(base64_encode(bin)) == bin);
}

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
