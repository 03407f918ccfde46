#define BOOST_TEST_DYN_LINK
#include <sys/file.h>

#include <boost/test/unit_test.hpp>

#include "fixture.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/json.hpp"

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

namespace {

struct Crash {
  TempDir t;
  std::unique_ptr<Store> s;
  LayerInfo base, top;
  ImageRecord img;

  explicit Crash(const std::string& driver = "vfs") {
    s = open_store(t.path(), driver);
    base = *add_layer(*s, "", RawTar().dir("etc").file("etc/os-release", "ID=test\n").finish());
    top = *add_layer(*s, base.chain_id, RawTar().file("app", "binary").finish());
    NewImage n;
    n.config = R"({"os":"linux"})";
    n.layers = {ImageLayer{base.diff_id}, ImageLayer{top.diff_id}};
    n.names = {"localhost/app:1"};
    img = *s->create_image(n);
  }
  CheckReport check(bool repair, int64_t grace = CheckOptions{}.unreferenced_grace_ns) {
    CheckOptions o;
    o.repair = repair;
    o.unreferenced_grace_ns = grace;
    auto r = s->check(o);
    BOOST_REQUIRE_MESSAGE(bool(r), why(r));
    for (auto& p : r->problems) BOOST_TEST_MESSAGE(p.object << ": " << p.problem << (p.repaired ? " (repaired)" : ""));
    return *r;
  }
  bool reported(const CheckReport& r, std::string_view object, std::string_view what) {
    for (auto& p : r.problems)
      if (p.object.find(object) != std::string::npos && p.problem.find(what) != std::string::npos) return true;
    return false;
  }
  std::string hex(const std::string& d) { return d.substr(7); }
  // Tampering as the store's owner (rootless: inside the user namespace, where the layer
  // files' subordinate owners are root).
  void as_owner(const std::function<Status()>& fn) {
    Status st = run_as_store_owner(s->idmap(), fn);
    BOOST_REQUIRE_MESSAGE(bool(st), why(st));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_check)

BOOST_AUTO_TEST_CASE(a_clean_store_checks_clean) {
  Crash c;
  auto r = c.check(false);
  BOOST_TEST(r.clean());
  BOOST_TEST(r.layers == 2u);
  BOOST_TEST(r.images == 1u);
  Crash o("overlay");
  BOOST_TEST(o.check(false).clean());
}

BOOST_AUTO_TEST_CASE(creation_digest_matches_a_fresh_walk_after_rewrites) {
  // Files hashed while extracted must digest like files read back, whatever the archive did:
  // rewrite names (inode reuse), replace a directory tree, hard links.
  for (std::string driver : {"vfs", "overlay"}) {
    Crash c(driver);
    RawTar t;
    t.file("a", "first").file("a", "second, longer").file("b", "x").hardlink("h", "b").file("b", "new b");
    t.dir("d").file("d/1", "1").file("d/2", "2").file("d", "d is a file now").file("e", std::string(3000, 'e'));
    auto l = add_layer(*c.s, c.top.chain_id, t.finish());
    BOOST_REQUIRE_MESSAGE(bool(l), why(l));
    NewImage n;
    n.config = R"({"os":"linux","v":2})";
    n.layers = {ImageLayer{c.base.diff_id}, ImageLayer{c.top.diff_id}, ImageLayer{l->diff_id}};
    BOOST_REQUIRE(c.s->create_image(n));
    BOOST_TEST(c.check(false).clean());
  }
}

BOOST_AUTO_TEST_CASE(layers_of_content_format_1_still_check) {
  // Layers made before content format 2 have no "content_format" in meta.json and a digest
  // that hashed every byte: they are checked that way, and damage is still found.
  for (std::string driver : {"vfs", "overlay"}) {
    Crash c(driver);
    BOOST_TEST(c.base.content_format == kContentFormat);
    auto fresh = Sha256::make();
    BOOST_REQUIRE(fresh);
    for (auto* l : {&c.base, &c.top}) {
      std::string dir = c.t.path() + "/layers/" + c.hex(l->chain_id);
      c.as_owner([&]() -> Status {
        auto fd = TRY(open_path(dir + "/diff", O_RDONLY | O_DIRECTORY));
        auto d1 = TRY(layer_content_digest(fd.get(), *fresh, -1, 1));
        auto j = TRY(parse_json(TRY(read_file(dir + "/meta.json"))));
        j.erase("content_format");
        j["content_digest"] = d1;
        return write_file_atomic(dir + "/meta.json", to_json(j));
      });
    }
    auto li = c.s->layer_info(c.base.chain_id);
    BOOST_REQUIRE(li);
    BOOST_TEST(li->content_format == 1);
    BOOST_TEST(c.check(false).clean());
    std::string f = c.t.path() + "/layers/" + c.hex(c.top.chain_id) + "/diff/app";
    c.as_owner([&]() -> Status { return write_file_atomic(f, "binarY"); });
    BOOST_TEST(c.reported(c.check(false), c.top.chain_id, "content modified"));
  }
}

BOOST_AUTO_TEST_CASE(staging_leftovers_are_swept_but_live_slots_kept) {
  Crash c;
  BOOST_REQUIRE(mkdir_p(c.t.sub("staging/layer-dead/diff/usr")));
  BOOST_REQUIRE(write_file_atomic(c.t.sub("staging/layer-dead.lock"), ""));
  BOOST_REQUIRE(mkdir_p(c.t.sub("staging/lonely")));
  BOOST_REQUIRE(mkdir_p(c.t.sub("staging/layer-live/diff")));
  auto live = lock_file(c.t.sub("staging/layer-live.lock"), LockMode::Exclusive);  // "another process"
  BOOST_REQUIRE(live);
  auto r = c.check(false);
  BOOST_TEST(c.reported(r, "staging/layer-dead", "interrupted"));
  BOOST_TEST(c.reported(r, "staging/lonely", "interrupted"));
  BOOST_TEST(!c.reported(r, "layer-live", ""));
  // Leftovers, not damage: `system check` lists them without failing.
  for (auto& p : r.problems) BOOST_TEST(p.leftover, p.object);
  c.s.reset();
  c.s = open_store(c.t.path());  // opening for writing sweeps
  auto left = list_dir(c.t.sub("staging"));
  std::sort(left->begin(), left->end());
  BOOST_TEST((*left == std::vector<std::string>{"layer-live", "layer-live.lock"}));
  live->release();
  c.s.reset();
  c.s = open_store(c.t.path());
  BOOST_TEST(list_dir(c.t.sub("staging"))->empty());
}

BOOST_AUTO_TEST_CASE(an_image_whose_layer_vanished_is_reported_and_removed) {
  Crash c;
  c.as_owner([&] { return remove_tree(c.t.sub("layers/" + c.hex(c.top.chain_id))); });
  auto list = c.s->list_images();  // listing stays right: the record is still whole
  BOOST_REQUIRE(list);
  BOOST_TEST(list->size() == 1u);
  auto r = c.check(false);
  BOOST_TEST(c.reported(r, c.img.id, "layer " + c.top.chain_id + " is missing"));
  BOOST_TEST(c.reported(r, "link l/" + c.top.link, "points to no layer"));
  auto fixed = c.check(true);
  BOOST_TEST(!fixed.clean());
  BOOST_TEST(c.s->list_images()->empty());
  BOOST_TEST(list_dir(c.t.sub("names/images"))->empty());
  BOOST_TEST(c.check(false).clean());
  // The base layer stays until the grace period says it is abandoned.
  BOOST_TEST(c.s->has_layer(c.base.chain_id));
  auto old = c.check(false, 0);
  BOOST_TEST(c.reported(old, c.base.chain_id, "not used by any image"));
  c.check(true, 0);
  BOOST_TEST(!c.s->has_layer(c.base.chain_id));
  BOOST_TEST(c.check(false, 0).clean());
}

BOOST_AUTO_TEST_CASE(torn_records_and_modified_content) {
  Crash c;
  // A layer directory without meta.json (as if written by a buggy older version), an image
  // directory without record.json, a name pointing nowhere, a file changed on disk.
  BOOST_REQUIRE(mkdir_p(c.t.sub("layers/" + std::string(64, 'a') + "/diff")));
  BOOST_REQUIRE(mkdir_p(c.t.sub("images/" + std::string(64, 'b'))));
  BOOST_REQUIRE(symlinkat(("../../images/" + std::string(64, 'c')).c_str(), AT_FDCWD,
                          c.t.sub("names/images/localhost%2Fghost:1").c_str()) == 0);
  c.as_owner([&] { return write_file_atomic(c.t.sub("layers/" + c.hex(c.base.chain_id) + "/diff/etc/os-release"), "ID=evil\n"); });
  auto list = c.s->list_images();
  BOOST_REQUIRE(list);
  BOOST_TEST(list->size() == 1u);  // readers skip what is torn
  auto r = c.check(false);
  BOOST_TEST(c.reported(r, "layer sha256:" + std::string(64, 'a'), "incomplete"));
  BOOST_TEST(c.reported(r, "image sha256:" + std::string(64, 'b'), "incomplete"));
  BOOST_TEST(c.reported(r, "name localhost/ghost:1", "missing image"));
  BOOST_TEST(c.reported(r, "layer " + c.base.chain_id, "content modified"));
  BOOST_TEST(c.reported(r, "layer " + c.top.chain_id, "parent layer"));  // vfs chain: built on it
  BOOST_TEST(c.reported(r, c.img.id, "missing or damaged"));
  c.check(true);
  BOOST_TEST(c.check(false, 0).clean());
  BOOST_TEST(list_dir(c.t.sub("layers"))->empty());
  BOOST_TEST(list_dir(c.t.sub("images"))->empty());
  BOOST_TEST(list_dir(c.t.sub("staging"))->empty());
}

BOOST_AUTO_TEST_CASE(a_wrong_config_and_a_lost_link) {
  Crash c;
  BOOST_REQUIRE(write_file_atomic(c.t.sub("images/" + c.hex(c.img.id) + "/config"), R"({"os":"tampered"})"));
  BOOST_REQUIRE(unlink(c.t.sub("l/" + c.base.link).c_str()) == 0);
  auto r = c.check(false);
  BOOST_TEST(c.reported(r, c.img.id, "config does not hash"));
  BOOST_TEST(c.reported(r, c.base.chain_id, "link l/" + c.base.link));
  c.check(true);
  BOOST_TEST(c.s->list_images()->empty());
  BOOST_TEST(path_exists(c.t.sub("l/" + c.base.link)));  // recreated
}

BOOST_AUTO_TEST_CASE(repair_needs_a_writable_store) {
  Crash c;
  StoreOptions o;
  o.graph_root = c.t.path();
  auto ro = Store::open(o);
  BOOST_REQUIRE(ro);
  CheckOptions co;
  co.repair = true;
  BOOST_TEST(!(*ro)->check(co));
  co.repair = false;
  BOOST_TEST((*ro)->check(co)->clean());
}

BOOST_AUTO_TEST_SUITE_END()
