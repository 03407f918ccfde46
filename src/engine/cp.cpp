// cp and export: tar streams between a container (through a helper, ctrfs.hpp) and the host.
// The rules are in include/skiff/engine/fsops.hpp.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrfs.hpp"
#include "skiff/engine/fsops.hpp"
#include "skiff/storage/extract.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"
#include "tree_tar.hpp"

namespace skiff::engine {

namespace {

// Go's filepath.Clean: lexical, keeps a path relative ("" → ".").
std::string go_clean(std::string_view path) {
  bool abs = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto c = path.substr(i, j - i);
    if (c.empty() || c == ".") {
    } else if (c == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!abs) parts.push_back(c);
    } else {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string out = abs ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  return out.empty() ? "." : out;
}

// Go's filepath.Dir / Base of a cleaned path.
std::string go_dir(const std::string& p) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return go_clean(p.substr(0, slash + 1));
}
std::string go_base(const std::string& p) {
  if (p == "/") return "/";
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool ends_with_sep(std::string_view p) { return !p.empty() && p.back() == '/'; }
bool specifies_current_dir(std::string_view p) {
  return p == "." || (p.size() >= 2 && p.substr(p.size() - 2) == "/.");
}
// "dir/", "dir/.": the path asserts a directory (and resolves a final symlink).
bool asserts_dir(std::string_view p) { return ends_with_sep(p) || specifies_current_dir(p); }

// ---- what the helper reports about a path ------------------------------------------------------

struct PathInfo {
  bool exists = false, is_dir = false, is_regular = false;
  std::string why;  ///< not found because of a symlink on the way: what it points to
};

// The symlink explanation of a resolution error from safe_path ("open `/esc/x`: `/esc` is a
// symbolic link to …"), or "".
std::string symlink_why(const Error& e) {
  size_t k = e.msg.find("`: ");
  if (k == std::string::npos || e.msg.find("symbolic link", k) == std::string::npos) return {};
  return e.msg.substr(k + 3);
}

// In the helper: resolves `path` in the root (the final component followed or not) and writes
// one letter to `out`: d(irectory), f(ile), l(ink), o(ther), n(ot found).
Status report_path(int rootfd, const std::string& path, bool follow, int out) {
  std::string p = clean_path(path);
  auto fd = follow || p == "/" ? open_in_root(rootfd, p, O_PATH) : open_in_root_nofollow(rootfd, p, O_PATH);
  char c = 'n';
  std::string line;
  if (fd) {
    struct stat st;
    if (fstat(fd->get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", p));
    c = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o';
  } else if (fd.error().code != ENOENT && fd.error().code != ENOTDIR) {
    return fd.error();
  } else {
    line = symlink_why(fd.error()).substr(0, 8000);
  }
  line.insert(line.begin(), c);
  return write_all(out, line);
}

Result<PathInfo> stat_in_container(Engine& e, const Container& c, const std::string& path, bool follow) {
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  auto h = TRY(start_fs_helper(
      e, c, FsView::Live, [path, follow, wfd](int rootfd) { return report_path(rootfd, path, follow, wfd); }, {wfd}));
  pipe.write.reset();
  auto text = read_all(pipe.read.get(), 8192);
  TRY(h.wait());
  if (!text) return text.error();
  PathInfo info;
  char k = text->empty() ? 'n' : (*text)[0];
  info.exists = k != 'n';
  info.is_dir = k == 'd';
  info.is_regular = k == 'f';
  if (k == 'n' && text->size() > 1) info.why = text->substr(1);
  return info;
}

// ---- producing and consuming tar streams -------------------------------------------------------

// Writes `path` (resolved inside `rootfd`) as a tar stream named `name` ("" = a directory's
// contents only) to `out`.
Status produce(int rootfd, const std::string& path, bool follow, const std::string& name, bool contents,
               const TreeTarOptions& topts, int out) {
  FdSink sink(out);
  auto tw = TRY(make_tar_writer(sink));
  TreeTar tt(*tw, topts);
  std::string p = clean_path(path);
  if (follow || p == "/" || contents) {
    auto fd = TRY(open_in_root(rootfd, p, O_PATH));
    TRY(tt.add_resolved(fd.get(), name, contents));
  } else {
    // The last component as it is (a symlink is copied as a link), its directory resolved.
    auto [dir, base] = TRY(open_parent_in_root(rootfd, p));
    TRY(tt.add(dir.get(), base, name));
  }
  return tw->finish();
}

// The directory times of an extraction are spooled here and applied at the end.
Result<UniqueFd> make_spool() {
  int fd = memfd_create("skiff-cp-spool", MFD_CLOEXEC);
  if (fd < 0) return fail_errno("create the extraction spool");
  return UniqueFd(fd);
}

// Extracts the tar stream `src` into the open directory `dirfd` with cp's rules.
Status consume(int dirfd, ByteSource& src, bool chown, const IdMap* map) {
  auto tr = TRY(make_tar_reader(src));
  auto spool = TRY(make_spool());
  storage::ExtractOptions xo;
  xo.whiteouts = storage::WhiteoutMode::Literal;
  xo.skip_root = true;
  xo.keep_types = true;
  xo.noun = "entry";
  xo.chown = chown;
  xo.spool_fd = spool.get();
  if (map && map->userns) {
    xo.rootless = true;
    xo.single_id = map->single;
    xo.uid_count = map->uid_count();
    xo.gid_count = map->gid_count();
  } else {
    xo.rootless = geteuid() != 0;  // the host side, unprivileged: no device nodes
  }
  auto stats = TRY(storage::extract_layer_tar(dirfd, *tr, xo));
  // Rootless: device nodes cannot be made; say which were left out (as Podman warns).
  if (stats.devices_skipped) {
    std::string names;
    for (auto& d : stats.devices) names += fmt::format("{}`{}`", names.empty() ? "" : ", ", d);
    if (stats.devices_skipped > stats.devices.size())
      names += fmt::format(" and {} more", stats.devices_skipped - stats.devices.size());
    log::warn("cp: skipped {} device node(s) that cannot be created without root: {}", stats.devices_skipped, names);
  }
  // Whatever follows the end-of-archive records is read, so the writer never blocks.
  char buf[4096];
  while (true) {
    auto n = src.read(buf, sizeof buf);
    if (!n || *n == 0) break;
  }
  return storage::apply_spooled_dir_times(dirfd, spool.get());
}

Status with_context(Status st, const std::string& what) {
  if (!st) return wrap(std::move(st).error(), what);
  return st;
}

// The helper's result wins over the parent's (a helper error is the cause; the parent then
// only saw a stream that ended early).
Status combine(Status parent, Status helper) {
  if (!helper) return helper;
  return parent;
}

// `why`: a symlink on the way that leads nowhere (what it points to).
Failure no_such_path(const std::string& ref, const std::string& path, const std::string& why = {}) {
  if (!why.empty()) return fail(kNotFound, fmt::format("No such container:path: {}:{}: {}", ref, path, why));
  return fail(kNotFound, fmt::format("No such container:path: {}:{}", ref, path));
}

// ---- the host side ----------------------------------------------------------------------------

// A host destination as Docker's CLI sees it: a final symlink is followed.
Result<CopyEnd> host_dest(const std::string& dest) {
  CopyEnd d{dest};
  struct stat st;
  if (lstat(dest.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = readlink(dest.c_str(), buf, sizeof buf - 1);
    if (n > 0) {
      std::string target(buf, size_t(n));
      if (target[0] != '/') target = split_path_dir_entry(dest).first + "/" + target;
      d.path = target;
    }
  }
  if (stat(d.path.c_str(), &st) == 0) {
    d.exists = true;
    d.is_dir = S_ISDIR(st.st_mode);
    if (ends_with_sep(dest) && !d.is_dir) return fail(ENOTDIR, fmt::format("destination `{}`: not a directory", dest));
  } else if (errno != ENOENT) {
    return fail_errno(fmt::format("stat {}", dest));
  }
  return d;
}

// The container id a host id is mapped from (0 when the container does not map it).
int64_t container_id(const std::vector<IdRange>& ranges, int64_t host) {
  for (auto& r : ranges)
    if (host >= int64_t(r.host_id) && host < int64_t(r.host_id) + int64_t(r.size)) return r.container_id + (host - r.host_id);
  return 0;
}

Status check_parent_dir(const std::string& dir, const std::string& shown) {
  struct stat st;
  if (stat(dir.c_str(), &st) < 0) return fail_errno(fmt::format("lstat {}", shown));
  if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, fmt::format("lstat {}: not a directory", shown));
  return ok();
}

}  // namespace

// ---- placement rules --------------------------------------------------------------------------

std::pair<std::string, std::string> split_path_dir_entry(const std::string& path) {
  std::string cleaned = go_clean(path);
  if (specifies_current_dir(path)) cleaned += "/.";
  return {go_dir(cleaned), go_base(cleaned)};
}

Result<CopyPlan> plan_copy(const CopyEnd& src, const std::string& src_name, const CopyEnd& dst) {
  bool contents = src.is_dir && (src_name == "." || src_name == "/");
  auto [dst_dir, dst_base] = split_path_dir_entry(dst.path);
  if (dst.exists && dst.is_dir) return CopyPlan{dst.path, contents ? "" : src_name};
  if (dst.exists && src.is_dir) return fail(EISDIR, "cannot copy directory");
  if (dst.exists || src.is_dir) return CopyPlan{dst_dir, dst_base};
  if (asserts_dir(dst.path)) return fail(ENOENT, "no such directory");
  return CopyPlan{dst_dir, dst_base};
}

// ---- cp ---------------------------------------------------------------------------------------

namespace {

// Resolves the container source: its type, and the name its entries get.
struct Source {
  bool follow = false;
  PathInfo info;
  std::string name;
};

Result<Source> container_source(Engine& e, const Container& c, const std::string& ref, const std::string& src,
                                const CpOptions& o) {
  Source s;
  s.follow = o.follow_link || asserts_dir(src);
  s.info = TRY(stat_in_container(e, c, src, s.follow));
  if (!s.info.exists) return no_such_path(ref, src, s.info.why);
  if (asserts_dir(src) && !s.info.is_dir) return fail(ENOTDIR, fmt::format("{}:{}: not a directory", ref, src));
  s.name = split_path_dir_entry(src).second;
  return s;
}

// Starts the helper that writes the source's tar stream to `out`.
Result<FsHelper> start_producer(Engine& e, const Container& c, const std::string& src, const Source& s,
                                const std::string& name, bool contents, int out) {
  TreeTarOptions topts;
  topts.skip_pseudo_fs = true;
  return start_fs_helper(
      e, c, FsView::Live,
      [src, follow = s.follow, name, contents, topts, out](int rootfd) {
        return produce(rootfd, src, follow, name, contents, topts, out);
      },
      {out});
}

}  // namespace

Status copy_from_container(Engine& e, const std::string& ref, const std::string& src, const std::string& dest,
                           const CpOptions& o) {
  auto c = TRY(find_container(e, ref));
  auto s = TRY(container_source(e, c, ref, src, o));
  auto dst = TRY(host_dest(dest));
  auto plan = TRY_CTX(plan_copy(CopyEnd{src, true, s.info.is_dir}, s.name, dst), "copy {}:{} to {}", ref, src, dest);
  if (!dst.exists) TRY(check_parent_dir(plan.dir, dest));
  auto dirfd = TRY_CTX(open_path(plan.dir, O_RDONLY | O_DIRECTORY), "copy to {}", dest);
  auto pipe = TRY(make_pipe());
  auto h = TRY(start_producer(e, c, src, s, plan.name, plan.name.empty(), pipe.write.get()));
  pipe.write.reset();
  FdSource in(pipe.read.get());
  Status st = consume(dirfd.get(), in, o.archive && geteuid() == 0, nullptr);
  pipe.read.reset();
  return combine(with_context(std::move(st), fmt::format("copy to {}", dest)), h.wait());
}

Status copy_from_container_to(Engine& e, const std::string& ref, const std::string& src, ByteSink& out,
                              const CpOptions& o) {
  auto c = TRY(find_container(e, ref));
  auto s = TRY(container_source(e, c, ref, src, o));
  std::string name = s.name == "/" ? "." : s.name;
  auto pipe = TRY(make_pipe());
  auto h = TRY(start_producer(e, c, src, s, name, false, pipe.write.get()));
  pipe.write.reset();
  FdSource in(pipe.read.get());
  Status st;
  auto n = copy_stream(in, out);
  if (!n) st = n.error();
  else st = out.close();
  pipe.read.reset();
  return combine(std::move(st), h.wait());
}

namespace {

// The container side of a copy in: the helper extracts the stream read from `in` into `dir`.
Result<FsHelper> start_consumer(Engine& e, const Container& c, const std::string& ref, const std::string& dir, int in) {
  IdMap map = e.idmap();
  return start_fs_helper(
      e, c, FsView::Live,
      [ref, dir, in, map](int rootfd) -> Status {
        auto d = open_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY);
        if (!d) {
          if (d.error().code == ENOTDIR) return fail(ENOTDIR, "extraction point is not a directory");
          if (d.error().code == ENOENT) return no_such_path(ref, dir, symlink_why(d.error()));
          return d.error();
        }
        FdSource src(in);
        return consume(d->get(), src, true, &map);
      },
      {in});
}

Result<PathInfo> container_dest(Engine& e, const Container& c, const std::string& ref, const std::string& dest) {
  auto info = TRY(stat_in_container(e, c, dest, true));
  if (info.exists && !info.is_dir && !info.is_regular)
    return fail(kInvalid, fmt::format("destination \"{}:{}\" must be a directory or a regular file", ref, dest));
  return info;
}

}  // namespace

Status copy_to_container(Engine& e, const std::string& src, const std::string& ref, const std::string& dest,
                         const CpOptions& o) {
  auto c = TRY(find_container(e, ref));
  auto dinfo = TRY(container_dest(e, c, ref, dest));
  // The host source: a final symlink is followed only with -L or a trailing "/".
  bool follow = o.follow_link || asserts_dir(src);
  struct stat st;
  if ((follow ? stat(src.c_str(), &st) : lstat(src.c_str(), &st)) < 0) return fail_errno(fmt::format("lstat {}", src));
  if (asserts_dir(src) && !S_ISDIR(st.st_mode)) return fail(ENOTDIR, fmt::format("{}: not a directory", src));
  std::string name = split_path_dir_entry(src).second;
  auto plan = TRY_CTX(plan_copy(CopyEnd{src, true, S_ISDIR(st.st_mode)}, name, CopyEnd{dest, dinfo.exists, dinfo.is_dir}),
                      "copy {} to {}:{}", src, ref, dest);
  bool contents = plan.name.empty();
  TreeTarOptions topts;
  if (!o.archive) {
    topts.owner = [](int64_t, int64_t) { return std::make_pair(int64_t(0), int64_t(0)); };
  } else if (e.idmap().userns) {
    // Host ids as the container sees them (the caller's own files are its root's).
    topts.owner = [map = e.idmap()](int64_t uid, int64_t gid) {
      return std::make_pair(container_id(map.uids, uid), container_id(map.gids, gid));
    };
  }

  auto sp = TRY(make_pipe());
  auto h = TRY(start_consumer(e, c, ref, plan.dir, sp.read.get()));
  sp.read.reset();
  Status pst = [&]() -> Status {
    FdSink sink(sp.write.get());
    auto tw = TRY(make_tar_writer(sink));
    TreeTar tt(*tw, topts);
    if (follow || contents) {
      auto fd = TRY_CTX(open_path(src, O_PATH), "open {}", src);
      TRY(tt.add_resolved(fd.get(), plan.name, contents));
    } else {
      auto [dir, base] = split_path_dir_entry(src);
      auto dfd = TRY_CTX(open_path(dir, O_RDONLY | O_DIRECTORY), "open {}", dir);
      TRY(tt.add(dfd.get(), base, plan.name));
    }
    return tw->finish();
  }();
  sp.write.reset();
  return combine(with_context(std::move(pst), fmt::format("copy {}", src)), h.wait());
}

Status copy_to_container_from(Engine& e, ByteSource& in, const std::string& ref, const std::string& dest,
                              const CpOptions& o) {
  (void)o;
  auto c = TRY(find_container(e, ref));
  auto dinfo = TRY(stat_in_container(e, c, dest, true));
  if (!dinfo.exists || !dinfo.is_dir)
    return fail(ENOTDIR, fmt::format("destination \"{}:{}\" must be a directory", ref, dest));
  auto plain = TRY(make_auto_decompressor(in));
  auto sp = TRY(make_pipe());
  auto h = TRY(start_consumer(e, c, ref, dest, sp.read.get()));
  sp.read.reset();
  Status st;
  {
    FdSink sink(sp.write.get());
    auto n = copy_stream(*plain, sink);
    if (!n) st = wrap(n.error(), "read the tar stream");
  }
  sp.write.reset();
  return combine(std::move(st), h.wait());
}

// ---- export -----------------------------------------------------------------------------------

Status export_container(Engine& e, const std::string& ref, ByteSink& out) {
  auto c = TRY(find_container(e, ref));
  if (!c.rec.driver || c.rec.image_id.empty())
    return fail(kUnsupported, fmt::format("container {} runs from a --rootfs directory: export that directory instead",
                                          c.rec.id));
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  auto h = TRY(start_fs_helper(
      e, c, FsView::RootOnly,
      [wfd](int rootfd) -> Status {
        FdSink sink(wfd);
        auto tw = TRY(make_tar_writer(sink));
        TreeTar tt(*tw, TreeTarOptions{});
        auto root = TRY(open_at(rootfd, ".", O_RDONLY | O_DIRECTORY));
        TRY(tt.add_children(root.get(), ""));
        return tw->finish();
      },
      {wfd}));
  pipe.write.reset();
  FdSource in(pipe.read.get());
  Status st;
  auto n = copy_stream(in, out);
  if (!n) st = n.error();
  else st = out.close();
  pipe.read.reset();
  return combine(with_context(std::move(st), fmt::format("export container {}", c.rec.id)), h.wait());
}

}  // namespace skiff::engine
