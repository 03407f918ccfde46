#define BOOST_TEST_DYN_LINK
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <boost/test/unit_test.hpp>

#include "fixture.hpp"
#include "skiff/storage/extract.hpp"
#include "skiff/util/archive.hpp"

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

namespace {

// A layer root next to a canary file and a directory that must never change.
struct Ex {
  TempDir t;
  std::string root;
  std::vector<std::string> before;
  IdMap map = test_idmap();

  Ex() {
    root = t.sub("root");
    BOOST_REQUIRE(mkdir(root.c_str(), 0755) == 0);
    BOOST_REQUIRE(write_file_atomic(t.sub("canary"), "canary"));
    BOOST_REQUIRE(mkdir(t.sub("outside").c_str(), 0755) == 0);
    BOOST_REQUIRE(write_file_atomic(t.sub("outside/keep"), "keep"));
    BOOST_REQUIRE(write_file_atomic(t.sub("spool"), "", 0666));
    before = tree_of(t.path(), "root");
  }

  // Extracts as the store would: in-process when root, else as root of a user namespace with
  // this user's mapping. Counters come back through shared memory.
  Result<ExtractStats> run(const std::string& tar, ExtractOptions o = {}) {
    o.rootless = map.userns;
    o.single_id = map.userns && map.single;
    o.uid_count = map.uid_count();
    o.gid_count = map.gid_count();
    if (map.userns && o.whiteouts == WhiteoutMode::OverlayTrusted) o.whiteouts = WhiteoutMode::OverlayUser;
    auto rootfd = open_path(root, O_RDONLY | O_DIRECTORY);
    BOOST_REQUIRE(rootfd);
    auto spool = open_path(t.sub("spool"), O_RDWR | O_TRUNC);  // directory mtimes, as the store does
    BOOST_REQUIRE(spool);
    o.spool_fd = spool->get();
    auto work = [&](ExtractStats& out) -> Status {
      StringSource src(tar);
      auto r = TRY(make_tar_reader(src));
      out = TRY(extract_layer_tar(rootfd->get(), *r, o));
      TRY(apply_spooled_dir_times(rootfd->get(), spool->get()));
      (void)!ftruncate(spool->get(), 0);
      return ok();
    };
    if (!map.userns) {
      ExtractStats s;
      TRY(work(s));
      return s;
    }
    auto* shared = static_cast<uint64_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    BOOST_REQUIRE(shared != MAP_FAILED);
    Status st = run_in_userns(map, [&]() -> Status {
      ExtractStats s;
      TRY(work(s));
      uint64_t v[] = {s.entries, s.file_bytes, s.whiteouts, s.devices_skipped, s.owners_squashed, s.xattrs_skipped, s.aufs_skipped};
      memcpy(shared, v, sizeof v);
      return ok();
    });
    ExtractStats s;
    s.entries = shared[0], s.file_bytes = shared[1], s.whiteouts = shared[2], s.devices_skipped = shared[3];
    s.owners_squashed = shared[4], s.xattrs_skipped = shared[5], s.aufs_skipped = shared[6];
    munmap(shared, 4096);
    if (!st) return st.error();
    return s;
  }

