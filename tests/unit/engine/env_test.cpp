#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <string>
#include <vector>

#include "../storage/fixture.hpp"
#include "engine/env.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::engine;
using skiff::test::TempDir;

namespace {

using Env = std::vector<std::string>;

Env from_file(const std::string& text, Env env = {}) {
  TempDir t;
  BOOST_REQUIRE(write_file_atomic(t.sub("env"), text, 0600, false));
  auto st = add_env_file(env, t.sub("env"));
  BOOST_REQUIRE_MESSAGE(st, test::why(st));
  return env;
}

std::string file_error(const std::string& text) {
  TempDir t;
  BOOST_REQUIRE(write_file_atomic(t.sub("env"), text, 0600, false));
  Env env;
  auto st = add_env_file(env, t.sub("env"));
  return st ? std::string() : st.error().msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_env)

BOOST_AUTO_TEST_CASE(later_values_replace_earlier_ones_in_place) {
  Env env;
  BOOST_REQUIRE(add_env(env, "A=1", "image"));
  BOOST_REQUIRE(add_env(env, "B=2", "image"));
  BOOST_REQUIRE(add_env(env, "A=3", "-e"));
  BOOST_REQUIRE(add_env(env, "AB=4", "-e"));  // a name that starts like another is another
  BOOST_REQUIRE(add_env(env, "C=", "-e"));
  BOOST_REQUIRE(add_env(env, "D=x=y", "-e"));
  BOOST_TEST(env == (Env{"A=3", "B=2", "AB=4", "C=", "D=x=y"}), boost::test_tools::per_element());
  BOOST_TEST(add_env(env, "=x", "-e").error().msg == "invalid environment variable: =x");
}

BOOST_AUTO_TEST_CASE(a_bare_name_copies_the_callers_value) {
  setenv("SKIFF_TEST_ENV_SET", "from host", 1);
  unsetenv("SKIFF_TEST_ENV_UNSET");
  Env env{"SKIFF_TEST_ENV_UNSET=image"};
  BOOST_REQUIRE(add_env(env, "SKIFF_TEST_ENV_SET", "-e"));
  BOOST_REQUIRE(add_env(env, "SKIFF_TEST_ENV_UNSET", "-e"));
  BOOST_TEST(env == (Env{"SKIFF_TEST_ENV_UNSET=image", "SKIFF_TEST_ENV_SET=from host"}),
             "an unset one is left out (the earlier value stays)");
  unsetenv("SKIFF_TEST_ENV_SET");
}

BOOST_AUTO_TEST_CASE(env_file_format) {
  setenv("SKIFF_TEST_ENV_SET", "host", 1);
  auto env = from_file(
      "# a comment\n"
      "\n"
      "   \t\n"
      "A=1\n"
      "  B=two words  \n"         // leading whitespace trimmed, trailing kept
      "C=\"quoted\"\n"            // quotes are part of the value
      "D=with # no comment\n"
      "  # an indented comment\n"
      "E=crlf\r\n"
      "SKIFF_TEST_ENV_SET\n"
      "SKIFF_TEST_ENV_NOT_SET_AT_ALL\n"
      "A=again",                  // no final newline
      {"Z=image"});
  BOOST_TEST(env == (Env{"Z=image", "A=again", "B=two words  ", "C=\"quoted\"", "D=with # no comment", "E=crlf",
                         "SKIFF_TEST_ENV_SET=host"}),
             boost::test_tools::per_element());
  unsetenv("SKIFF_TEST_ENV_SET");
}

BOOST_AUTO_TEST_CASE(env_file_errors) {
  BOOST_TEST(file_error("A=1\nBAD KEY=1\n").find("variable 'BAD KEY' contains whitespaces") != std::string::npos);
  BOOST_TEST(file_error("A\tB=1\n").find("contains whitespaces") != std::string::npos);
  BOOST_TEST(file_error("=value\n") == "invalid environment variable: =value");
  Env env;
  auto st = add_env_file(env, "/nonexistent/skiff-env-file");
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().msg.find("open env file `/nonexistent/skiff-env-file`") == 0);
}

BOOST_AUTO_TEST_CASE(env_file_byte_order_mark) {
  // Files saved by Windows editors start with a UTF-8 BOM: Docker drops it.
  BOOST_TEST(from_file("\xEF\xBB\xBF" "A=1\nB=2\n") == (Env{"A=1", "B=2"}), boost::test_tools::per_element());
  BOOST_TEST(from_file("A=\xEF\xBB\xBF\n") == (Env{"A=\xEF\xBB\xBF"}), "only at the start of the file");
}

BOOST_AUTO_TEST_CASE(an_image_cannot_read_the_callers_variables) {
  setenv("SKIFF_TEST_SECRET", "s3cret", 1);
  Env env;
  BOOST_REQUIRE(add_image_env(env, "PATH=/usr/bin"));
  BOOST_REQUIRE(add_image_env(env, "SKIFF_TEST_SECRET"));
  BOOST_REQUIRE(add_image_env(env, "EMPTY="));
  BOOST_TEST(env == (Env{"PATH=/usr/bin", "EMPTY="}), boost::test_tools::per_element());
  BOOST_REQUIRE(add_env(env, "SKIFF_TEST_SECRET", "-e"));
  BOOST_TEST(env.back() == "SKIFF_TEST_SECRET=s3cret", "the user's own -e NAME still copies it");
  unsetenv("SKIFF_TEST_SECRET");
}

BOOST_AUTO_TEST_SUITE_END()
