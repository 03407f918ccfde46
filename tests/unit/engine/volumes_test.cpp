#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "engine/mounts.hpp"
#include "engine_fixture.hpp"
#include "skiff/engine/volumes.hpp"

// Named volumes: names, create (idempotent), listing (skipping what is not a volume), removal
// (refused while a container uses it).

using namespace skiff;
using namespace skiff::engine;
using namespace skiff::test;

namespace {

// A container whose record mounts volume `name` at /data.
void user_of(EngineStore& s, const std::string& id, const std::string& ctr, const std::string& volume) {
  s.add(id, ctr);
  auto cfg = read_json_file(s.e->container_dir(id) + "/config.json");
  BOOST_REQUIRE(cfg);
  auto mounts = parse_mount_flags({volume + ":/data"}, {}, {});
  BOOST_REQUIRE(mounts);
  (*cfg)["Skiff"]["mounts"] = mounts_to_json(*mounts);
  BOOST_REQUIRE(write_json_atomic(s.e->container_dir(id) + "/config.json", *cfg, 0600, false));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_volumes)

BOOST_AUTO_TEST_CASE(volume_names) {
  for (const char* good : {"ab", "my-vol", "a.b_c-1", "0data"}) BOOST_TEST(bool(validate_volume_name(good)), good);
  for (const char* bad : {"", "a", "-ab", ".ab", "_ab", "a/b", "a b", "../x", "a:b"})
    BOOST_TEST(!validate_volume_name(bad), bad);
  BOOST_TEST(validate_volume_name("/abs").error().msg.find("If you intended to pass a host directory, use absolute path") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(create_is_idempotent_and_listed_by_name) {
  EngineStore s;
  Json labels = Json::object();
  labels["team"] = "db";
  auto v = create_volume(*s.e, "data", labels, Json::object());
  BOOST_REQUIRE_MESSAGE(v, test::why(v));
  BOOST_TEST(v->mountpoint == s.e->graph() + "/volumes/data/_data");
  BOOST_TEST(path_exists(v->mountpoint));
  BOOST_TEST(json_str(v->labels, "team") == "db");
  auto again = create_volume(*s.e, "data", Json::object(), Json::object());
  BOOST_REQUIRE(again);
  BOOST_TEST(json_str(again->labels, "team") == "db", "an existing volume is returned as it is");
  BOOST_TEST(again->created == v->created);

  auto anon = create_volume(*s.e, "", Json::object(), Json::object(), true);
  BOOST_REQUIRE(anon);
  BOOST_TEST(anon->name.size() == 64u);
  BOOST_TEST(anon->anonymous);
  BOOST_TEST(!create_volume(*s.e, "bad/name", Json::object(), Json::object()));

  // Not volumes: leftovers of killed creates and removals, a directory without meta.json.
  BOOST_REQUIRE(mkdir_p(s.e->graph() + "/volumes/.tmp-0123/_data", 0700));
  BOOST_REQUIRE(mkdir_p(s.e->graph() + "/volumes/.removing-x-1/_data", 0700));
  BOOST_REQUIRE(mkdir_p(s.e->graph() + "/volumes/torn", 0700));
  auto l = list_volumes(*s.e);
  BOOST_REQUIRE(l);
  BOOST_REQUIRE_EQUAL(l->size(), 2u);
  BOOST_TEST(((*l)[0].name < (*l)[1].name), "sorted by name");
  BOOST_TEST(((*l)[0].name == "data" || (*l)[1].name == "data"));

  Json j = volume_json(*v);
  BOOST_TEST(json_str(j, "Name") == "data");
  BOOST_TEST(json_str(j, "Driver") == "local");
  BOOST_TEST(json_str(j, "Scope") == "local");
  BOOST_TEST(json_str(j, "Mountpoint") == v->mountpoint);
}

BOOST_AUTO_TEST_CASE(remove_only_when_unused) {
  EngineStore s;
  BOOST_REQUIRE(create_volume(*s.e, "data", Json::object(), Json::object()));
  BOOST_REQUIRE(create_volume(*s.e, "free", Json::object(), Json::object()));
  user_of(s, id_of('a'), "c1", "data");
  user_of(s, id_of('b'), "c2", "data");
  auto users = volume_users(*s.e, "data");
  BOOST_TEST(users.size() == 2u);
  auto st = remove_volume(*s.e, "data", false);
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().code == kConflict);
  BOOST_TEST(st.error().msg == "remove data: volume is in use - [aaaaaaaaaaaa, bbbbbbbbbbbb]");
  BOOST_TEST(!remove_volume(*s.e, "data", true), "force does not remove a volume in use");
  BOOST_TEST(path_exists(s.e->graph() + "/volumes/data/_data"));

  BOOST_REQUIRE(remove_volume(*s.e, "free", false));
  BOOST_TEST(!path_exists(s.e->graph() + "/volumes/free"));
  auto missing = remove_volume(*s.e, "free", false);
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().msg == "no such volume: free");
  BOOST_TEST(missing.error().code == kNotFound);
  BOOST_TEST(bool(remove_volume(*s.e, "free", true)), "force: a missing volume is no error");
}

BOOST_AUTO_TEST_SUITE_END()