  void no_escape() const {
    auto after = tree_of(t.path(), "root");
    BOOST_TEST(after == before, boost::test_tools::per_element());
  }
  std::string at(std::string_view p) const { return root + "/" + std::string(p); }
  bool exists(std::string_view p) const {
    struct stat st;
    return lstat(at(p).c_str(), &st) == 0;
  }
  struct stat st(std::string_view p) const {
    struct stat s {};
    BOOST_REQUIRE_MESSAGE(lstat(at(p).c_str(), &s) == 0, "lstat " << p);
    return s;
  }
  std::string content(std::string_view p) const {
    auto c = read_file(at(p));
    return c ? *c : "<missing>";
  }
  uid_t host_uid(uint32_t u) const { return uid_t(map.host_uid(u)); }
};

void expect_error(const Result<ExtractStats>& r, std::string_view needle) {
  BOOST_REQUIRE_MESSAGE(!r, "extraction should have failed with: " << needle);
  BOOST_TEST_MESSAGE("error: " << r.error().msg);
  BOOST_TEST(r.error().msg.find(needle) != std::string::npos, r.error().msg);
}

// Produces a tar on the fly: `dirs` directories, `files` empty files spread over them, then
// `whiteouts` whiteout entries, without ever holding more than one header.
class GeneratedTar : public ByteSource {
 public:
  GeneratedTar(uint64_t dirs, uint64_t files, uint64_t whiteouts) : dirs_(dirs), files_(files), wh_(whiteouts) {}
  Result<size_t> read(void* buf, size_t n) override {
    size_t done = 0;
    char* out = static_cast<char*>(buf);
    while (done < n) {
      if (pos_ == cur_.size()) {
        if (!refill()) break;
      }
      size_t k = std::min(n - done, cur_.size() - pos_);
      memcpy(out + done, cur_.data() + pos_, k);
      pos_ += k;
      done += k;
    }
    return done;
  }

