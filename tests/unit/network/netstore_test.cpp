#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "skiff/network/netstore.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::network;

BOOST_AUTO_TEST_SUITE(network_netstore)

BOOST_AUTO_TEST_CASE(subnets) {
  auto s = parse_subnet("10.90.0.0/24");
  BOOST_REQUIRE(s);
  BOOST_TEST(s->str() == "10.90.0.0/24");
  BOOST_TEST(s->contains(*parse_ipv4("10.90.0.200")));
  BOOST_TEST(!s->contains(*parse_ipv4("10.90.1.1")));
  BOOST_TEST(!parse_subnet("10.90.0.1/24"));
  BOOST_TEST(parse_subnet("10.90.0.1/24").error().msg.find("10.90.0.0/24") != std::string::npos);
  BOOST_TEST(!parse_subnet("10.90.0.0"));
  BOOST_TEST(!parse_subnet("10.90.0.0/31"));
  BOOST_TEST(!parse_subnet("fd00::/64"));
  BOOST_TEST(overlaps(*parse_subnet("10.90.0.0/16"), *parse_subnet("10.90.5.0/24")));
  BOOST_TEST(!overlaps(*parse_subnet("10.90.0.0/24"), *parse_subnet("10.90.1.0/24")));
  auto f = free_subnet({*parse_subnet("10.89.0.0/24"), *parse_subnet("10.89.0.0/23")});
  BOOST_REQUIRE(f);
  BOOST_TEST(f->str() == "10.89.2.0/24");
}

BOOST_AUTO_TEST_CASE(addresses) {
  auto s = *parse_subnet("10.9.0.0/30");  // .1 gateway, .2 the only host
  auto a = free_address(s, s.addr + 1, {});
  BOOST_REQUIRE(a);
  BOOST_TEST(ipv4_str(*a) == "10.9.0.2");
  BOOST_TEST(!free_address(s, s.addr + 1, {*a}));
}

BOOST_AUTO_TEST_CASE(store_create_find_remove) {
  char tmpl[] = "/tmp/netstore-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  NetStore st(dir + "/networks");
  auto l = st.list();
  BOOST_REQUIRE(l);
  BOOST_TEST(l->size() == 3u);
  CreateRequest r;
  r.name = "one";
  auto a = st.create(r);
  BOOST_REQUIRE(a);
  BOOST_TEST(a->subnet.str() == "10.89.0.0/24");
  BOOST_TEST(ipv4_str(a->gateway) == "10.89.0.1");
  r.name = "two";
  auto b = st.create(r);
  BOOST_REQUIRE(b);
  BOOST_TEST(b->subnet.str() == "10.89.1.0/24");
  BOOST_TEST(!st.create(r));  // name taken
  r.name = "three";
  r.subnet = "10.89.0.0/16";
  auto c = st.create(r);
  BOOST_REQUIRE(!c);
  BOOST_TEST(c.error().msg.find("overlaps") != std::string::npos);
  r.name = "bridge";
  r.subnet.clear();
  BOOST_TEST(!st.create(r));
  r.name = "bad name";
  BOOST_TEST(!st.create(r));
  auto f = st.find(a->id.substr(0, 6));
  BOOST_REQUIRE(f);
  BOOST_TEST(f->name == "one");
  BOOST_TEST(bool(st.remove("one")));
  BOOST_TEST(!st.find("one"));
  BOOST_TEST(st.find("one").error().msg == "network one not found");
  (void)remove_tree(dir);
}

BOOST_AUTO_TEST_SUITE_END()
