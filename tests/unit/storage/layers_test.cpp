#define BOOST_TEST_DYN_LINK
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <boost/test/unit_test.hpp>
#include <thread>

#include "fixture.hpp"
#include "skiff/util/compress.hpp"

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

namespace {

std::string base_tar() {
  return RawTar()
      .dir("etc")
      .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
      .file("etc/group", "root:x:0:\n")
      .dir("opt")
      .file("opt/a", "a")
      .file("opt/b", "b")
      .dir("var")
      .file("var/log", "log")
      .symlink("bin", "usr/bin")
      .finish();
}

// Deletes etc/group, makes opt opaque (keeping a new file), adds a file.
std::string top_tar() {
  return RawTar()
      .file("etc/.wh.group")
      .dir("opt")
      .file("opt/.wh..wh..opq")
      .file("opt/new", "new")
      .file("etc/hostname", "box\n")
      .file(".wh.var")
      .finish();
}


bool staging_empty(const std::string& root) {
  auto n = list_dir(root + "/staging");
  return n && n->empty();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_layers)

BOOST_AUTO_TEST_CASE(open_records_version_driver_and_idmap) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  BOOST_TEST((s->driver() == Driver::Vfs));
  BOOST_TEST(*read_file(t.sub("VERSION")) == "1\n");
  BOOST_TEST(*read_file(t.sub("driver")) == "vfs\n");
  BOOST_TEST(*read_file(t.sub("idmap")) == s->idmap().fingerprint() + "\n");
  struct stat st;
  BOOST_REQUIRE(stat(t.path().c_str(), &st) == 0);
  s.reset();
  // The driver is fixed once recorded.
  StoreOptions o;
  o.graph_root = t.path();
  o.driver_override = "overlay";
  o.create = true;
  auto again = Store::open(o);
  BOOST_REQUIRE(!again);
  BOOST_TEST(again.error().msg.find("created with the vfs storage driver") != std::string::npos, again.error().msg);
  // An edited /etc/subuid is detected and the fix named.
  BOOST_REQUIRE(write_file_atomic(t.sub("idmap"), "uid=0:1000:1;gid=0:1000:1\n"));
  o.driver_override = "";
  auto moved = Store::open(o);
  BOOST_REQUIRE(!moved);
  BOOST_TEST(moved.error().msg.find("skiff system migrate") != std::string::npos, moved.error().msg);
  // A missing store opens read-only and empty.
  StoreOptions ro;
  ro.graph_root = t.sub("nothing-here");
  auto empty = Store::open(ro);
  BOOST_REQUIRE(empty);
  BOOST_TEST(!(*empty)->exists());
  BOOST_TEST((*empty)->list_images()->empty());
  BOOST_TEST(!path_exists(ro.graph_root));
}

BOOST_AUTO_TEST_CASE(driver_probe_picks_overlay_when_it_works) {
  TempDir t;
  auto s = open_store(t.path());
  BOOST_TEST_MESSAGE("probed driver: " << driver_name(s->driver()));
  BOOST_TEST((s->driver() == Driver::Overlay));  // ext4 on kernel 6.x, rootful or in a userns
  BOOST_TEST(staging_empty(t.path()));
}

