#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "skiff/network/names.hpp"

using namespace skiff;
using namespace skiff::network;

BOOST_AUTO_TEST_SUITE(network_names)

BOOST_AUTO_TEST_CASE(hosts_default_layout) {
  HostsInput in;
  in.extra = {{"10.1.2.3", {"db"}}, {"fd00::5", {"v6"}}};
  in.peers = {{"10.89.0.3", {"web", "web.alias"}}};
  in.host_ip = "169.254.1.2";
  in.ip = "10.89.0.2";
  in.self = {"abc123def456", "myname", "abc123def456", ""};
  std::string h = hosts_file(in);
  BOOST_TEST(h.rfind(default_hosts_base(), 0) == 0);
  BOOST_TEST(h.substr(default_hosts_base().size()) ==
             "10.1.2.3\tdb\nfd00::5\tv6\n10.89.0.3\tweb web.alias\n"
             "169.254.1.2\thost.containers.internal host.docker.internal\n10.89.0.2\tabc123def456 myname\n");
}

BOOST_AUTO_TEST_CASE(hosts_base_and_no_address) {
  HostsInput in;
  in.base = "1.2.3.4 custom";  // no final newline
  in.self = {"h"};
  BOOST_TEST(hosts_file(in) == "1.2.3.4 custom\n127.0.1.1\th\n");
  in.base = "";
  BOOST_TEST(hosts_file(in) == "127.0.1.1\th\n");
}

BOOST_AUTO_TEST_CASE(resolv_replaces_loopback_with_stack_dns) {
  ResolvInput in;
  in.host_text = "# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch a.example b.example\noptions edns0 trust-ad\n";
  BOOST_TEST(resolv_conf(in) == "search a.example b.example\nnameserver 192.0.2.1\noptions edns0 trust-ad\n");
  in.stack_dns = "10.0.2.3";
  BOOST_TEST(resolv_conf(in) == "search a.example b.example\nnameserver 10.0.2.3\noptions edns0 trust-ad\n");
  in.host_text = "nameserver ::1\n";
  BOOST_TEST(resolv_conf(in) == "nameserver 10.0.2.3\n");
  in.host_network = true;
  in.stack_dns.clear();
  BOOST_TEST(resolv_conf(in) == "nameserver ::1\n");
}

BOOST_AUTO_TEST_CASE(resolv_flags_replace_each_part) {
  ResolvInput in;
  in.host_text = "nameserver 192.0.2.1\nsearch host.example\noptions ndots:1\nsortlist 130.155.160.0/255.255.240.0\n";
  in.servers = {"192.0.2.9", "2001:db8::1"};
  BOOST_TEST(resolv_conf(in) ==
             "search host.example\nnameserver 192.0.2.9\nnameserver 2001:db8::1\noptions ndots:1\n"
             "sortlist 130.155.160.0/255.255.240.0\n");
  in.searches = {"."};
  in.options = {"ndots:3", "timeout:2"};
  BOOST_TEST(resolv_conf(in) ==
             "nameserver 192.0.2.9\nnameserver 2001:db8::1\noptions ndots:3 timeout:2\nsortlist 130.155.160.0/255.255.240.0\n");
  in.searches = {"x.example", "y.example"};
  BOOST_TEST(resolv_conf(in).starts_with("search x.example y.example\n"));
}

BOOST_AUTO_TEST_CASE(add_host_forms) {
  auto a = parse_add_host("db:10.0.0.5");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->ip == "10.0.0.5");
  BOOST_TEST(a->names[0] == "db");
  auto b = parse_add_host("v6:2001:db8::1");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->ip == "2001:db8::1");
  auto c = parse_add_host("gw=host-gateway");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->ip == "host-gateway");
  auto d = parse_add_host("x:[::1]");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->ip == "::1");
  BOOST_TEST(!parse_add_host("nocolon"));
  BOOST_TEST(!parse_add_host("db:notanip"));
  BOOST_TEST(!parse_add_host(":1.2.3.4"));
  BOOST_TEST(!parse_add_host("bad name:1.2.3.4"));
  BOOST_TEST(parse_add_host("db:notanip").error().msg.find("notanip") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dns_and_mac_checks) {
  BOOST_TEST(bool(check_dns_server("192.0.2.1")));
  BOOST_TEST(bool(check_dns_server("2001:db8::1")));
  BOOST_TEST(!check_dns_server("dns.example"));
  BOOST_TEST(bool(check_dns_search(".")));
  BOOST_TEST(bool(check_dns_search("corp.example.")));
  BOOST_TEST(!check_dns_search("bad domain"));
  BOOST_TEST(bool(check_mac("92:d0:c6:0a:29:33")));
  BOOST_TEST(!check_mac("92:d0:c6:0a:29"));
  BOOST_TEST(!check_mac("92-d0-c6-0a-29-33"));
}

BOOST_AUTO_TEST_CASE(links) {
  auto l = parse_link("db:database");
  BOOST_REQUIRE(l);
  BOOST_TEST(l->container == "db");
  BOOST_TEST(l->alias == "database");
  auto m = parse_link("/web");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->alias == "web");
  BOOST_TEST(!parse_link("db:"));
  BOOST_TEST(!parse_link(""));
}

BOOST_AUTO_TEST_CASE(link_variables_as_moby) {
  auto v = link_env("my-db", "app", "10.0.0.2", {"6379/tcp", "53/udp"}, {"PATH=/bin", "PASSWORD=x=y", "HOME=/root"});
  std::vector<std::string> want = {
      "MY_DB_PORT=udp://10.0.0.2:53",
      "MY_DB_PORT_53_UDP=udp://10.0.0.2:53", "MY_DB_PORT_53_UDP_ADDR=10.0.0.2", "MY_DB_PORT_53_UDP_PORT=53",
      "MY_DB_PORT_53_UDP_PROTO=udp",
      "MY_DB_PORT_6379_TCP=tcp://10.0.0.2:6379", "MY_DB_PORT_6379_TCP_ADDR=10.0.0.2", "MY_DB_PORT_6379_TCP_PORT=6379",
      "MY_DB_PORT_6379_TCP_PROTO=tcp",
      "MY_DB_NAME=/app/my-db", "MY_DB_ENV_PASSWORD=x=y"};
  BOOST_TEST(v == want, boost::test_tools::per_element());
  auto r = link_env("r", "a", "1.1.1.1", {"8000/tcp", "8001/tcp", "8002/tcp"}, {});
  BOOST_TEST((std::find(r.begin(), r.end(), "R_PORT_8000_TCP_START=tcp://1.1.1.1:8000") != r.end()));
  BOOST_TEST((std::find(r.begin(), r.end(), "R_PORT_8000_TCP_PORT_END=8002") != r.end()));
}

BOOST_AUTO_TEST_SUITE_END()
