#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <regex>
#include <string>

#include "engine_fixture.hpp"

// Container names: Docker's random names, and claiming a name (stale links taken over).

using namespace skiff;
using namespace skiff::engine;
using namespace skiff::test;

BOOST_AUTO_TEST_SUITE(engine_names)

BOOST_AUTO_TEST_CASE(random_names_are_dockers) {
  EngineStore s;
  std::regex shape("[a-z]+_[a-z]+");
  for (int i = 0; i < 300; ++i) {
    std::string n = random_name(*s.e);
    BOOST_TEST(std::regex_match(n, shape), n);
    BOOST_TEST(n != "boring_wozniak");
    BOOST_TEST(bool(validate_name(n)), n);
  }
}

BOOST_AUTO_TEST_CASE(claiming_a_name) {
  EngineStore s;
  auto a = s.add(id_of('a'), "taken");
  BOOST_TEST(bool(claim_name(*s.e, "taken", a.id)), "the holder claims it again");
  auto c = claim_name(*s.e, "taken", id_of('b'));
  BOOST_REQUIRE(!c);
  BOOST_TEST(c.error().code == kConflict);
  BOOST_TEST(c.error().msg == "the container name \"/taken\" is already in use by container \"" + a.id +
                                  "\". You have to remove (or rename) that container to be able to reuse that name");
  // Stale links (a create or rename killed half-way) are taken over.
  std::string links = s.e->graph() + "/names/containers/";
  BOOST_REQUIRE(symlink(("../../containers/" + id_of('c')).c_str(), (links + "ghost").c_str()) == 0);  // no config
  BOOST_TEST(bool(claim_name(*s.e, "ghost", id_of('b'))));
  BOOST_REQUIRE(symlink(("../../containers/" + a.id).c_str(), (links + "old-name").c_str()) == 0);  // renamed since
  BOOST_TEST(bool(claim_name(*s.e, "old-name", id_of('b'))));
  char buf[256];
  ssize_t n = readlink((links + "old-name").c_str(), buf, sizeof buf);
  BOOST_REQUIRE(n > 0);
  BOOST_TEST(std::string(buf, size_t(n)) == "../../containers/" + id_of('b'));
}

BOOST_AUTO_TEST_SUITE_END()