BOOST_AUTO_TEST_CASE(create_layer_verifies_the_diff_id) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  std::string tar = base_tar();
  StringSource wrong(tar);
  auto r = s->create_layer("", digest("something else"), wrong);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kCorrupt);
  BOOST_TEST(r.error().msg.find("diff ID mismatch") != std::string::npos, r.error().msg);
  BOOST_TEST(staging_empty(t.path()));
  BOOST_TEST(list_dir(t.sub("layers"))->empty());

  auto l = add_layer(*s, "", tar);
  BOOST_REQUIRE_MESSAGE(bool(l), why(l));
  BOOST_TEST(l->chain_id == digest(tar));
  BOOST_TEST(l->diff_id == digest(tar));
  BOOST_TEST(l->tar_size == tar.size());
  BOOST_TEST(l->size == 41u);
  BOOST_TEST(l->entries == 9u);
  BOOST_TEST(l->content_digest.starts_with("sha256:"));
  BOOST_TEST(s->has_layer(l->chain_id));
  BOOST_TEST(staging_empty(t.path()));
  // meta.json is published with the directory.
  auto meta = read_file(t.sub("layers/" + l->chain_id.substr(7) + "/meta.json"));
  BOOST_REQUIRE(meta);
  BOOST_TEST(meta->find("\"complete\":true") != std::string::npos);
  // Existing: returned without reading the stream.
  UnreadableSource never;
  auto again = s->create_layer("", l->diff_id, never);
  BOOST_REQUIRE(again);
  BOOST_TEST(!never.read_);
  BOOST_TEST(again->link == l->link);
  // stage_layer says so (a pull then knows why its download was cut short).
  auto staged = s->stage_layer("", l->diff_id, never);
  BOOST_REQUIRE(staged);
  BOOST_TEST(staged->existing());
  BOOST_TEST(!never.read_);
  auto pub = s->publish_layer(std::move(*staged));
  BOOST_REQUIRE(pub);
  BOOST_TEST(pub->chain_id == l->chain_id);
  StringSource fresh_src(tar);
  auto fresh = s->stage_layer("", digest("x"), fresh_src);
  BOOST_TEST(!fresh);  // (diff ID mismatch: nothing existing, nothing staged)
  // Unknown parent.
  StringSource src(tar);
  auto orphan = s->create_layer(digest("no such parent"), digest(tar), src);
  BOOST_REQUIRE(!orphan);
  BOOST_TEST(orphan.error().code == kNotFound);
}

BOOST_AUTO_TEST_CASE(a_torn_layer_directory_does_not_block_recreation) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  std::string tar = base_tar();
  auto l = add_layer(*s, "", tar);
  BOOST_REQUIRE(l);
  std::string meta = t.sub("layers/" + l->chain_id.substr(7) + "/meta.json");
  BOOST_REQUIRE(unlink(meta.c_str()) == 0);  // as if torn by a disk error
  BOOST_TEST(!s->has_layer(l->chain_id));
  auto again = add_layer(*s, "", tar);
  BOOST_REQUIRE_MESSAGE(bool(again), why(again));
  BOOST_TEST(s->has_layer(l->chain_id));
  BOOST_TEST(staging_empty(t.path()));
  BOOST_TEST(list_dir(t.sub("l"))->size() == 2u);  // the old link dangles until system check
}

BOOST_AUTO_TEST_CASE(hostile_layer_fails_cleanly_through_the_store) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  BOOST_REQUIRE(write_file_atomic(t.sub("canary"), "canary"));
  std::string tar = RawTar().file("ok", "1").file("../canary", "pwned").finish();
  auto r = add_layer(*s, "", tar);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().msg.find("escapes the layer root") != std::string::npos, r.error().msg);
  BOOST_TEST(*read_file(t.sub("canary")) == "canary");
  BOOST_TEST(staging_empty(t.path()));
  BOOST_TEST(list_dir(t.sub("layers"))->empty());
}

BOOST_AUTO_TEST_CASE(compressed_layers_stream_through) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  std::string tar = base_tar();
  StringSink z;
  auto c = make_compressor(z, Compression::Zstd);
  BOOST_REQUIRE(c);
  BOOST_REQUIRE((*c)->write(tar));
  BOOST_REQUIRE((*c)->close());
  StringSource blob(z.str());
  auto d = make_auto_decompressor(blob);
  BOOST_REQUIRE(d);
  auto l = s->create_layer("", digest(tar), **d);
  BOOST_REQUIRE_MESSAGE(bool(l), why(l));
}

