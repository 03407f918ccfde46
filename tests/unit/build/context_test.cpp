#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "skiff/build/context.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/stream.hpp"

using namespace skiff;
using namespace skiff::build;

namespace {

struct Dir {
  std::string path;
  Dir() {
    std::string t = "/tmp/skiff-ctx-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(t.data()));
    path = t;
  }
  ~Dir() { (void)remove_tree(path); }
  std::string p(std::string_view rel) const { return path + "/" + std::string(rel); }
  void file(std::string_view rel, std::string_view data, mode_t mode = 0644) const {
    auto slash = rel.rfind('/');
    if (slash != std::string_view::npos) BOOST_REQUIRE(mkdir_p(p(rel.substr(0, slash))));
    BOOST_REQUIRE(write_file_atomic(p(rel), data, mode, false));
    BOOST_REQUIRE(chmod(p(rel).c_str(), mode) == 0);
  }
  void dir(std::string_view rel) const { BOOST_REQUIRE(mkdir_p(p(rel))); }
  void link(std::string_view target, std::string_view rel) const {
    BOOST_REQUIRE(symlink(std::string(target).c_str(), p(rel).c_str()) == 0);
  }
};

BuildContext open_ctx(const Dir& d, std::string_view ignore = "") {
  auto m = IgnoreMatcher::parse(ignore);
  BOOST_REQUIRE(m.has_value());
  auto c = BuildContext::open_dir(d.path, std::move(*m));
  BOOST_REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().msg));
  return std::move(*c);
}

std::vector<std::string> walked(const BuildContext& c, std::string_view rel = "") {
  std::vector<std::string> out;
  auto st = c.walk(rel, [&](const ContextEntry& e) -> Result<WalkAction> {
    out.push_back(e.path);
    return WalkAction::Continue;
  });
  BOOST_REQUIRE_MESSAGE(st.has_value(), (st ? "" : st.error().msg));
  return out;
}

std::vector<std::string> matched(const BuildContext& c, std::string_view src) {
  auto r = c.resolve_source(src, true);
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
  std::vector<std::string> out;
  for (const auto& m : *r) out.push_back(m.path);
  return out;
}

std::string hash(const BuildContext& c, std::vector<std::string> srcs) {
  auto h = c.hash_sources(srcs);
  BOOST_REQUIRE_MESSAGE(h.has_value(), (h ? "" : h.error().msg));
  return *h;
}

using V = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(build_context)

BOOST_AUTO_TEST_CASE(walk_is_sorted_and_never_follows_links) {
  Dir d;
  d.file("b.txt", "b");
  d.file("a/z", "z");
  d.file("a/y", "y");
  d.link("/etc", "etc-link");
  d.link("../../..", "up");
  auto c = open_ctx(d);
  BOOST_TEST((walked(c) == V{"", "a", "a/y", "a/z", "b.txt", "etc-link", "up"}));
  BOOST_TEST((walked(c, "a") == V{"a", "a/y", "a/z"}));
  auto e = c.stat("etc-link");
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(S_ISLNK(e->mode));
  BOOST_TEST(e->link_target == "/etc");
}

BOOST_AUTO_TEST_CASE(walk_skip_and_stop) {
  Dir d;
  d.file("a/1", "");
  d.file("b/2", "");
  d.file("c/3", "");
  auto c = open_ctx(d);
  std::vector<std::string> seen;
  auto st = c.walk("", [&](const ContextEntry& e) -> Result<WalkAction> {
    seen.push_back(e.path);
    if (e.path == "a") return WalkAction::SkipDir;
    if (e.path == "b/2") return WalkAction::Stop;
    return WalkAction::Continue;
  });
  BOOST_REQUIRE(st.has_value());
  BOOST_TEST((seen == V{"", "a", "b", "b/2"}));
}

BOOST_AUTO_TEST_CASE(walk_honours_dockerignore_with_reincluded_children) {
  Dir d;
  d.file("keep.c", "");
  d.file("drop.o", "");
  d.file("dir/drop", "");
  d.file("dir/keep.txt", "");
  d.file("dir/sub/keep.txt", "");
  d.file("gone/x", "");
  auto c = open_ctx(d, "*.o\ndir\n!dir/keep.txt\n!dir/sub/keep.txt\ngone\n");
  BOOST_TEST((walked(c) == V{"", "dir", "dir/keep.txt", "dir/sub", "dir/sub/keep.txt", "keep.c"}));
  BOOST_TEST(c.excluded("drop.o"));
}

