#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include "../storage/fixture.hpp"
#include "skiff/engine/prune.hpp"
#include "skiff/util/time.hpp"

using namespace skiff;
using namespace skiff::engine;
using skiff::test::TempDir;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

Container ctr(RunState s, int64_t created_s, Json labels = Json::object()) {
  Container c;
  c.rec.id = std::string(64, 'c');
  c.rec.created = created_s * kSecond;
  c.rec.config.labels = std::move(labels);
  c.state.status = s;
  return c;
}

bool takes(const Container& c, const std::vector<std::string>& filters, int64_t now_s = 2000) {
  auto r = container_prunable(c, filters, now_s * kSecond);
  BOOST_REQUIRE_MESSAGE(r.has_value(), skiff::test::why(r));
  return *r;
}

std::unique_ptr<Engine> open_store(const TempDir& t) {
  Paths p;
  p.uid = geteuid();
  p.gid = getegid();
  p.rootless = p.uid != 0;
  p.graph_root = t.sub("graph");
  p.run_root = t.sub("run");
  p.run_root_explicit = true;
  auto e = Engine::open(p, "vfs", true);
  BOOST_REQUIRE_MESSAGE(e.has_value(), skiff::test::why(e));
  return std::move(*e);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_prune)

BOOST_AUTO_TEST_CASE(container_prune_takes_stopped_containers_only) {
  BOOST_TEST(takes(ctr(RunState::Exited, 1000), {}));
  BOOST_TEST(takes(ctr(RunState::Created, 1000), {}));
  BOOST_TEST(!takes(ctr(RunState::Running, 1000), {}));
  BOOST_TEST(!takes(ctr(RunState::Restarting, 1000), {}));
  BOOST_TEST(!takes(ctr(RunState::Removing, 1000), {}));
  // A created container whose monitor is starting it is not stopped.
  auto starting = ctr(RunState::Created, 1000);
  starting.state.monitor_pid = 42;
  BOOST_TEST(!takes(starting, {}));
}

BOOST_AUTO_TEST_CASE(container_prune_filters) {
  auto c = ctr(RunState::Exited, 1000, Json::object({{"env", "test"}, {"team", "a"}}));
  BOOST_TEST(takes(c, {"label=env"}));
  BOOST_TEST(takes(c, {"label=env=test", "label=team=a"}));
  BOOST_TEST(!takes(c, {"label=env=prod"}));
  BOOST_TEST(!takes(c, {"label=other"}));
  BOOST_TEST(takes(c, {"until=1500"}));   // created before
  BOOST_TEST(!takes(c, {"until=1000"}));  // not before: at
  BOOST_TEST(!takes(c, {"until=500"}));
  auto bad = container_prunable(c, {"label=env", "name=x"}, 2000 * kSecond);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().code == kInvalid);
  BOOST_TEST(bad.error().msg == "invalid filter 'name'");
  auto bad_time = container_prunable(c, {"until=soon"}, 2000 * kSecond);
  BOOST_REQUIRE(!bad_time);
  BOOST_TEST(bad_time.error().msg == "invalid filter 'until=soon'");
}

BOOST_AUTO_TEST_CASE(volume_filters) {
  TempDir t;
  auto e = open_store(t);
  auto v = create_volume(*e, "data-1", Json::object({{"env", "test"}}), Json::object());
  BOOST_REQUIRE_MESSAGE(v.has_value(), skiff::test::why(v));
  auto m = [&](const std::vector<std::string>& f) {
    auto r = volume_matches(*e, *v, f);
    BOOST_REQUIRE_MESSAGE(r.has_value(), skiff::test::why(r));
    return *r;
  };
  BOOST_TEST(m({}));
  BOOST_TEST(m({"name=ta-"}));
  BOOST_TEST(!m({"name=other"}));
  BOOST_TEST(m({"label=env=test", "driver=local"}));
  BOOST_TEST(!m({"label=env=prod"}));
  BOOST_TEST(!m({"driver=nfs"}));
  BOOST_TEST(m({"dangling=true"}));  // no container mounts it
  BOOST_TEST(!m({"dangling=false"}));
  auto bad = volume_matches(*e, *v, {"dangling=maybe"});
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "invalid filter 'dangling=maybe'");
  BOOST_TEST(!volume_matches(*e, *v, {"size=1"}));
}

BOOST_AUTO_TEST_CASE(volume_prune_takes_anonymous_unused_volumes_unless_all) {
  TempDir t;
  auto e = open_store(t);
  BOOST_REQUIRE(create_volume(*e, "named", Json::object(), Json::object()));
  auto anon = create_volume(*e, "", Json::object(), Json::object(), true);
  BOOST_REQUIRE(anon);
  auto p = prune_volumes(*e, false, {});
  BOOST_REQUIRE(p);
  BOOST_TEST((p->removed == std::vector<std::string>{anon->name}));
  auto left = list_volumes(*e);
  BOOST_REQUIRE(left);
  BOOST_REQUIRE(left->size() == 1u);
  BOOST_TEST((*left)[0].name == "named");
  auto all = prune_volumes(*e, true, {"name=nam"});
  BOOST_REQUIRE(all);
  BOOST_TEST((all->removed == std::vector<std::string>{"named"}));
}

BOOST_AUTO_TEST_CASE(network_filters) {
  TempDir t;
  auto e = open_store(t);
  network::Network n;
  n.name = "backend";
  n.id = std::string(64, 'a');
  n.created = 1000 * kSecond;
  n.labels = Json::object({{"env", "test"}});
  auto m = [&](const std::vector<std::string>& f) {
    auto r = network_matches(*e, n, f);
    BOOST_REQUIRE_MESSAGE(r.has_value(), skiff::test::why(r));
    return *r;
  };
  BOOST_TEST(m({}));
  BOOST_TEST(m({"name=back", "id=aaa"}));
  BOOST_TEST(m({"name=nope", "name=end"}));  // one key: ORed
  BOOST_TEST(!m({"name=back", "driver=macvlan"}));  // keys: ANDed
  BOOST_TEST(m({"type=custom", "scope=local", "label=env=test"}));
  BOOST_TEST(!m({"type=builtin"}));
  BOOST_TEST(m({"until=1500"}));
  BOOST_TEST(!m({"until=500"}));
  BOOST_TEST(m({"dangling=true"}));  // no container is attached
  auto bad = network_matches(*e, n, {"type=other"});
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "invalid filter: 'type'='other'");
  BOOST_TEST(!network_matches(*e, n, {"until=soon"}));
  BOOST_TEST(!network_matches(*e, n, {"size=1"}));
}

BOOST_AUTO_TEST_SUITE_END()
