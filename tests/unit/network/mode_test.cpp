#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/network/mode.hpp"
#include "skiff/network/netinfo.hpp"

using namespace skiff;
using namespace skiff::network;

BOOST_AUTO_TEST_SUITE(network_mode)

BOOST_AUTO_TEST_CASE(default_spellings) {
  for (const char* v : {"", "bridge", "private", "default"}) {
    auto m = parse_mode(v);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->kind == "default");
  }
  BOOST_TEST(parse_mode("none")->kind == "none");
  BOOST_TEST(parse_mode("host")->kind == "host");
  BOOST_TEST(parse_mode("builtin")->kind == "builtin");
}

BOOST_AUTO_TEST_CASE(container_and_ns) {
  auto c = parse_mode("container:web");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->kind == "container");
  BOOST_TEST(c->arg == "web");
  auto n = parse_mode("ns:/run/netns/x");
  BOOST_REQUIRE(n);
  BOOST_TEST(n->kind == "ns");
  BOOST_TEST(n->arg == "/run/netns/x");
  BOOST_TEST(!parse_mode("container:"));
  BOOST_TEST(!parse_mode("ns:relative"));
}

BOOST_AUTO_TEST_CASE(slirp4netns_options) {
  auto m = parse_mode("slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.5.0.0/24,enable_ipv6=false,port_handler=slirp4netns");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->kind == "slirp4netns");
  BOOST_TEST(m->options.at("mtu") == "1500");
  BOOST_TEST(m->options.at("cidr") == "10.5.0.0/24");
  for (const char* bad : {"slirp4netns:mtu=abc", "slirp4netns:mtu=10", "slirp4netns:foo=1", "slirp4netns:mtu",
                          "slirp4netns:cidr=10.0.2.0", "slirp4netns:cidr=nope/24", "slirp4netns:allow_host_loopback=maybe",
                          "slirp4netns:port_handler=x"}) {
    auto r = parse_mode(bad);
    BOOST_TEST(!r, bad);
    if (!r) BOOST_TEST(r.error().code == kInvalid);
  }
}

BOOST_AUTO_TEST_CASE(pasta_args) {
  auto m = parse_mode("pasta:--mtu,1400,-4");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->kind == "pasta");
  BOOST_TEST(m->pasta_args == (std::vector<std::string>{"--mtu", "1400", "-4"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_mode_names_the_value) {
  auto m = parse_mode("nosuchnet");
  BOOST_REQUIRE(!m);
  BOOST_TEST(m.error().msg.find("\"nosuchnet\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(default_stack_choice) {
  BOOST_TEST(*default_stack("builtin") == "builtin");
  BOOST_TEST(*default_stack("slirp4netns") == "slirp4netns");
  BOOST_TEST(!default_stack("cni"));
}

BOOST_AUTO_TEST_CASE(slirp_plan_addresses) {
  auto n = plan("builtin", {});
  BOOST_REQUIRE(n);
  BOOST_TEST(n->ip == "10.0.2.100");
  BOOST_TEST(n->prefix == 24);
  BOOST_TEST(n->gateway == "10.0.2.2");
  BOOST_TEST(n->dns == "10.0.2.3");
  auto m = plan("slirp4netns", {{"cidr", "10.41.7.0/24"}, {"mtu", "1500"}, {"allow_host_loopback", "true"}});
  BOOST_REQUIRE(m);
  BOOST_TEST(m->ip == "10.41.7.100");
  BOOST_TEST(m->dns == "10.41.7.3");
  BOOST_TEST(m->mtu == 1500);
  BOOST_TEST(m->host_ip == "10.41.7.2");
}

BOOST_AUTO_TEST_CASE(netinfo_round_trip) {
  NetInfo n;
  n.mode = "pasta";
  n.ip = "192.0.2.2";
  n.prefix = 24;
  n.gateway = "192.0.2.1";
  n.dns = "169.254.1.1";
  n.host_ip = "192.0.2.1";
  n.iface = "eth0";
  auto back = netinfo_from_json(to_json(n));
  BOOST_TEST(back.ip == n.ip);
  BOOST_TEST(back.dns == n.dns);
  BOOST_TEST(back.host_ip == n.host_ip);
  BOOST_TEST(back.has_stack());
  StackConfig c;
  c.info = n;
  c.extra_args = {"-t", "8080:80"};
  c.options = {{"mtu", "1500"}};
  auto c2 = stack_config_from_json(to_json(c));
  BOOST_TEST(c2.extra_args == c.extra_args, boost::test_tools::per_element());
  BOOST_TEST(c2.options.at("mtu") == "1500");
}

BOOST_AUTO_TEST_SUITE_END()