BOOST_AUTO_TEST_CASE(resolve_plain_and_wildcards) {
  Dir d;
  d.file("a.txt", "a");
  d.file("b.txt", "b");
  d.file("c.md", "c");
  d.file("src/x/main.go", "m");
  d.file("src/y/main.go", "m");
  d.file("src/y/other.go", "o");
  d.file("lit*eral", "l");
  auto c = open_ctx(d, "b.txt\n");
  BOOST_TEST((matched(c, "a.txt") == V{"a.txt"}));
  BOOST_TEST((matched(c, "/a.txt") == V{"a.txt"}));
  BOOST_TEST((matched(c, "../../a.txt") == V{"a.txt"}));  // cleaned inside the context
  BOOST_TEST((matched(c, ".") == V{""}));
  BOOST_TEST((matched(c, "*.txt") == V{"a.txt"}));  // b.txt is ignored
  BOOST_TEST((matched(c, "?.*") == V{"a.txt", "c.md"}));
  BOOST_TEST((matched(c, "src/*/main.go") == V{"src/x/main.go", "src/y/main.go"}));
  BOOST_TEST((matched(c, "src/[x]") == V{"src/x"}));
  BOOST_TEST((matched(c, "lit\\*eral") == V{"lit*eral"}));
  BOOST_TEST((matched(c, "nomatch*") == V{}));
  auto none = c.resolve_source("nomatch*", false);
  BOOST_REQUIRE(!none.has_value());
  BOOST_TEST(none.error().code == kNotFound);
  auto missing = c.resolve_source("missing.txt");
  BOOST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().code == kNotFound);
  BOOST_TEST(missing.error().msg.find("\"/missing.txt\": not found") != std::string::npos, missing.error().msg);
  auto ignored = c.resolve_source("b.txt");
  BOOST_REQUIRE(!ignored.has_value());
  BOOST_TEST(ignored.error().msg.find(".dockerignore") != std::string::npos);
  auto bad = c.resolve_source("[");
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().code == kInvalid);
}

BOOST_AUTO_TEST_CASE(symlinks_stay_inside_the_context) {
  Dir outside;
  outside.file("secret", "do not read");
  Dir d;
  d.dir("etc");
  d.file("etc/inside", "ok");
  d.link(outside.path, "out");
  d.link("/etc", "abs");
  d.link("../../../../../../" + outside.path.substr(1) + "/secret", "climb");
  d.link("etc/inside", "rel");
  auto c = open_ctx(d);
  // "out" points at a host directory: inside the context that path does not exist.
  BOOST_TEST(!c.resolve_source("out/secret").has_value());
  // "/etc" means the context's etc.
  auto abs = c.resolve_source("abs/inside");
  BOOST_REQUIRE(abs.has_value());
  BOOST_TEST(abs->at(0).entry.size == 2u);
  BOOST_TEST(!c.open("climb", O_RDONLY).has_value());
  // A symlink source is followed inside the context (Docker copies its target).
  auto rel = c.resolve_source("rel");
  BOOST_REQUIRE(rel.has_value());
  BOOST_TEST(S_ISREG(rel->at(0).entry.mode));
  // Hashing a link hashes the link, never what a host path holds.
  auto h1 = hash(c, {"climb"});
  outside.file("secret", "changed!!!!");
  BOOST_TEST(hash(c, {"climb"}) == h1);
}

