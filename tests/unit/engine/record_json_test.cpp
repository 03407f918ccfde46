#define BOOST_TEST_DYN_LINK
// Container records on disk: config.json and summary.json files written by skiff before the
// typed records (Config and Skiff are structs now) (tests/unit/engine/fixtures/, made with `skiff create` at commit 6340f91) read
// into the typed fields and are written back byte for byte.
#include <boost/test/unit_test.hpp>

#include "skiff/engine/engine.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::engine;

namespace {

const char* const kDir = "tests/unit/engine/fixtures/";

std::string fixture(const std::string& name) {
  auto text = read_file(kDir + name, 1 << 20);
  BOOST_REQUIRE_MESSAGE(bool(text), "read " << kDir << name);
  return *text;
}

ContainerRecord record(const std::string& name) {
  auto j = parse_json(fixture(name));
  BOOST_REQUIRE(j);
  auto r = record_from_json(*j);
  BOOST_REQUIRE_MESSAGE(bool(r), (r ? std::string() : r.error().msg));
  return *r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_record_json)

BOOST_AUTO_TEST_CASE(old_config_reads_into_typed_fields) {
  ContainerRecord r = record("fix1.config.json");
  BOOST_TEST(r.name == "fix1");
  BOOST_TEST(bool(r.driver == storage::Driver::Overlay));
  BOOST_TEST(r.path == "/bin/echo");
  const ContainerConfig& c = r.config;
  BOOST_TEST(c.hostname == "fixhost");
  BOOST_TEST(c.user == "1000:1000");
  BOOST_TEST(c.working_dir == "/work");
  BOOST_TEST(c.stop_signal == "SIGINT");
  BOOST_TEST(c.stop_timeout_or_default() == 7);
  BOOST_TEST(c.label("x") == "y");
  BOOST_TEST(c.label("skiff.fixture") == "config");
  BOOST_TEST(c.label("missing").empty());
  BOOST_TEST((c.cmd == std::vector<std::string>{"echo", "hi"}));
  BOOST_TEST((c.entrypoint == std::vector<std::string>{"/bin/echo", "entry"}));
  BOOST_TEST(c.env.back() == "HOME=/root");
  BOOST_TEST(c.exposed_ports.contains("9090/tcp"));
  BOOST_TEST(!c.healthcheck.is_null());
  BOOST_TEST(!c.tty);
  BOOST_TEST(c.unknown.empty());
  const ContainerExtra& x = r.extra;
  BOOST_TEST(json_str(x.network, "stack") == "pasta");
  BOOST_TEST(x.mounts.size() == 3u);
  BOOST_TEST(x.hostname == "fixhost");
  BOOST_TEST(x.layer_dirs.size() >= 2u);
  BOOST_TEST(x.layer_dirs[0] == "containers/" + r.id + "/init");
  BOOST_TEST(x.top_layer.starts_with("sha256:"));
  BOOST_TEST(x.cgroups_mode() == "enabled");
  BOOST_TEST(x.health_timer_on());
  BOOST_TEST(x.unknown.empty());
}

BOOST_AUTO_TEST_CASE(rootfs_record_has_no_storage_driver) {
  ContainerRecord r = record("fix2.config.json");
  BOOST_TEST(!r.driver.has_value());
  BOOST_TEST(driver_text(r.driver) == "rootfs");
  BOOST_TEST(r.config.tty);
  BOOST_TEST(r.config.open_stdin);
  BOOST_TEST(r.config.cmd.size() == 2u);
  BOOST_TEST(!r.config.stop_timeout.has_value());
  BOOST_TEST(r.config.stop_timeout_or_default() == 10);
  BOOST_TEST(r.config.exposed_ports.is_null());
  BOOST_TEST(r.extra.network.is_null());  // --network none
  BOOST_TEST(r.extra.cap_base.size() == 11u);
  BOOST_TEST(r.extra.layer_dirs.empty());
  BOOST_TEST(r.extra.top_layer.empty());
  BOOST_TEST(r.extra.mounts.empty());
}

BOOST_AUTO_TEST_CASE(config_json_written_back_unchanged) {
  for (const char* name : {"fix1.config.json", "fix2.config.json"}) {
    std::string text = fixture(name);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    BOOST_TEST(skiff::to_json(to_json(record(name))) == text, name);
  }
}

BOOST_AUTO_TEST_CASE(summary_json_made_again_unchanged) {
  // summary.json as written at create: the summary made from the full record is the same.
  for (const char* n : {"fix1", "fix2"}) {
    auto sum = parse_json(fixture(std::string(n) + ".summary.json"));
    BOOST_REQUIRE(sum);
    sum->erase("ConfigInode");
    BOOST_TEST(skiff::to_json(summary_json(record(std::string(n) + ".config.json"))) == skiff::to_json(*sum), n);
    // And a summary reads as a record (ps lists from summaries).
    auto r = record_from_json(*sum);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->name == n);
  }
}

BOOST_AUTO_TEST_CASE(unknown_config_keys_are_kept) {
  auto j = parse_json(R"({"Hostname":"h","Domainname":"","Tty":true,"FutureField":{"a":1},"Shell":["/bin/sh"]})");
  BOOST_REQUIRE(j);
  ContainerConfig c = container_config_from_json(*j);
  BOOST_TEST(c.hostname == "h");
  BOOST_TEST(c.tty);
  BOOST_TEST(c.unknown.size() == 2u);
  Json out = to_json(c);
  BOOST_TEST(out["FutureField"]["a"] == 1);
  BOOST_TEST(out["Shell"][0] == "/bin/sh");
}

BOOST_AUTO_TEST_CASE(unknown_skiff_keys_are_kept) {
  auto j = parse_json(R"({"mounts":[],"hostname":"h","podId":"abc","healthTimer":false,"cgroups":"disabled"})");
  BOOST_REQUIRE(j);
  ContainerExtra x = container_extra_from_json(*j);
  BOOST_TEST(!x.health_timer_on());
  BOOST_TEST(x.cgroups_mode() == "disabled");
  BOOST_TEST(json_str(x.unknown, "podId") == "abc");
  BOOST_TEST(json_str(to_json(x), "podId") == "abc");
}

BOOST_AUTO_TEST_CASE(missing_driver_reads_as_none) {
  // Records made by hand (tests) or by very early versions have no Driver.
  auto j = parse_json(fixture("fix2.config.json"));
  BOOST_REQUIRE(j);
  j->erase("Driver");
  auto r = record_from_json(*j);
  BOOST_REQUIRE(r);
  BOOST_TEST(!r->driver.has_value());
}

BOOST_AUTO_TEST_CASE(unknown_driver_is_refused) {
  auto j = parse_json(fixture("fix1.config.json"));
  BOOST_REQUIRE(j);
  (*j)["Driver"] = "btrfs";
  auto r = record_from_json(*j);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().msg.find("unknown storage driver \"btrfs\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
