#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/network/ports.hpp"

using namespace skiff;
using namespace skiff::network;

BOOST_AUTO_TEST_SUITE(network_ports)

BOOST_AUTO_TEST_CASE(publish_forms) {
  auto one = [](const std::string& s) {
    auto r = parse_publish(s);
    BOOST_REQUIRE_MESSAGE(r, s + ": " + (r ? "" : r.error().msg));
    BOOST_REQUIRE_EQUAL(r->size(), 1u);
    auto& m = (*r)[0];
    return m.host_ip + "|" + m.host_port + "|" + std::to_string(m.container_port) + "/" + m.proto;
  };
  BOOST_TEST(one("80") == "||80/tcp");
  BOOST_TEST(one("8080:80") == "|8080|80/tcp");
  BOOST_TEST(one("127.0.0.1:8080:80") == "127.0.0.1|8080|80/tcp");
  BOOST_TEST(one("127.0.0.1::80") == "127.0.0.1||80/tcp");
  BOOST_TEST(one("[::1]:8080:80/udp") == "::1|8080|80/udp");
  BOOST_TEST(one("::1:8080:80") == "::1|8080|80/tcp");
  BOOST_TEST(one("8080:80/UDP") == "|8080|80/udp");
  BOOST_TEST(one("8080:80/") == "|8080|80/tcp");
  BOOST_TEST(one("8000-8010:80") == "|8000-8010|80/tcp");
  BOOST_TEST(one("published=8080,target=80,protocol=udp") == "|8080|80/udp");
  auto r = parse_publish("8000-8002:9000-9002");
  BOOST_REQUIRE(r);
  BOOST_REQUIRE_EQUAL(r->size(), 3u);
  BOOST_TEST((*r)[2].host_port == "8002");
  BOOST_TEST((*r)[2].container_port == 9002);
  r = parse_publish("9000-9001");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->size() == 2u);
  BOOST_TEST((*r)[1].host_port == "");
}

BOOST_AUTO_TEST_CASE(publish_errors_are_dockers) {
  auto err = [](const std::string& s) {
    auto r = parse_publish(s);
    return r ? std::string("ok") : r.error().msg;
  };
  BOOST_TEST(err("70000") == "invalid containerPort: 70000");
  BOOST_TEST(err("70000:80") == "invalid hostPort: 70000");
  BOOST_TEST(err("-1:80") == "invalid hostPort: -1");
  BOOST_TEST(err("8080:80/sctpx") == "invalid proto: sctpx");
  BOOST_TEST(err("1.2.3.4.5:80:80") == "invalid IP address: 1.2.3.4.5");
  BOOST_TEST(err("[::1:80:80") == "invalid IP address [::1: missing ']' in address");
  BOOST_TEST(err("8080-8081:80-82") == "invalid ranges specified for container and host Ports: 80-82 and 8080-8081");
  BOOST_TEST(err("8080:") == "no port specified: 8080:<empty>");
  BOOST_TEST(err("") == "no port specified: <empty>");
  BOOST_TEST(err("0") == "invalid containerPort: 0");
  BOOST_TEST(err("a=b,c") == "invalid publish opts format (should be name=value but got 'c')");
}

BOOST_AUTO_TEST_CASE(expose) {
  auto r = parse_expose("8000-8002/udp");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->size() == 3u);
  BOOST_TEST((*r)[0] == "8000/udp");
  BOOST_TEST(parse_expose("80:80").error().msg == "invalid port format for --expose: 80:80");
  BOOST_TEST(parse_expose("abc").error().msg ==
             "invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax");
  BOOST_TEST(parse_expose("9-1").error().msg ==
             "invalid range format for --expose: 9-1, error: invalid range specified for port: 9-1");
}

BOOST_AUTO_TEST_CASE(ps_column_groups_as_docker) {
  Json ports = Json::parse(R"({
    "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
    "443/tcp": null,
    "8000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8000"}],
    "8001/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8001"}],
    "8002/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8002"}],
    "9000/udp": null, "9001/udp": null
  })");
  BOOST_TEST(displayable_ports(ports) ==
             "443/tcp, 0.0.0.0:8000-8002->8000-8002/tcp, 9000-9001/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp");
  BOOST_TEST(displayable_ports(Json::object()) == "");
}

BOOST_AUTO_TEST_CASE(port_lines_sorted_naturally) {
  Json ports = Json::parse(R"({
    "8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "1000"}],
    "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}],
    "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
    "53/udp": null
  })");
  auto all = port_lines(ports);
  BOOST_REQUIRE_EQUAL(all.size(), 4u);
  BOOST_TEST(all[0] == "80/tcp -> 0.0.0.0:8080");
  BOOST_TEST(all[1] == "80/tcp -> [::]:8080");
  BOOST_TEST(all[2] == "443/tcp -> 127.0.0.1:32768");
  BOOST_TEST(all[3] == "8080/tcp -> 0.0.0.0:1000");
  auto one = port_lines(ports, "80/tcp");
  BOOST_REQUIRE_EQUAL(one.size(), 2u);
  BOOST_TEST(one[1] == "[::]:8080");
  BOOST_TEST(port_lines(ports, "53/udp").empty());
}

BOOST_AUTO_TEST_CASE(bind_taken_port_names_it) {
  // A random port on loopback, then the same port again: taken.
  Json pb = Json::parse(R"({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]})");
  auto first = bind_ports(pb, Json::object(), false);
  BOOST_REQUIRE(first);
  BOOST_REQUIRE_EQUAL(first->size(), 1u);
  uint16_t p = (*first)[0].host_port;
  BOOST_TEST(p != 0);
  Json again = Json::parse(fmt::format(R"({{"80/tcp": [{{"HostIp": "127.0.0.1", "HostPort": "{}"}}]}})", p));
  auto second = bind_ports(again, Json::object(), false);
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.error().code == EADDRINUSE);
  BOOST_TEST(second.error().msg.find(fmt::format("127.0.0.1:{}/tcp", p)) != std::string::npos);
  BOOST_TEST(second.error().msg.find("address already in use") != std::string::npos);
  // A host range moves on to a free port.
  Json range = Json::parse(fmt::format(R"({{"80/tcp": [{{"HostIp": "127.0.0.1", "HostPort": "{}-{}"}}]}})", p, p + 1));
  auto third = bind_ports(range, Json::object(), false);
  if (third) BOOST_TEST((*third)[0].host_port == p + 1);  // (p + 1 may be taken by someone else)
  // -P: exposed ports without a binding get one; ports_map shows both.
  Json exposed = Json::parse(R"({"80/tcp": {}, "81/udp": {}})");
  auto all = bind_ports(Json::object(), exposed, true);
  BOOST_REQUIRE(all);
  BOOST_TEST(all->size() == 2u);
  Json m = ports_map(*all, exposed);
  BOOST_TEST(m["81/udp"].is_array());
  BOOST_TEST(m["80/tcp"][0]["HostIp"] == "0.0.0.0");
}

BOOST_AUTO_TEST_SUITE_END()
