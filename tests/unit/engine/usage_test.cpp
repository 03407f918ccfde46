#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/engine/usage.hpp"

using namespace skiff;
using namespace skiff::engine;

namespace {

storage::ImageRecord image(const std::string& id, uint64_t size, std::vector<std::string> chains) {
  storage::ImageRecord r;
  r.id = id;
  r.size = size;
  for (auto& c : chains) {
    storage::ImageLayer l;
    l.chain_id = c;
    r.layers.push_back(l);
  }
  return r;
}

ContainerUsage container(const std::string& image_id, RunState s, uint64_t disk, uint64_t rw) {
  ContainerUsage c;
  c.container.rec.image_id = image_id;
  c.container.state.status = s;
  c.disk_size = disk;
  c.size_rw = rw;
  return c;
}

VolumeUsage volume(const std::string& name, uint64_t size, size_t links) {
  VolumeUsage v;
  v.volume.name = name;
  v.size = size;
  v.links = links;
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_usage)

// Two images share a base layer; a running container uses the first one, a stopped one too.
BOOST_AUTO_TEST_CASE(system_df_totals_follow_dockers_rules) {
  std::map<std::string, uint64_t> layers = {{"base", 100}, {"a", 10}, {"b", 20}, {"orphan", 5}};
  auto u = sum_disk_usage({image("A", 110, {"base", "a"}), image("B", 120, {"base", "b"})}, layers,
                          {container("A", RunState::Running, 7, 7), container("A", RunState::Exited, 3, 0)},
                          {volume("used", 40, 1), volume("free", 60, 0)});
  // Images: every layer of the store once (135); what A's layers do not take is reclaimable.
  BOOST_TEST(u.images.total == 2u);
  BOOST_TEST(u.images.active == 1u);
  BOOST_TEST(u.images.size == 135u);
  BOOST_TEST(u.images.reclaimable == 25u);
  // Containers: the running one is active, the stopped one's files are reclaimable.
  BOOST_TEST(u.containers.total == 2u);
  BOOST_TEST(u.containers.active == 1u);
  BOOST_TEST(u.containers.size == 10u);
  BOOST_TEST(u.containers.reclaimable == 3u);
  // Volumes: a mounted one is active.
  BOOST_TEST(u.volumes.total == 2u);
  BOOST_TEST(u.volumes.active == 1u);
  BOOST_TEST(u.volumes.size == 100u);
  BOOST_TEST(u.volumes.reclaimable == 60u);
}

BOOST_AUTO_TEST_CASE(per_image_shares_count_layers_other_images_use) {
  std::map<std::string, uint64_t> layers = {{"base", 100}, {"a", 10}, {"b", 20}};
  auto u = sum_disk_usage({image("A", 110, {"base", "a"}), image("B", 120, {"base", "b"}), image("C", 10, {"a"})},
                          layers, {container("B", RunState::Created, 0, 0)}, {});
  BOOST_REQUIRE(u.image_rows.size() == 3u);
  BOOST_TEST(u.image_rows[0].image.id == "A");
  BOOST_TEST(u.image_rows[0].shared == 110u);  // base with B, a with C
  BOOST_TEST(u.image_rows[0].unique == 0u);
  BOOST_TEST(u.image_rows[1].shared == 100u);
  BOOST_TEST(u.image_rows[1].unique == 20u);
  BOOST_TEST(u.image_rows[1].containers == 1u);
  BOOST_TEST(u.image_rows[2].shared == 10u);
  BOOST_TEST(u.image_rows[2].containers == 0u);
  // Created is not running: the container's image is active, the container is not.
  BOOST_TEST(u.images.active == 1u);
  BOOST_TEST(u.containers.active == 0u);
}

BOOST_AUTO_TEST_CASE(an_empty_store_sums_to_zero) {
  auto u = sum_disk_usage({}, {}, {}, {});
  BOOST_TEST(u.images.size == 0u);
  BOOST_TEST(u.images.reclaimable == 0u);
  BOOST_TEST(u.containers.total == 0u);
  BOOST_TEST(u.volume_rows.empty());
}

BOOST_AUTO_TEST_SUITE_END()
