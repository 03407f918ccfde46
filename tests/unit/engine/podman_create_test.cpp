#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/engine/podman.hpp"

using namespace skiff;

namespace {

IdMap store_map() {
  IdMap m;
  m.userns = true;
  m.uids = {{0, 1001, 1}, {1, 100000, 65536}};
  m.gids = {{0, 1002, 1}, {1, 200000, 65536}};
  m.source = "/etc/subuid, /etc/subgid";
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_keepid)

// Podman's keep-id mapping: the user at its own id, the ids below shifted up by one
// subordinate id, the ones above unchanged.
BOOST_AUTO_TEST_CASE(user_at_its_own_id) {
  auto k = engine::keep_id_map(store_map(), 1001, 1002);
  BOOST_REQUIRE(k);
  BOOST_REQUIRE_EQUAL(k->uids.size(), 3u);
  BOOST_CHECK_EQUAL(k->host_uid(0), 100000);
  BOOST_CHECK_EQUAL(k->host_uid(1000), 101000);
  BOOST_CHECK_EQUAL(k->host_uid(1001), 1001);
  BOOST_CHECK_EQUAL(k->host_uid(1002), 101001);
  BOOST_CHECK_EQUAL(k->host_uid(65536), 165535);
  BOOST_CHECK_EQUAL(k->host_uid(65537), -1);
  BOOST_CHECK_EQUAL(k->host_gid(1002), 1002);
  BOOST_CHECK_EQUAL(k->host_gid(0), 200000);
  BOOST_CHECK_EQUAL(k->uid_count(), 65537u);
}

BOOST_AUTO_TEST_CASE(other_ids_and_limits) {
  auto k = engine::keep_id_map(store_map(), 0, 0);
  BOOST_REQUIRE(k);
  BOOST_CHECK_EQUAL(k->host_uid(0), 1001);
  BOOST_CHECK_EQUAL(k->host_uid(1), 100000);
  BOOST_CHECK(!engine::keep_id_map(store_map(), 70000, 0));  // beyond the ranges
  IdMap root;
  root.userns = false;
  BOOST_CHECK(!engine::keep_id_map(root, 1000, 1000));  // rootful: refused
  IdMap single = store_map();
  single.single = true;
  single.uids.resize(1);
  BOOST_CHECK(!engine::keep_id_map(single, 1000, 1000));
}

BOOST_AUTO_TEST_SUITE_END()