BOOST_AUTO_TEST_CASE(vfs_snapshots_apply_whiteouts_by_deletion) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  auto base = add_layer(*s, "", base_tar());
  BOOST_REQUIRE_MESSAGE(bool(base), why(base));
  auto top = add_layer(*s, base->chain_id, top_tar());
  BOOST_REQUIRE_MESSAGE(bool(top), why(top));
  BOOST_TEST(top->depth == 2u);
  BOOST_TEST(top->chain_id == *chain_id_of(base->chain_id, top->diff_id));
  std::string d = *s->layer_diff_path(top->chain_id);
  BOOST_TEST(*read_file(d + "/etc/passwd") == "root:x:0:0::/root:/bin/sh\n");  // copied from the parent
  BOOST_TEST(!path_exists(d + "/etc/group"));                                   // whited out
  BOOST_TEST(*read_file(d + "/etc/hostname") == "box\n");
  BOOST_TEST(!path_exists(d + "/opt/a"));  // opaque: the parent's children are gone
  BOOST_TEST(*read_file(d + "/opt/new") == "new");
  BOOST_TEST(!path_exists(d + "/var"));
  BOOST_TEST(!path_exists(d + "/opt/.wh..wh..opq"));  // no marker survives
  BOOST_TEST(!path_exists(d + "/etc/.wh.group"));
  char buf[64];
  ssize_t n = readlink((d + "/bin").c_str(), buf, sizeof buf);
  BOOST_TEST(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "usr/bin");
  // The parent snapshot is untouched.
  std::string pd = *s->layer_diff_path(base->chain_id);
  BOOST_TEST(path_exists(pd + "/etc/group"));
  BOOST_TEST(path_exists(pd + "/opt/a"));
  // Hard links inside the parent stay hard links in the copy.
  auto l3 = add_layer(*s, top->chain_id, RawTar().file("x", "1").hardlink("y", "x").finish());
  BOOST_REQUIRE(l3);
  auto l4 = add_layer(*s, l3->chain_id, RawTar().file("z", "2").finish());
  BOOST_REQUIRE(l4);
  struct stat sx, sy;
  std::string d4 = *s->layer_diff_path(l4->chain_id);
  BOOST_REQUIRE(lstat((d4 + "/x").c_str(), &sx) == 0);
  BOOST_REQUIRE(lstat((d4 + "/y").c_str(), &sy) == 0);
  BOOST_TEST(sx.st_ino == sy.st_ino);
}

BOOST_AUTO_TEST_CASE(overlay_layers_mount_as_the_image_says, *boost::unit_test::precondition(RootOnly())) {
  TempDir t;
  auto s = open_store(t.path(), "overlay");
  auto base = add_layer(*s, "", base_tar());
  BOOST_REQUIRE_MESSAGE(bool(base), why(base));
  auto top = add_layer(*s, base->chain_id, top_tar());
  BOOST_REQUIRE_MESSAGE(bool(top), why(top));
  std::string d = *s->layer_diff_path(top->chain_id);
  struct stat st;
  BOOST_REQUIRE(lstat((d + "/etc/group").c_str(), &st) == 0);
  BOOST_TEST(S_ISCHR(st.st_mode));
  BOOST_TEST(st.st_rdev == makedev(0, 0));
  auto lowers = s->overlay_lowers(top->chain_id);
  BOOST_REQUIRE(lowers);
  BOOST_REQUIRE_EQUAL(lowers->size(), 2u);
  BOOST_TEST((*lowers)[0] == "l/" + top->link);
  BOOST_TEST(*s->overlay_lowerdir(top->chain_id) == (*lowers)[0] + ":" + (*lowers)[1]);
  BOOST_TEST((*lowers)[0].size() == 18u);  // "l/" + 16: short mount options
  // Mount the chain (in a private mount namespace) and look at the merged view.
  std::string merged = t.sub("merged");
  BOOST_REQUIRE(mkdir(merged.c_str(), 0755) == 0);
  std::string opts = "lowerdir=" + *s->overlay_lowerdir(top->chain_id);
  Status st2 = run_in_userns(s->idmap(), [&]() -> Status {
    if (unshare(CLONE_NEWNS) < 0) return fail_errno("unshare");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return fail_errno("private");
    if (chdir(t.path().c_str()) < 0) return fail_errno("chdir");
    if (mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()) < 0) return fail_errno("mount");
    auto view = tree_of(merged);
    std::string all;
    for (auto& l : view) all += l.substr(0, l.find(' ')) + "\n";
    (void)umount2(merged.c_str(), MNT_DETACH);
    std::string want = "bin\netc\netc/hostname\netc/passwd\nopt\nopt/new\n";
    if (all != want) return fail(EINVAL, "merged view:\n" + all);
    return ok();
  });
  BOOST_TEST(bool(st2), why(st2));
}