BOOST_AUTO_TEST_CASE(content_hash) {
  Dir d;
  d.file("src/a", "aaa");
  d.file("src/b", "bbb", 0755);
  d.link("a", "src/l");
  d.file("src/skip.tmp", "x");
  d.file("other", "o");
  auto c = open_ctx(d, "**/*.tmp\n");
  const std::string h = hash(c, {"src"});
  BOOST_TEST(h.starts_with("sha256:"));
  BOOST_TEST(h.size() == 71u);
  BOOST_TEST(hash(c, {"src"}) == h);  // stable
  // Excluded and unrelated files do not count.
  d.file("src/skip.tmp", "changed");
  d.file("other", "changed");
  BOOST_TEST(hash(c, {"src"}) == h);
  // Times and owners do not count.
  BOOST_REQUIRE(utimensat(AT_FDCWD, d.p("src/a").c_str(), nullptr, 0) == 0);
  BOOST_TEST(hash(c, {"src"}) == h);
  // Contents, modes, names and link targets do.
  d.file("src/a", "aab");
  const std::string h2 = hash(c, {"src"});
  BOOST_TEST(h2 != h);
  BOOST_REQUIRE(chmod(d.p("src/a").c_str(), 0600) == 0);
  const std::string h3 = hash(c, {"src"});
  BOOST_TEST(h3 != h2);
  BOOST_REQUIRE(unlink(d.p("src/l").c_str()) == 0);
  d.link("b", "src/l");
  const std::string h4 = hash(c, {"src"});
  BOOST_TEST(h4 != h3);
  BOOST_REQUIRE(rename(d.p("src/b").c_str(), d.p("src/c").c_str()) == 0);
  BOOST_TEST(hash(c, {"src"}) != h4);
  // A file source, and the order of sources, count.
  BOOST_TEST(hash(c, {"other"}) != hash(c, {"src"}));
  BOOST_TEST(hash(c, {"other", "src"}) != hash(c, {"src", "other"}));
}

BOOST_AUTO_TEST_CASE(renamed_wildcard_match_changes_the_hash) {
  Dir d;
  d.file("a.txt", "same");
  auto c = open_ctx(d);
  auto paths = [&]() {
    std::vector<std::string> p;
    auto r = c.resolve_source("*.txt");
    BOOST_REQUIRE(r.has_value());
    for (const auto& m : *r) p.push_back(m.path);
    return p;
  };
  const std::string h = hash(c, paths());
  BOOST_REQUIRE(rename(d.p("a.txt").c_str(), d.p("b.txt").c_str()) == 0);
  BOOST_TEST(hash(c, paths()) != h);
}

BOOST_AUTO_TEST_CASE(copy_sources_hash) {
  Dir d;
  d.file("a.txt", "a");
  d.file("b.txt", "b");
  d.file("dir/x", "x");
  auto c = open_ctx(d);
  auto h = [&](std::vector<std::string> s) {
    auto r = c.hash_copy_sources(s);
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
    return *r;
  };
  const std::string all = h({"*.txt", "dir"});
  BOOST_TEST(h({"*.txt", "dir"}) == all);
  BOOST_TEST(h({"*.txt"}) != all);
  BOOST_TEST(h({"nomatch*"}) != h({"nomatch2*"}));  // the pattern itself counts
  BOOST_REQUIRE(chmod(d.p("b.txt").c_str(), 0600) == 0);
  BOOST_TEST(h({"*.txt", "dir"}) != all);  // a mode change is a change
  BOOST_TEST(c.hash_copy_sources({"missing"}).error().code == kNotFound);
}

BOOST_AUTO_TEST_CASE(same_tree_same_hash_in_two_contexts) {
  Dir d1, d2;
  for (const Dir* d : {&d1, &d2}) {
    d->file("x/1", "one");
    d->file("x/2", "two", 0700);
    d->dir("x/empty");
  }
  auto c1 = open_ctx(d1);
  auto c2 = open_ctx(d2);
  BOOST_TEST(hash(c1, {"x"}) == hash(c2, {"x"}));
  BOOST_TEST(hash(c1, {"."}) == hash(c2, {"."}));
}

BOOST_AUTO_TEST_CASE(dockerignore_files) {
  Dir d;
  d.file(".dockerignore", "*.log\n");
  d.file("build/app.Dockerfile", "FROM scratch\n");
  d.file("build/app.Dockerfile.dockerignore", "*.tmp\n");
  auto c = open_ctx(d);
  auto m = c.load_ignore("");
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(m->excluded("x.log"));
  auto m2 = c.load_ignore(d.p("build/app.Dockerfile"));
  BOOST_REQUIRE(m2.has_value());
  BOOST_TEST(!m2->excluded("x.log"));
  BOOST_TEST(m2->excluded("x.tmp"));
  auto m3 = c.load_ignore(d.p("build/none.Dockerfile"));
  BOOST_REQUIRE(m3.has_value());
  BOOST_TEST(m3->excluded("x.log"));
  Dir bad;
  bad.file(".dockerignore", "[\n");
  auto cb = open_ctx(bad);
  BOOST_TEST(!cb.load_ignore("").has_value());
}

