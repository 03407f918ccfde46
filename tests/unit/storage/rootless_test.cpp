#define BOOST_TEST_DYN_LINK
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

// Rootless behaviour needs a non-root user with a /etc/subuid range (the VM's skiff-test):
// these tests report themselves skipped when run as root. The other storage suites also run
// rootless when the binary is run as such a user (extraction then happens in a user
// namespace, overlay with userxattr).

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

BOOST_AUTO_TEST_SUITE(storage_rootless)

BOOST_AUTO_TEST_CASE(layers_get_the_image_owners_as_subordinate_ids, *boost::unit_test::precondition(RootlessOnly())) {
  TempDir t;
  std::vector<std::string> warnings;
  auto s = open_store(t.path(), "", {}, &warnings);
  const IdMap& m = s->idmap();
  BOOST_REQUIRE(m.userns);
  if (m.single) {
    BOOST_TEST_MESSAGE("this user has no /etc/subuid range: single-id mapping");
    return;
  }
  BOOST_TEST_MESSAGE("driver " << driver_name(s->driver()) << ", mapping " << m.fingerprint());
  RawTar tar;
  tar.file("root-owned", "0", 0644, 0, 0).file("daemon", "1", 0640, 1, 1).file("user", "2", 0600, 1000, 100);
  tar.file("top", "3", 0644, uint32_t(m.uid_count() - 1), uint32_t(m.gid_count() - 1));
  tar.device("dev/null", '3', 1, 3).device("fifo", '6', 0, 0).file("bin/su", "x", 04755, 0, 0);
  auto l = add_layer(*s, "", tar.finish());
  BOOST_REQUIRE_MESSAGE(bool(l), why(l));
  std::string d = *s->layer_diff_path(l->chain_id);
  auto owner = [&](const char* p) {
    struct stat st {};
    BOOST_REQUIRE(lstat((d + "/" + p).c_str(), &st) == 0);
    return std::make_pair(st.st_uid, st.st_gid);
  };
  BOOST_TEST(owner("root-owned").first == getuid());
  BOOST_TEST(owner("daemon").first == uid_t(m.host_uid(1)));
  BOOST_TEST(owner("user").first == uid_t(m.host_uid(1000)));
  BOOST_TEST(owner("user").second == gid_t(m.host_gid(100)));
  BOOST_TEST(owner("top").first == uid_t(m.host_uid(uint32_t(m.uid_count() - 1))));
  BOOST_TEST(!path_exists(d + "/dev/null"));
  BOOST_TEST(path_exists(d + "/fifo"));
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_TEST(warnings[0].find("device node") != std::string::npos, warnings[0]);
  // An owner past the range: the error names the file to edit.
  auto bad = add_layer(*s, "", RawTar().file("f", "x", 0644, uint32_t(m.uid_count()), 0).finish());
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg.find("/etc/subuid") != std::string::npos, bad.error().msg);
  // Subordinate-owned files are checked and deleted from inside the namespace.
  NewImage n;
  n.config = "{}";
  n.layers = {ImageLayer{l->diff_id}};
  n.names = {"localhost/rootless:1"};
  BOOST_REQUIRE(s->create_image(n));
  auto c = s->check(CheckOptions{});
  BOOST_REQUIRE_MESSAGE(bool(c), why(c));
  BOOST_TEST(c->clean());
  auto rm = s->remove_image("localhost/rootless:1");
  BOOST_REQUIRE_MESSAGE(bool(rm), why(rm));
  BOOST_TEST(list_dir(t.sub("layers"))->empty());
  BOOST_TEST(list_dir(t.sub("staging"))->empty());
}

BOOST_AUTO_TEST_CASE(single_id_mapping_squashes_owners_and_warns_once, *boost::unit_test::precondition(RootlessOnly())) {
  TempDir t;
  std::vector<std::string> warnings;
  StoreOptions o;
  o.graph_root = t.path();
  o.create = true;
  o.sync = false;
  o.driver_override = "vfs";
  IdMap single;
  single.single = true;
  single.uids = {IdRange{0, getuid(), 1}};
  single.gids = {IdRange{0, getgid(), 1}};
  single.source = "single id (test)";
  o.idmap = single;
  o.hooks.warn = [&](std::string_view w) { warnings.emplace_back(w); };
  auto s = Store::open(o);
  BOOST_REQUIRE_MESSAGE(bool(s), why(s));
  auto a = add_layer(**s, "", RawTar().file("a", "1", 0644, 1000, 1000).finish());
  BOOST_REQUIRE_MESSAGE(bool(a), why(a));
  auto b = add_layer(**s, a->chain_id, RawTar().file("b", "2", 0644, 33, 33).finish());
  BOOST_REQUIRE_MESSAGE(bool(b), why(b));
  struct stat st {};
  BOOST_REQUIRE(lstat((*(*s)->layer_diff_path(b->chain_id) + "/a").c_str(), &st) == 0);
  BOOST_TEST(st.st_uid == getuid());
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_TEST(warnings[0].find("only one id is mapped") != std::string::npos, warnings[0]);
}

BOOST_AUTO_TEST_CASE(overlay_mounts_in_a_user_namespace_with_userxattr, *boost::unit_test::precondition(RootlessOnly())) {
  TempDir t;
  auto s = open_store(t.path());
  if (s->driver() != Driver::Overlay) {
    BOOST_TEST_MESSAGE("overlay not available rootless here: nothing to mount");
    return;
  }
  auto base = add_layer(*s, "", RawTar().file("a", "a").dir("d").file("d/x", "x").file("gone", "g").finish());
  BOOST_REQUIRE(base);
  auto top = add_layer(*s, base->chain_id, RawTar().file(".wh.gone").dir("d").file("d/.wh..wh..opq").file("d/y", "y").finish());
  BOOST_REQUIRE_MESSAGE(bool(top), why(top));
  std::string merged = t.sub("merged");
  BOOST_REQUIRE(mkdir(merged.c_str(), 0755) == 0);
  std::string opts = "userxattr,lowerdir=" + *s->overlay_lowerdir(top->chain_id);
  Status st = run_in_userns(s->idmap(), [&]() -> Status {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return fail_errno("private");
    if (chdir(t.path().c_str()) < 0) return fail_errno("chdir");
    if (mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()) < 0) return fail_errno("mount");
    auto view = tree_of(merged);
    std::string all;
    for (auto& l : view) all += l.substr(0, l.find(' ')) + "\n";
    (void)umount2(merged.c_str(), MNT_DETACH);
    if (all != "a\nd\nd/y\n") return fail(EINVAL, "merged view:\n" + all);
    return ok();
  });
  BOOST_TEST(bool(st), why(st));
}

BOOST_AUTO_TEST_SUITE_END()