BOOST_AUTO_TEST_CASE(concurrent_creators_of_one_layer_share_it) {
  TempDir t;
  { auto s = open_store(t.path(), "vfs"); }
  std::string tar;
  {
    RawTar r;
    for (int i = 0; i < 300; ++i) r.file(fmt::format("f{}", i), std::string(4000, char('a' + i % 26)));
    tar = r.finish();
  }
  // Four processes and, in this one, four threads race to create the same layer.
  std::vector<pid_t> kids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      StoreOptions o;
      o.graph_root = t.path();
      o.create = true;
      o.sync = false;
      auto s = Store::open(o);
      if (!s) _exit(2);
      auto l = add_layer(**s, "", tar);
      _exit(l ? 0 : 1);
    }
    kids.push_back(pid);
  }
  auto s = open_store(t.path());
  std::vector<std::string> links(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto l = add_layer(*s, "", tar);
      links[i] = l ? l->link : "error: " + l.error().msg;
    });
  for (auto& th : threads) th.join();
  for (pid_t pid : kids) {
    int st = 0;
    waitpid(pid, &st, 0);
    BOOST_TEST((WIFEXITED(st) && WEXITSTATUS(st) == 0));
  }
  for (auto& l : links) BOOST_TEST(l == links[0]);
  BOOST_TEST(list_dir(t.sub("layers"))->size() == 1u);
  BOOST_TEST(list_dir(t.sub("l"))->size() == 1u);
  BOOST_TEST(staging_empty(t.path()));
}

BOOST_AUTO_TEST_CASE(kill_9_during_extraction_leaves_nothing_visible) {
  TempDir t;
  { auto s = open_store(t.path(), "vfs"); }
  // A source that hands out half a layer and then hangs: the creator gets killed there.
  class Stall : public ByteSource {
   public:
    explicit Stall(std::string s) : s_(std::move(s)) {}
    Result<size_t> read(void* buf, size_t n) override {
      if (pos_ >= s_.size() / 2) {
        pause();
        return fail(EINTR, "interrupted");
      }
      size_t k = std::min(n, s_.size() / 2 - pos_);
      memcpy(buf, s_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    std::string s_;
    size_t pos_ = 0;
  };
  RawTar r;
  for (int i = 0; i < 200; ++i) r.file(fmt::format("f{}", i), std::string(8000, 'x'));
  std::string tar = r.finish();
  int ready[2];
  BOOST_REQUIRE(pipe(ready) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    StoreOptions o;
    o.graph_root = t.path();
    o.create = true;
    auto s = Store::open(o);
    if (!s) _exit(2);
    class Signal : public Stall {
     public:
      Signal(std::string s, int fd) : Stall(std::move(s)), fd_(fd) {}
      Result<size_t> read(void* buf, size_t n) override {
        if (pos_ >= s_.size() / 2 && fd_ >= 0) {
          (void)!write(fd_, "x", 1);
          fd_ = -1;
        }
        return Stall::read(buf, n);
      }
      int fd_;
    } src(tar, ready[1]);
    (void)(*s)->create_layer("", digest(tar), src);
    _exit(0);
  }
  close(ready[1]);
  char c;
  BOOST_REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  usleep(100000);
  kill(pid, SIGKILL);
  int st;
  waitpid(pid, &st, 0);
  BOOST_TEST(!staging_empty(t.path()));  // the half-made layer is there, in staging only
  BOOST_TEST(list_dir(t.sub("layers"))->empty());
  auto s = open_store(t.path());           // open for writing sweeps it
  BOOST_TEST(staging_empty(t.path()));
  auto l = add_layer(*s, "", tar);        // and the next attempt completes
  BOOST_REQUIRE_MESSAGE(bool(l), why(l));
}

BOOST_AUTO_TEST_CASE(remove_layer_refuses_while_needed) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  auto base = add_layer(*s, "", base_tar());
  auto top = add_layer(*s, base->chain_id, top_tar());
  BOOST_REQUIRE(base && top);
  auto r = s->remove_layer(base->chain_id);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().msg.find("child layer") != std::string::npos);
  BOOST_REQUIRE(s->remove_layer(top->chain_id));
  BOOST_REQUIRE(s->remove_layer(base->chain_id));
  BOOST_TEST(list_dir(t.sub("layers"))->empty());
  BOOST_TEST(list_dir(t.sub("l"))->empty());
  BOOST_TEST(staging_empty(t.path()));
}

BOOST_AUTO_TEST_SUITE_END()
