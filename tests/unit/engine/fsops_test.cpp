#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/changes.hpp"
#include "../storage/fixture.hpp"
#include "skiff/engine/fsops.hpp"
#include "skiff/storage/extract.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::engine;
using skiff::test::TempDir;

namespace {

void put(const std::string& path, const std::string& content = "x") {
  BOOST_REQUIRE(write_file_atomic(path, content, 0644, false));
}
void dir(const std::string& path) { BOOST_REQUIRE(mkdir_p(path, 0755)); }
void whiteout(const std::string& path) { BOOST_REQUIRE(mknod(path.c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0); }
bool opaque(const std::string& path) {
  // user.overlay.opaque is what rootless overlay (userxattr) writes; root may write either.
  return setxattr(path.c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
}

UniqueFd open_dir(const std::string& p) {
  auto fd = open_path(p, O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd);
  return std::move(*fd);
}

std::string lines(const std::vector<Change>& v) {
  std::string s;
  for (auto& c : v) s += std::string(1, c.letter()) + " " + c.path + "\n";
  return s;
}

Result<CopyPlan> plan(const std::string& src, bool src_dir, const std::string& dst, bool dst_exists, bool dst_dir) {
  return plan_copy(CopyEnd{src, true, src_dir}, split_path_dir_entry(src).second, CopyEnd{dst, dst_exists, dst_dir});
}

std::string shown(const Result<CopyPlan>& p) {
  if (!p) return "error: " + p.error().msg;
  return p->dir + " | " + p->name;
}

// Tar entry names and types of a stream, in order.
std::string tar_listing(const std::string& bytes) {
  StringSource src(bytes);
  auto r = make_tar_reader(src);
  BOOST_REQUIRE(r);
  std::string out;
  TarEntry e;
  for (;;) {
    auto more = (*r)->next(e);
    BOOST_REQUIRE(more);
    if (!*more) break;
    const char* t = e.type == TarType::Dir ? "d" : e.type == TarType::File ? "f" : e.type == TarType::Symlink ? "l" : "?";
    out += std::string(t) + " " + e.path + "\n";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_cp_rules)

BOOST_AUTO_TEST_CASE(split_path_dir_entry_as_docker) {
  using P = std::pair<std::string, std::string>;
  BOOST_TEST((split_path_dir_entry("/a/b") == P{"/a", "b"}));
  BOOST_TEST((split_path_dir_entry("/a/b/") == P{"/a", "b"}));
  BOOST_TEST((split_path_dir_entry("/a/b/.") == P{"/a/b", "."}));
  BOOST_TEST((split_path_dir_entry("a/b/.") == P{"a/b", "."}));
  BOOST_TEST((split_path_dir_entry("file") == P{".", "file"}));
  BOOST_TEST((split_path_dir_entry(".") == P{".", "."}));
  BOOST_TEST((split_path_dir_entry("/") == P{"/", "/"}));
  BOOST_TEST((split_path_dir_entry("/a//b/../c") == P{"/a", "c"}));
}

BOOST_AUTO_TEST_CASE(placement) {
  // Into an existing directory: under the source's name; "dir/." puts the contents there.
  BOOST_TEST(shown(plan("/etc/passwd", false, "/out", true, true)) == "/out | passwd");
  BOOST_TEST(shown(plan("/etc", true, "/out", true, true)) == "/out | etc");
  BOOST_TEST(shown(plan("/etc/.", true, "/out", true, true)) == "/out | ");
  BOOST_TEST(shown(plan("/", true, "/out", true, true)) == "/out | ");
  // Onto an existing file.
  BOOST_TEST(shown(plan("/etc/passwd", false, "/out/f", true, false)) == "/out | f");
  BOOST_TEST(shown(plan("/etc", true, "/out/f", true, false)) == "error: cannot copy directory");
  // A new name.
  BOOST_TEST(shown(plan("/etc", true, "/out/new", false, false)) == "/out | new");
  BOOST_TEST(shown(plan("/etc/.", true, "/out/new", false, false)) == "/out | new");
  BOOST_TEST(shown(plan("/etc/passwd", false, "/out/new", false, false)) == "/out | new");
  BOOST_TEST(shown(plan("/etc/passwd", false, "/out/new/", false, false)) == "error: no such directory");
  BOOST_TEST(shown(plan("/etc/passwd", false, "relative", false, false)) == ". | relative");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_changes)

// Upper over two lower layers: added, modified (copied-up parents too), an opaque directory.
BOOST_AUTO_TEST_CASE(overlay_added_modified_opaque) {
  TempDir t;
  dir(t.sub("low1/a"));
  put(t.sub("low1/a/f1"));
  put(t.sub("low1/a/f2"));
  dir(t.sub("low1/d"));
  put(t.sub("low1/d/old1"));
  put(t.sub("low1/d/old2"));
  dir(t.sub("low0/d"));
  put(t.sub("low0/d/older"));
  put(t.sub("low0/file"));
  dir(t.sub("up/a"));
  put(t.sub("up/a/f1"), "changed");
  dir(t.sub("up/new/sub"));
  put(t.sub("up/new/sub/n"));
  put(t.sub("up/file"), "replaced");
  dir(t.sub("up/d"));
  put(t.sub("up/d/old2"), "again");
  put(t.sub("up/d/fresh"));
  if (!opaque(t.sub("up/d"))) {
    BOOST_TEST_MESSAGE("no user.* xattrs here: opaque directory not tested");
    BOOST_REQUIRE(remove_tree(t.sub("up/d")));
  }
  bool with_opaque = path_exists(t.sub("up/d"));
  auto up = open_dir(t.sub("up"));
  auto l1 = open_dir(t.sub("low1"));
  auto l0 = open_dir(t.sub("low0"));
  auto ch = overlay_changes(up.get(), {l1.get(), l0.get()});
  BOOST_REQUIRE_MESSAGE(ch, test::why(ch));
  std::string want = "C /a\nC /a/f1\n";
  if (with_opaque) want += "C /d\nA /d/fresh\nD /d/old1\nA /d/old2\nD /d/older\n";
  want += "C /file\nA /new\nA /new/sub\nA /new/sub/n\n";
  BOOST_TEST(lines(*ch) == want);
}

BOOST_AUTO_TEST_CASE(overlay_whiteouts, *boost::unit_test::precondition(test::RootOnly())) {
  TempDir t;
  dir(t.sub("low/a"));
  put(t.sub("low/a/f"));
  dir(t.sub("low/gone/deep"));
  put(t.sub("low/gone/deep/x"));
  put(t.sub("low/h"));
  dir(t.sub("up/a"));
  whiteout(t.sub("up/a/f"));
  whiteout(t.sub("up/gone"));
  auto up = open_dir(t.sub("up"));
  auto low = open_dir(t.sub("low"));
  auto ch = overlay_changes(up.get(), {low.get()});
  BOOST_REQUIRE(ch);
  BOOST_TEST(lines(*ch) == "C /a\nD /a/f\nD /gone\n");  // a deleted directory is one line

  // The layer tar: whiteouts in OCI form, deterministic.
  auto tar_of = [&]() {
    StringSink sink;
    auto w = make_tar_writer(sink);
    BOOST_REQUIRE(w);
    BOOST_REQUIRE(write_overlay_layer(up.get(), **w));
    BOOST_REQUIRE((*w)->finish());
    return sink.str();
  };
  std::string a = tar_of();
  BOOST_TEST(tar_listing(a) == "d a/\nf a/.wh.f\nf .wh.gone\n");
  BOOST_TEST(tar_of() == a);
}

BOOST_AUTO_TEST_CASE(overlay_layer_tar_marks_opaque_directories) {
  TempDir t;
  dir(t.sub("up/d"));
  put(t.sub("up/d/n"));
  if (!opaque(t.sub("up/d"))) return;
  auto up = open_dir(t.sub("up"));
  StringSink sink;
  auto w = make_tar_writer(sink);
  BOOST_REQUIRE(w);
  BOOST_REQUIRE(write_overlay_layer(up.get(), **w));
  BOOST_REQUIRE((*w)->finish());
  BOOST_TEST(tar_listing(sink.str()) == "d d/\nf d/.wh..wh..opq\nf d/n\n");
}

// vfs: Docker's comparison rules, and the runtime's mount-point stubs.
BOOST_AUTO_TEST_CASE(vfs_compare) {
  TempDir t;
  for (auto* side : {"img", "root"}) {
    std::string s = side;
    dir(t.sub(s + "/etc"));
    put(t.sub(s + "/etc/passwd"), "root");
    dir(t.sub(s + "/bin/sub"));
    put(t.sub(s + "/bin/sh"));
    put(t.sub(s + "/bin/vi"));
    put(t.sub(s + "/bin/sub/z"));
    dir(t.sub(s + "/same"));
    put(t.sub(s + "/same/f"));
  }
  // Times of files are a change; a directory's are not.
  struct timespec ts[2] = {{1000, 0}, {1000, 0}};
  BOOST_REQUIRE(utimensat(AT_FDCWD, t.sub("root/bin/sh").c_str(), ts, 0) == 0);
  BOOST_REQUIRE(utimensat(AT_FDCWD, t.sub("img/bin/sh").c_str(), ts, 0) == 0);
  BOOST_REQUIRE(utimensat(AT_FDCWD, t.sub("root/same").c_str(), ts, 0) == 0);
  BOOST_REQUIRE(utimensat(AT_FDCWD, t.sub("img/same/f").c_str(), ts, 0) == 0);
  BOOST_REQUIRE(unlink(t.sub("root/bin/vi").c_str()) == 0);
  BOOST_REQUIRE(remove_tree(t.sub("root/bin/sub")));
  put(t.sub("root/etc/passwd"), "root\nmore");
  dir(t.sub("root/new/deeper"));
  put(t.sub("root/new/deeper/f"));
  BOOST_REQUIRE(chmod(t.sub("root/etc").c_str(), 0700) == 0);
  // The runtime's stubs: empty, absent from the image: not changes. Not empty: a change.
  put(t.sub("root/etc/hostname"), "");
  put(t.sub("root/etc/hosts"), "127.0.0.1 localhost");
  dir(t.sub("root/proc"));
  auto root = open_dir(t.sub("root"));
  auto img = open_dir(t.sub("img"));
  auto ch = vfs_changes(root.get(), img.get());
  BOOST_REQUIRE_MESSAGE(ch, test::why(ch));
  BOOST_TEST(lines(*ch) ==
             "C /bin\nD /bin/sub\nD /bin/vi\nC /etc\nA /etc/hosts\nC /etc/passwd\nA /new\nA /new/deeper\n"
             "A /new/deeper/f\nC /same\nC /same/f\n");

  // Its layer: one entry per change, deletions as whiteouts.
  StringSink sink;
  auto w = make_tar_writer(sink);
  BOOST_REQUIRE(w);
  BOOST_REQUIRE(write_vfs_layer(root.get(), *ch, **w));
  BOOST_REQUIRE((*w)->finish());
  BOOST_TEST(tar_listing(sink.str()) ==
             "d bin/\nf bin/.wh.sub\nf bin/.wh.vi\nd etc/\nf etc/hosts\nf etc/passwd\nd new/\nd new/deeper/\n"
             "f new/deeper/f\nd same/\nf same/f\n");
}

BOOST_AUTO_TEST_CASE(vfs_runtime_stubs_in_an_image_without_etc) {
  TempDir t;
  dir(t.sub("img/bin"));
  dir(t.sub("root/bin"));
  dir(t.sub("root/etc"));
  for (auto* f : {"hostname", "hosts", "resolv.conf"}) put(t.sub(std::string("root/etc/") + f), "");
  dir(t.sub("root/dev"));
  auto root = open_dir(t.sub("root"));
  auto img = open_dir(t.sub("img"));
  auto ch = vfs_changes(root.get(), img.get());
  BOOST_REQUIRE(ch);
  BOOST_TEST(lines(*ch) == "");
  put(t.sub("root/etc/passwd"), "root");
  ch = vfs_changes(root.get(), img.get());
  BOOST_REQUIRE(ch);
  BOOST_TEST(lines(*ch) == "A /etc\nA /etc/hostname\nA /etc/hosts\nA /etc/passwd\nA /etc/resolv.conf\n");
}

// The layer extractor's options for cp: whiteout names are plain files, the root entry keeps
// the destination's metadata, a directory never turns into a file or the reverse.
BOOST_AUTO_TEST_CASE(extract_options_for_cp) {
  TempDir t;
  dir(t.sub("dst/existing"));
  BOOST_REQUIRE(chmod(t.sub("dst").c_str(), 0750) == 0);
  auto extract = [&](const std::string& bytes) -> Status {
    StringSource src(bytes);
    auto r = make_tar_reader(src);
    BOOST_REQUIRE(r);
    storage::ExtractOptions xo;
    xo.whiteouts = storage::WhiteoutMode::Literal;
    xo.skip_root = true;
    xo.keep_types = true;
    xo.chown = false;
    xo.noun = "entry";
    auto d = open_dir(t.sub("dst"));
    auto st = storage::extract_layer_tar(d.get(), **r, xo);
    if (!st) return st.error();
    return ok();
  };
  auto st = extract(test::RawTar().dir("./", 0777).file(".wh.name", "w").file(".wh..wh..opq", "o").finish());
  BOOST_REQUIRE_MESSAGE(st, test::why(st));
  BOOST_TEST(read_file(t.sub("dst/.wh.name")).value_or("") == "w");
  BOOST_TEST(read_file(t.sub("dst/.wh..wh..opq")).value_or("") == "o");
  struct stat sb;
  BOOST_REQUIRE(stat(t.sub("dst").c_str(), &sb) == 0);
  BOOST_TEST((sb.st_mode & 07777) == 0750u);
  st = extract(test::RawTar().file("existing", "file").finish());
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().msg == "entry \"existing\": cannot overwrite directory with non-directory");
  st = extract(test::RawTar().dir(".wh.name").finish());
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().msg == "entry \".wh.name\": cannot overwrite non-directory with directory");
}

BOOST_AUTO_TEST_SUITE_END()
