#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/util/json.hpp"

// create's port rules (engine/ports.cpp): the image's and --expose's exposed ports, -p's
// bindings, and the network modes that have nowhere to publish to. The spec syntax itself is
// network_ports' (tests/unit/network/ports_test.cpp).

using namespace skiff;
using namespace skiff::engine;

namespace {

struct Ports {
  Json exposed, bindings;
  std::string error;
};

Ports record(CreateOptions o, const std::string& image_exposed = "{}") {
  Ports p;
  Json ic = Json::object();
  ic["ExposedPorts"] = *parse_json(image_exposed, "test");
  auto st = record_ports(o, ic, p.exposed, p.bindings);
  if (!st) p.error = st.error().msg;
  return p;
}

CreateOptions publishing(const std::string& network, bool explicit_network, std::vector<std::string> publish) {
  CreateOptions o;
  o.network = network;
  o.network_explicit = explicit_network;
  o.publish = std::move(publish);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_ports)

BOOST_AUTO_TEST_CASE(exposed_from_image_expose_and_publish) {
  CreateOptions o;
  o.expose = {"9000-9001", "53/udp"};
  o.publish = {"8080:80", "127.0.0.1::443"};
  auto p = record(o, R"({"80/tcp":{}, "7000":{}, "not a port":{}, "70000/tcp":{}})");
  BOOST_REQUIRE_MESSAGE(p.error.empty(), p.error);
  for (const char* k : {"80/tcp", "7000/tcp", "9000/tcp", "9001/tcp", "53/udp", "443/tcp"})
    BOOST_TEST(p.exposed.contains(k), k);
  BOOST_TEST(p.exposed.size() == 6u, "the image's bad keys are dropped");
  BOOST_REQUIRE(p.bindings.contains("80/tcp"));
  BOOST_TEST(json_str(p.bindings["80/tcp"][0], "HostPort") == "8080");
  BOOST_REQUIRE(p.bindings.contains("443/tcp"));
  BOOST_TEST(json_str(p.bindings["443/tcp"][0], "HostIp") == "127.0.0.1");
  BOOST_TEST(json_str(p.bindings["443/tcp"][0], "HostPort") == "", "a random host port");
  BOOST_TEST(!p.bindings.contains("9000/tcp"), "exposed is not published");

  o.publish = {"80:80:80"};
  BOOST_TEST(record(o).error.find("invalid") != std::string::npos, record(o).error);
  o.publish.clear();
  o.expose = {"http"};
  BOOST_TEST(!record(o).error.empty());
}

BOOST_AUTO_TEST_CASE(network_modes_without_a_place_to_publish) {
  BOOST_TEST(record(publishing("", false, {"80"})).error == "");
  BOOST_TEST(record(publishing("none", false, {"80"})).error == "", "the default network (recorded as none)");
  BOOST_TEST(record(publishing("none", true, {"80"})).error.find(
                 "conflicting options: port publishing and the none network mode") == 0);
  BOOST_TEST(record(publishing("host", false, {"80"})).error.find(
                 "conflicting options: port publishing and the host network mode") == 0);
  BOOST_TEST(record(publishing("container:db", true, {"80"})).error ==
             "conflicting options: port publishing and the container type network mode");
  BOOST_TEST(record(publishing("ns:/proc/1/ns/net", true, {"80"})).error.find(
                 "conflicting options: port publishing and the ns network mode") == 0);
  BOOST_TEST(record(publishing("host", true, {})).error == "", "nothing published: no conflict");

  CreateOptions all = publishing("host", true, {});
  all.publish_all = true;
  BOOST_TEST(record(all).error.find("port publishing and the host network mode") != std::string::npos, "-P too");

  CreateOptions expose = publishing("container:db", true, {});
  expose.expose = {"80"};
  BOOST_TEST(record(expose).error == "conflicting options: port exposing and the container type network mode");
  expose.network = "host";
  BOOST_TEST(record(expose).error == "", "--expose with the host's network is only a record");
}

BOOST_AUTO_TEST_CASE(publish_errors_are_recognised) {
  BOOST_TEST(is_publish_error(Error{kInvalid, "failed to bind port 0.0.0.0:80/tcp: address in use"}));
  BOOST_TEST(is_publish_error(Error{kInvalid, "invalid port specification: \"x\""}));
  BOOST_TEST(is_publish_error(Error{kInvalid, "invalid proto: sctp2"}));
  BOOST_TEST(!is_publish_error(Error{kInvalid, "no such image"}));
}

BOOST_AUTO_TEST_SUITE_END()