BOOST_AUTO_TEST_CASE(find_the_dockerfile) {
  Dir d;
  auto none = find_dockerfile(d.path, "");
  BOOST_REQUIRE(!none.has_value());
  BOOST_TEST(none.error().msg.find("Dockerfile or Containerfile") != std::string::npos);
  d.file("Containerfile", "FROM c\n");
  auto cf = find_dockerfile(d.path, "");
  BOOST_REQUIRE(cf.has_value());
  BOOST_TEST(cf->name == "Containerfile");
  BOOST_TEST(cf->text == "FROM c\n");
  d.file("Dockerfile", "FROM d\n");
  auto df = find_dockerfile(d.path, "");
  BOOST_REQUIRE(df.has_value());
  BOOST_TEST(df->name == "Dockerfile");
  d.file("sub/my.Dockerfile", "FROM m\n");
  auto f = find_dockerfile(d.path, d.p("sub/my.Dockerfile"));
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(f->text == "FROM m\n");
  BOOST_TEST(f->path == d.p("sub/my.Dockerfile"));
  // A relative -f not found from the working directory is looked up in the context.
  auto rel = find_dockerfile(d.path, "sub/my.Dockerfile");
  BOOST_REQUIRE(rel.has_value());
  BOOST_TEST(rel->text == "FROM m\n");
  auto missing = find_dockerfile(d.path, d.p("nope"));
  BOOST_REQUIRE(!missing.has_value());
  BOOST_TEST(missing.error().code == kNotFound);
  auto isdir = find_dockerfile(d.path, d.p("sub"));
  BOOST_REQUIRE(!isdir.has_value());
  // -f - reads stdin.
  auto p = make_pipe();
  BOOST_REQUIRE(p.has_value());
  BOOST_REQUIRE(write_all(p->write.get(), "FROM stdin\n"));
  p->write.reset();
  auto s = find_dockerfile("", "-", p->read.get());
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->text == "FROM stdin\n");
}

BOOST_AUTO_TEST_CASE(find_the_dockerfile_inside_the_context) {
  Dir outside;
  outside.file("Dockerfile", "FROM host-file\n");
  Dir d;
  d.link(outside.p("Dockerfile"), "Dockerfile");  // absolute: means <context>/tmp/…/Dockerfile
  d.file("Containerfile", "FROM c\n");
  d.file("sub/app.Dockerfile", "FROM app\n");
  d.file("sub/app.Dockerfile.dockerignore", "*.tmp\n");
  d.file(".dockerignore", "*.log\n");
  d.link("../../../" + outside.p("Dockerfile").substr(1), "climb.Dockerfile");
  auto c = open_ctx(d);
  // The symlinked Dockerfile leads nowhere inside the context: never to the host's file.
  auto r = find_dockerfile_in(c, "");
  BOOST_TEST((!r.has_value() || r->text != "FROM host-file\n"));
  auto climb = find_dockerfile_in(c, "climb.Dockerfile");
  BOOST_REQUIRE(!climb.has_value());
  BOOST_TEST(climb.error().code == kNotFound);
  auto app = find_dockerfile_in(c, "/sub/app.Dockerfile");
  BOOST_REQUIRE(app.has_value());
  BOOST_TEST(app->text == "FROM app\n");
  BOOST_TEST(app->context_path == "sub/app.Dockerfile");
  auto ig = c.load_ignore_in(app->context_path);
  BOOST_REQUIRE(ig.has_value());
  BOOST_TEST(ig->excluded("a.tmp"));
  BOOST_TEST(!ig->excluded("a.log"));
  auto ig2 = c.load_ignore_in("Containerfile");
  BOOST_REQUIRE(ig2.has_value());
  BOOST_TEST(ig2->excluded("a.log"));
  BOOST_REQUIRE(unlink(d.p("Dockerfile").c_str()) == 0);
  auto cf = find_dockerfile_in(c, "");
  BOOST_REQUIRE(cf.has_value());
  BOOST_TEST(cf->name == "Containerfile");
  BOOST_TEST(!find_dockerfile_in(c, "sub").has_value());
}

