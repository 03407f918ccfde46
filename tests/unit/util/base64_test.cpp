#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/util/base64.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_base64)

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

BOOST_AUTO_TEST_SUITE_END()