 private:
  bool refill() {
    RawTar t;
    if (i_ < dirs_) t.dir(fmt::format("d{}", i_));
    else if (i_ < dirs_ + files_) t.file(fmt::format("d{}/f{}", i_ % dirs_, i_));
    else if (i_ < dirs_ + files_ + wh_) t.file(fmt::format("d{}/.wh.gone{}", i_ % dirs_, i_));
    else if (!ended_) {
      ended_ = true;
      cur_ = std::string(1024, '\0');
      pos_ = 0;
      return true;
    } else {
      return false;
    }
    ++i_;
    cur_ = t.bytes();
    pos_ = 0;
    return true;
  }
  uint64_t dirs_, files_, wh_, i_ = 0;
  bool ended_ = false;
  std::string cur_;
  size_t pos_ = 0;
};

long vm_hwm_kib() {
  auto s = read_file("/proc/self/status");
  if (!s) return -1;
  auto p = s->find("VmHWM:");
  return p == std::string::npos ? -1 : std::stol(s->substr(p + 6));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_extract)

BOOST_AUTO_TEST_CASE(regular_tree_extracts_as_the_image_says) {
  Ex x;
  RawTar t;
  t.dir("a", 0750, 1600000000);
  RawTar::Hdr f{"a/f", '0', 0604, 1, 2, "hello"};  // o+r: readable here when rootless
  f.pax = {{"SCHILY.xattr.user.test", "v1"}};
  t.add(f);
  t.symlink("a/l", "f").hardlink("a/h", "a/f").device("a/p", '6', 0, 0).file("./b//c", "x");
  auto r = x.run(t.finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(r->entries == 6u);
  BOOST_TEST(r->file_bytes == 6u);
  auto a = x.st("a");
  BOOST_TEST((a.st_mode & 07777) == 0750u);
  BOOST_TEST(a.st_mtime == 1600000000);  // restored after its children were written
  auto fs = x.st("a/f");
  BOOST_TEST((fs.st_mode & 07777) == 0604u);
  BOOST_TEST(fs.st_uid == x.host_uid(1));
  BOOST_TEST(fs.st_nlink == 2u);
  BOOST_TEST(fs.st_mtime == 1700000000);
  BOOST_TEST(x.content("a/f") == "hello");
  char v[16] = {};
  BOOST_TEST(getxattr(x.at("a/f").c_str(), "user.test", v, sizeof v) == 2);
  BOOST_TEST(std::string(v) == "v1");
  BOOST_TEST(S_ISLNK(x.st("a/l").st_mode));
  BOOST_TEST(x.st("a/h").st_ino == fs.st_ino);
  BOOST_TEST(S_ISFIFO(x.st("a/p").st_mode));
  BOOST_TEST(x.content("b/c") == "x");
  BOOST_TEST((x.st("b").st_mode & 07777) == 0755u);  // implied parent
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(dotdot_names_are_rejected) {
  for (std::string name : {"../canary", "a/../../canary", "./../outside/x", "a/b/../../../outside/keep"}) {
    Ex x;
    expect_error(x.run(RawTar().file(name, "pwned").finish()), "escapes the layer root");
    x.no_escape();
  }
}

BOOST_AUTO_TEST_CASE(absolute_names_stay_inside) {
  Ex x;
  auto r = x.run(RawTar().file("/canary", "pwned").file(x.t.sub("outside/keep"), "pwned").finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(x.content("canary") == "pwned");
  BOOST_TEST(x.content(x.t.sub("outside/keep").substr(1)) == "pwned");
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(symlinks_climbing_above_the_root_are_kept) {
  // Real images hold such links; Docker and Podman accept them. They are text here, and
  // writes through them resolve inside the root.
  Ex x;
  RawTar t;
  t.symlink("l", "../canary").symlink("a", "../../../../etc").symlink("b/c", "a/../../x");
  t.dir("etc").file("a/passwd", "inside");
  t.dir("outside").symlink("l2", "../../outside");  // "/outside" inside the layer
  t.file("l2/keep", "pwned");
  auto r = x.run(t.finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  char buf[256];
  ssize_t n = readlink(x.at("a").c_str(), buf, sizeof buf);
  BOOST_TEST(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "../../../../etc");
  n = readlink(x.at("l").c_str(), buf, sizeof buf);
  BOOST_TEST(std::string(buf, size_t(std::max<ssize_t>(n, 0))) == "../canary");
  BOOST_TEST(x.content("etc/passwd") == "inside");  // "a/passwd" through the link: /etc inside
  BOOST_TEST(x.content("outside/keep") == "pwned");
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(a_dangling_symlink_on_the_way_is_named) {
  Ex x;
  auto r = x.run(RawTar().symlink("esc", "../../nowhere").file("esc/x", "y").finish());
  expect_error(r, "`/esc` is a symbolic link to `../../nowhere`, which does not exist");
  expect_error(r, "it leads to `/nowhere`");
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(writes_through_symlinks_stay_inside) {
  Ex x;
  RawTar t;
  t.symlink("r", "/").file("r/canary", "pwned");  // "/" is the layer root
  t.dir(x.t.sub("outside"));                       // so the host path below exists in the layer
  t.symlink("o", x.t.sub("outside")).file("o/keep", "pwned");
  t.dir("d").symlink("d/up", "..").file("d/up/up/x", "pwned");
  auto r = x.run(t.finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(x.content("canary") == "pwned");  // landed in the layer, not outside
  BOOST_TEST(x.content(x.t.sub("outside/keep").substr(1)) == "pwned");
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(a_dangling_symlink_parent_fails_cleanly) {
  Ex x;  // the target does not exist inside the layer: an error, as with Docker's MkdirAll
  auto r = x.run(RawTar().symlink("o", x.t.sub("outside")).file("o/keep", "pwned").finish());
  BOOST_TEST(!r);
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(an_existing_symlink_is_replaced_not_followed) {
  Ex x;
  RawTar t;
  t.symlink("x", x.t.sub("canary")).file("x", "pwned");
  t.symlink("d", x.t.sub("outside")).dir("d");
  auto r = x.run(t.finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(S_ISREG(x.st("x").st_mode));
  BOOST_TEST(x.content("x") == "pwned");
  BOOST_TEST(S_ISDIR(x.st("d").st_mode));
  x.no_escape();
}

BOOST_AUTO_TEST_CASE(hard_links_cannot_reach_outside) {
  struct stat pw0 {};
  BOOST_REQUIRE(stat("/etc/passwd", &pw0) == 0);
  {
    Ex x;
    expect_error(x.run(RawTar().hardlink("h", "../canary").finish()), "points outside the layer");
    x.no_escape();
  }
  {
    Ex x;  // absolute: means the layer's /etc/passwd, which does not exist
    expect_error(x.run(RawTar().hardlink("h", "/etc/passwd").finish()), "hard link target");
    x.no_escape();
  }
  {
    Ex x;  // through a symlinked directory: resolved in the root, so still missing
    expect_error(x.run(RawTar().symlink("e", "/etc").hardlink("h", "e/passwd").finish()), "hard link target");
    x.no_escape();
  }
  {
    Ex x;  // a link to a symlink links the symlink itself; writing the name replaces it
    auto r = x.run(RawTar().symlink("s", x.t.sub("canary")).hardlink("h", "s").file("h", "pwned").finish());
    BOOST_REQUIRE_MESSAGE(bool(r), why(r));
    BOOST_TEST(x.content("h") == "pwned");
    BOOST_TEST(S_ISLNK(x.st("s").st_mode));
    x.no_escape();
  }
  struct stat pw1 {};
  BOOST_REQUIRE(stat("/etc/passwd", &pw1) == 0);
  BOOST_TEST(pw0.st_nlink == pw1.st_nlink);
}

BOOST_AUTO_TEST_CASE(rewriting_a_hard_linked_name_leaves_the_other_alone) {
  Ex x;
  auto r = x.run(RawTar().file("a", "orig").hardlink("b", "a").file("b", "new").finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(x.content("a") == "orig");
  BOOST_TEST(x.content("b") == "new");
  Ex y;
  expect_error(y.run(RawTar().dir("d").hardlink("h", "d").finish()), "hard link to a directory");
  Ex z;
  expect_error(z.run(RawTar().hardlink("h", ".wh.x").finish()), "hard link to a whiteout");
}

BOOST_AUTO_TEST_CASE(device_nodes_rootful) {
  Ex x;
  if (x.map.userns) {
    BOOST_TEST_MESSAGE("rootless: devices are skipped");
    auto r = x.run(RawTar().device("dev/null", '3', 1, 3).device("dev/sda", '4', 8, 0).device("p", '6', 0, 0).finish());
    BOOST_REQUIRE_MESSAGE(bool(r), why(r));
    BOOST_TEST(r->devices_skipped == 2u);
    BOOST_TEST(!x.exists("dev/null"));
    BOOST_TEST(S_ISFIFO(x.st("p").st_mode));
    BOOST_TEST(r->warnings().size() == 1u);
    return;
  }
  auto r = x.run(RawTar().device("dev/null", '3', 1, 3).device("dev/sda", '4', 8, 0).finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  auto n = x.st("dev/null");
  BOOST_TEST(S_ISCHR(n.st_mode));
  BOOST_TEST(major(n.st_rdev) == 1u);
  BOOST_TEST(minor(n.st_rdev) == 3u);
  BOOST_TEST(S_ISBLK(x.st("dev/sda").st_mode));
  // Asked to behave as rootless: skipped, counted.
  Ex y;
  ExtractOptions o;
  o.rootless = true;
  StringSource src(RawTar().device("dev/null", '3', 1, 3).finish());
  auto rd = make_tar_reader(src);
  BOOST_REQUIRE(rd);
  auto fd = open_path(y.root, O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd);
  auto s = extract_layer_tar(fd->get(), **rd, o);
  BOOST_REQUIRE(s);
  BOOST_TEST(s->devices_skipped == 1u);
  BOOST_TEST(!y.exists("dev/null"));
}

BOOST_AUTO_TEST_CASE(setuid_bits_are_kept_after_chown) {
  Ex x;
  auto r = x.run(RawTar().file("bin/su", "elf", 04755, 0, 0).file("bin/wall", "elf", 02755, 0, 5).dir("tmp", 01777).finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST((x.st("bin/su").st_mode & 07777) == 04755u);
  BOOST_TEST((x.st("bin/wall").st_mode & 07777) == 02755u);
  BOOST_TEST(x.st("bin/wall").st_gid == gid_t(x.map.host_gid(5)));
  BOOST_TEST((x.st("tmp").st_mode & 07777) == 01777u);
}

BOOST_AUTO_TEST_CASE(huge_names_are_rejected) {
  {
    Ex x;
    expect_error(x.run(RawTar().file(std::string(5000, 'a'), "x").finish()), "longer than 4096");
    x.no_escape();
  }
  {
    Ex x;
    expect_error(x.run(RawTar().file("d/" + std::string(300, 'b'), "x").finish()), "longer than 255");
  }
  {
    Ex x;  // a 2 MiB PAX record: refused by the reader before it is held in memory
    RawTar::Hdr h{"x", '0', 0644, 0, 0, "x"};
    h.pax = {{"comment", std::string(2 << 20, 'c')}};
    auto r = x.run(RawTar().add(h).finish());
    BOOST_TEST(!r);
    if (!r) BOOST_TEST_MESSAGE("error: " << r.error().msg);
    x.no_escape();
  }
  {
    Ex x;  // a symlink target over PATH_MAX
    expect_error(x.run(RawTar().symlink("l", std::string(5000, 't')).finish()), "longer than 4095");
  }
}

BOOST_AUTO_TEST_CASE(many_entries_keep_memory_flat) {
  // 50k files in 100 directories, then a million whiteouts (ignored: no disk cost), streamed.
  Ex x;
  {  // "5" resets VmHWM to the current RSS (proc(5))
    auto fd = open_path("/proc/self/clear_refs", O_WRONLY);
    if (fd) (void)!::write(fd->get(), "5", 1);
  }
  long hwm0 = vm_hwm_kib();
  GeneratedTar gen(100, 50000, 1000000);
  auto rd = make_tar_reader(gen);
  BOOST_REQUIRE(rd);
  auto fd = open_path(x.root, O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd);
  ExtractOptions o;
  o.chown = is_root();
  auto spool = open_path(x.t.sub("spool"), O_RDWR | O_TRUNC);
  BOOST_REQUIRE(spool);
  o.spool_fd = spool->get();
  auto r = extract_layer_tar(fd->get(), **rd, o);
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(r->entries == 1050100u);
  BOOST_TEST(r->whiteouts == 1000000u);
  BOOST_REQUIRE(apply_spooled_dir_times(fd->get(), spool->get()));
  long hwm1 = vm_hwm_kib();
  BOOST_TEST_MESSAGE("peak RSS grew by " << (hwm1 - hwm0) << " KiB over 1,050,100 entries");
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed memory resident
  BOOST_TEST(hwm1 - hwm0 < 16 * 1024);
#endif
  BOOST_TEST(x.exists("d99/f49999"));
}

BOOST_AUTO_TEST_CASE(overlay_whiteouts) {
  Ex x;
  ExtractOptions o;
  o.whiteouts = WhiteoutMode::OverlayTrusted;  // OverlayUser when rootless (see Ex::run)
  RawTar t;
  t.file("keep", "k").file(".wh.gone").dir("d").file("d/.wh..wh..opq").file("d/new", "n");
  t.file("same", "s").file(".wh.same");  // the layer's own file stays visible
  t.file("deep/er/.wh.x");               // parents of a whiteout are created
  auto r = x.run(t.finish(), o);
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(r->whiteouts == 4u);
  auto g = x.st("gone");
  BOOST_TEST(S_ISCHR(g.st_mode));
  BOOST_TEST(g.st_rdev == makedev(0, 0));
  BOOST_TEST(x.content("same") == "s");
  BOOST_TEST(S_ISCHR(x.st("deep/er/x").st_mode));
  BOOST_TEST(!x.exists(".wh.gone"));
  BOOST_TEST(!x.exists("d/.wh..wh..opq"));
  BOOST_TEST(x.content("d/new") == "n");
  if (!x.map.userns) {
    char v[4] = {};
    BOOST_TEST(getxattr(x.at("d").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
    BOOST_TEST(v[0] == 'y');
  } else {
    char v[4] = {};
    BOOST_TEST(getxattr(x.at("d").c_str(), "user.overlay.opaque", v, sizeof v) == 1);
  }
}

BOOST_AUTO_TEST_CASE(aufs_metadata_and_bad_whiteouts) {
  Ex x;
  auto r = x.run(RawTar().file(".wh..wh.plnk/123", "x").file(".wh..wh.aufs").file("ok", "1").finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(r->aufs_skipped == 2u);
  BOOST_TEST(!x.exists(".wh..wh.plnk"));
  Ex y;
  expect_error(y.run(RawTar().file(".wh.foo/bar").finish()), "whiteout name used as a directory");
  Ex z;
  expect_error(z.run(RawTar().file("d/.wh.").finish()), "whiteout without a name");
}

BOOST_AUTO_TEST_CASE(extended_attributes_are_filtered) {
  Ex x;
  RawTar::Hdr f{"f", '0', 0644, 0, 0, "x"};
  f.pax = {{"SCHILY.xattr.user.ok", "1"},
           {"SCHILY.xattr.trusted.overlay.opaque", "y"},
           {"SCHILY.xattr.user.overlay.redirect", "/etc"},
           {"SCHILY.xattr.security.selinux", "system_u:object_r:etc_t:s0"}};
  auto r = x.run(RawTar().add(f).finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST(r->xattrs_skipped == 3u);
  char v[8];
  BOOST_TEST(getxattr(x.at("f").c_str(), "user.ok", v, sizeof v) == 1);
  BOOST_TEST(getxattr(x.at("f").c_str(), "user.overlay.redirect", v, sizeof v) < 0);
  if (!x.map.userns) BOOST_TEST(getxattr(x.at("f").c_str(), "trusted.overlay.opaque", v, sizeof v) < 0);
}

BOOST_AUTO_TEST_CASE(root_entry_and_replacements) {
  Ex x;
  RawTar t;
  t.dir("./", 0711).dir("a").file("a/f", "1").file("a", "now a file").dir("b").file("b/x", "kept").dir("b", 0700);
  auto r = x.run(t.finish());
  BOOST_REQUIRE_MESSAGE(bool(r), why(r));
  BOOST_TEST((x.st("").st_mode & 07777) == 0711u);
  BOOST_TEST(x.content("a") == "now a file");
  BOOST_TEST(x.content("b/x") == "kept");  // directory over directory: merged
  BOOST_TEST((x.st("b").st_mode & 07777) == 0700u);
  Ex y;
  expect_error(y.run(RawTar().file(".", "x").finish()), "cannot replace the layer root");
}

BOOST_AUTO_TEST_CASE(owner_outside_the_mapping_names_subuid, *boost::unit_test::precondition(RootlessOnly())) {
  Ex x;
  if (x.map.single) {
    auto r = x.run(RawTar().file("f", "x", 0644, 70000, 0).finish());
    BOOST_REQUIRE(r);
    BOOST_TEST(r->owners_squashed == 1u);
    return;
  }
  expect_error(x.run(RawTar().file("f", "x", 0644, uint32_t(x.map.uid_count() + 5), 0).finish()), "/etc/subuid");
}

BOOST_AUTO_TEST_CASE(empty_and_truncated_archives) {
  Ex x;
  auto r = x.run("");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->entries == 0u);
  std::string tar = RawTar().file("f", std::string(5000, 'x')).finish();
  Ex y;
  BOOST_TEST(!y.run(tar.substr(0, 2048)));
}

BOOST_AUTO_TEST_CASE(clean_entry_path_rules) {
  auto c = clean_entry_path("./a//b/./c/");
  BOOST_REQUIRE(c);
  BOOST_TEST((*c == std::vector<std::string>{"a", "b", "c"}));
  BOOST_TEST(clean_entry_path("/").value().empty());
  BOOST_TEST((clean_entry_path("/x/../y").value() == std::vector<std::string>{"y"}));
  BOOST_TEST(!clean_entry_path(".."));
  BOOST_TEST(!clean_entry_path("a/../.."));
}

BOOST_AUTO_TEST_SUITE_END()