namespace {

std::string make_tar(const std::vector<std::pair<std::string, std::string>>& files, bool gzip = false,
                     const std::vector<std::pair<std::string, std::string>>& links = {}) {
  StringSink raw;
  std::unique_ptr<ByteSink> z;
  ByteSink* sink = &raw;
  if (gzip) {
    auto c = make_compressor(raw, Compression::Gzip);
    BOOST_REQUIRE(c.has_value());
    z = std::move(*c);
    sink = z.get();
  }
  auto w = make_tar_writer(*sink);
  BOOST_REQUIRE(w.has_value());
  for (const auto& [name, data] : files) {
    TarEntry e;
    e.path = name;
    e.mode = 0644;
    e.size = data.size();
    BOOST_REQUIRE((*w)->add(e));
    BOOST_REQUIRE((*w)->write_data(data));
  }
  for (const auto& [name, target] : links) {
    TarEntry e;
    e.path = name;
    e.type = TarType::Symlink;
    e.mode = 0777;
    e.link_target = target;
    BOOST_REQUIRE((*w)->add(e));
  }
  BOOST_REQUIRE((*w)->finish());
  if (z) BOOST_REQUIRE(z->close());
  return raw.str();
}

UniqueFd fd_with(const std::string& data) {
  char t[] = "/tmp/skiff-ctx-in-XXXXXX";
  int fd = mkstemp(t);
  BOOST_REQUIRE(fd >= 0);
  unlink(t);
  BOOST_REQUIRE(write_all(fd, data));
  BOOST_REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  return UniqueFd(fd);
}

}  // namespace

BOOST_AUTO_TEST_CASE(stdin_dockerfile_or_tar) {
  auto in = fd_with("FROM busybox\nRUN true\n");
  auto r = read_stdin_input(in.get(), "/tmp");
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
  BOOST_TEST(!r->context.has_dir());
  BOOST_REQUIRE(r->dockerfile.has_value());
  BOOST_TEST(r->dockerfile->text == "FROM busybox\nRUN true\n");
  // A bare context cannot resolve sources.
  BOOST_TEST(r->context.resolve_source("x").error().code == kNotFound);

  for (bool gz : {false, true}) {
    auto t = fd_with(make_tar({{"Dockerfile", "FROM scratch\n"}, {"dir/a.txt", "hello"}}, gz));
    auto tr = read_stdin_input(t.get(), "/tmp");
    BOOST_REQUIRE_MESSAGE(tr.has_value(), (tr ? "" : tr.error().msg));
    BOOST_REQUIRE(tr->context.has_dir());
    BOOST_TEST(!tr->dockerfile.has_value());
    std::string dir = tr->context.dir();
    BOOST_TEST((walked(tr->context) == V{"", "Dockerfile", "dir", "dir/a.txt"}));
    auto df = find_dockerfile(dir, "");
    BOOST_REQUIRE(df.has_value());
    BOOST_TEST(df->text == "FROM scratch\n");
    // The extracted directory goes with the context.
    { StdinInput gone = std::move(*tr); }
    BOOST_TEST(!path_exists(dir));
  }
}

BOOST_AUTO_TEST_CASE(tar_context_files_are_read_inside_it) {
  Dir outside;
  outside.file("Dockerfile", "FROM host-file\n");
  outside.file("Dockerfile.dockerignore", "*\n");
  auto t = fd_with(make_tar({{"Containerfile", "FROM inside\n"}, {"sub/app.Dockerfile", "FROM app\n"},
                             {"sub/app.Dockerfile.dockerignore", "*.tmp\n"}},
                            false, {{"Dockerfile", outside.p("Dockerfile")}}));
  auto r = read_stdin_input(t.get(), "/tmp");
  BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
  BuildContext& c = r->context;
  // The tar's Dockerfile is a symlink to a host file: inside the context it leads nowhere.
  // (a dangling link there: the Containerfile is used instead).
  auto df = find_dockerfile(c.dir(), "");
  BOOST_REQUIRE(df.has_value());
  BOOST_TEST(df->text == "FROM inside\n");
  // -f is relative to the context root, not the working directory.
  auto app = find_dockerfile(c.dir(), "sub/app.Dockerfile");
  BOOST_REQUIRE_MESSAGE(app.has_value(), (app ? "" : app.error().msg));
  BOOST_TEST(app->text == "FROM app\n");
  auto ig = c.load_ignore(app->path);
  BOOST_REQUIRE(ig.has_value());
  BOOST_TEST(ig->excluded("x.tmp"));
  // A host path outside the context is never read for a tar context.
  auto ig2 = c.load_ignore(outside.p("Dockerfile"));
  BOOST_REQUIRE(ig2.has_value());
  BOOST_TEST(!ig2->excluded("anything"));
}

BOOST_AUTO_TEST_CASE(killed_builds_contexts_are_swept) {
  Dir tmp;
  // A context a killed build left (old, unlocked), one in use (locked), and a fresh one.
  tmp.file("skiff-build-context-stale1/f", "x");
  tmp.file("skiff-build-context-inuse1/f", "x");
  tmp.file("skiff-build-context-fresh1/f", "x");
  tmp.file("other-dir/f", "x");
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  for (const char* n : {"skiff-build-context-stale1", "skiff-build-context-inuse1", "other-dir"})
    BOOST_REQUIRE(utimensat(AT_FDCWD, tmp.p(n).c_str(), old, 0) == 0);
  int busy = ::open(tmp.p("skiff-build-context-inuse1").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  BOOST_REQUIRE(busy >= 0);
  UniqueFd busy_fd(busy);
  BOOST_REQUIRE(flock(busy, LOCK_EX | LOCK_NB) == 0);
  auto t = fd_with(make_tar({{"Dockerfile", "FROM scratch\n"}}));
  auto c = BuildContext::from_tar_fd(t.get(), tmp.path);
  BOOST_REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().msg));
  BOOST_TEST(!path_exists(tmp.p("skiff-build-context-stale1")));
  BOOST_TEST(path_exists(tmp.p("skiff-build-context-inuse1/f")));
  BOOST_TEST(path_exists(tmp.p("skiff-build-context-fresh1/f")));
  BOOST_TEST(path_exists(tmp.p("other-dir/f")));
  // The new context is locked while it lives.
  int probe = ::open(c->dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  BOOST_REQUIRE(probe >= 0);
  UniqueFd probe_fd(probe);
  BOOST_TEST(flock(probe, LOCK_EX | LOCK_NB) < 0);
}

BOOST_AUTO_TEST_CASE(unsupported_compression_is_named) {
  for (std::string magic : {std::string("BZh91AY&SY"), std::string("\xFD" "7zXZ\0\0", 8)}) {
    auto t = fd_with(magic + std::string(100, 'x'));
    auto r = read_stdin_input(t.get(), "/tmp");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == kUnsupported);
    BOOST_TEST(r.error().msg.find("compressed") != std::string::npos, r.error().msg);
  }
}

BOOST_AUTO_TEST_CASE(hostile_tar_context) {
  auto t = fd_with(make_tar({{"../escape", "x"}}));
  auto r = BuildContext::from_tar_fd(t.get(), "/tmp");
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().msg.find("build context") != std::string::npos, r.error().msg);
  BOOST_TEST(!path_exists("/tmp/escape"));
}

BOOST_AUTO_TEST_CASE(context_errors) {
  auto r = BuildContext::open_dir("/nonexistent/skiff-ctx");
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == kNotFound);
  auto f = BuildContext::open_dir("/etc/hostname");
  BOOST_REQUIRE(!f.has_value());
  BOOST_TEST(f.error().msg.find("not a directory") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// The figure: the content hash of a 10,000-file context in at most 200 ms. Disabled by
// default (it writes 10,000 files); run it explicitly:
//   out/unit_tests --run_test=build_context_bench --log_level=message
BOOST_AUTO_TEST_SUITE(build_context_bench, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(hash_10000_small_files) {
  Dir d;
  std::string body(100, 'x');
  for (int i = 0; i < 100; ++i) {
    d.dir("d" + std::to_string(i));
    for (int j = 0; j < 100; ++j) {
      body[0] = char('a' + j % 26);
      std::string p = d.p("d" + std::to_string(i) + "/f" + std::to_string(j));
      int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      BOOST_REQUIRE(fd >= 0);
      BOOST_REQUIRE(write_all(fd, body));
      ::close(fd);
    }
  }
  auto c = open_ctx(d);
  {
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    size_t n = walked(c).size();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu = (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6;
    BOOST_TEST_MESSAGE("walk only (" << n << " entries): " << ms << " ms elapsed, " << cpu << " ms CPU");
  }
  for (int round = 0; round < 3; ++round) {
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    auto h = c.hash_sources({"."});
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    BOOST_REQUIRE(h.has_value());
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu = (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6;
    BOOST_TEST_MESSAGE("hash_sources of 10,000 files x 100 bytes in 100 directories: " << ms
                       << " ms elapsed, " << cpu << " ms CPU (" << *h << ")");
    BOOST_WARN_LE(ms, 200.0);
  }
}

BOOST_AUTO_TEST_SUITE_END()
