// The store side of `skiff build`: normalised layers from a RUN container or from COPY/ADD
// sources, the step images, and the build cache index (see build_steps.hpp).
#include "skiff/engine/build_steps.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>

#include "changes.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "layer_stream.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/copy.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/userns.hpp"
#include "tree_tar.hpp"

namespace skiff::engine {

namespace {

// Every entry through it is normalised: mtime clamped, no sub-second times, no user names,
// xattrs sorted; optionally the permission bits replaced (COPY --chmod).
class NormTarWriter : public TarWriter {
 public:
  NormTarWriter(TarWriter& inner, int64_t clamp, std::optional<uint32_t> chmod = {})
      : inner_(inner), clamp_(clamp), chmod_(chmod) {}
  Status add(const TarEntry& in) override {
    TarEntry e = in;
    if (e.mtime > clamp_) e.mtime = clamp_;
    e.mtime_nsec = 0;
    e.uname.clear();
    e.gname.clear();
    std::sort(e.xattrs.begin(), e.xattrs.end());
    if (chmod_ && (e.type == TarType::File || e.type == TarType::Dir)) e.mode = (e.mode & ~07777u) | (*chmod_ & 07777u);
    return inner_.add(e);
  }
  Status write_data(std::string_view data) override { return inner_.write_data(data); }
  Status finish() override { return inner_.finish(); }

 private:
  TarWriter& inner_;
  int64_t clamp_;
  std::optional<uint32_t> chmod_;
};

// Runs `produce(tar writer)` in a worker with the store's ids and stores what it writes as a
// layer on `parent_chain`. nullopt when the tar is empty (allow_empty).
Result<std::optional<storage::LayerInfo>> layer_from_worker(Engine& e, storage::Store& store,
                                                            const std::string& parent_chain, int64_t clamp,
                                                            std::optional<uint32_t> chmod,
                                                            std::function<Status(TarWriter&)> produce,
                                                            const std::string& what, std::vector<int> keep = {}) {
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  auto work = [wfd, clamp, chmod, produce]() -> Status {
    storage::raise_nofile_limit();
    FdSink sink(wfd);
    auto tw = TRY(make_tar_writer(sink));
    NormTarWriter nw(*tw, clamp, chmod);
    TRY(produce(nw));
    return tw->finish();
  };
  {
    StringSink probe;  // the plugin is loaded before the fork
    (void)make_tar_writer(probe);
    (void)Sha256::make();
  }
  keep.push_back(wfd);
  auto worker = TRY_CTX(start_in_userns(e.idmap(), work, keep), "{}", what);
  pipe.write.reset();
  FdSource src(pipe.read.get());
  std::optional<storage::LayerInfo> layer;
  Status st = [&]() -> Status {
    layer = TRY(store_layer_stream(store, parent_chain, src));
    return ok();
  }();
  pipe.read.reset();
  Status wst = worker.wait();
  if (!st && (wst || wst.error().code == EPIPE)) return wrap(std::move(st).error(), what);
  if (!wst) return wrap(std::move(wst).error(), what);
  if (!st) return wrap(std::move(st).error(), what);
  return layer;
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> components(std::string_view p) {
  std::vector<std::string> out;
  for (auto& c : split(std::string(p), '/'))
    if (!c.empty() && c != ".") out.push_back(c);
  return out;
}

// A source path relative to its root, cleaned ("" is the root itself).
std::string clean_rel(std::string_view p) {
  std::string c = clean_path(p);
  return c == "/" ? std::string() : c.substr(1);
}

// Expands one source (wildcards per component, matched against sorted directory entries).
Result<std::vector<std::string>> expand_source(int rootfd, const std::string& pattern,
                                               const std::function<bool(const std::string&, bool)>& excluded) {
  std::string rel = clean_rel(pattern);
  if (!has_wildcard(rel)) return std::vector<std::string>{rel};
  std::vector<std::string> cur{""};
  auto comps = components(rel);
  for (size_t i = 0; i < comps.size(); ++i) {
    std::vector<std::string> next;
    for (auto& base : cur) {
      if (!has_wildcard(comps[i])) {
        next.push_back(base.empty() ? comps[i] : base + "/" + comps[i]);
        continue;
      }
      auto dir = open_in_root(rootfd, base.empty() ? "." : base, O_RDONLY | O_DIRECTORY);
      if (!dir) continue;
      auto names = TRY(sorted_names(dir->get()));
      for (auto& n : names) {
        if (fnmatch(comps[i].c_str(), n.c_str(), FNM_PATHNAME) != 0) continue;
        std::string p = base.empty() ? n : base + "/" + n;
        struct stat st;
        bool is_dir = fstatat(dir->get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        if (excluded && excluded(p, is_dir)) continue;
        next.push_back(p);
      }
    }
    cur = std::move(next);
  }
  return cur;
}

Failure not_found(const std::string& src) {
  return fail(kNotFound, fmt::format("COPY failed: file not found in build context or excluded by .dockerignore: "
                                     "stat {}: file does not exist",
                                     src));
}

// Resolves `path` (absolute) inside the view as the image would: existing symlinks followed
// (the last one only with `follow_last`), missing components kept literally. Returns the
// resolved components.
Result<std::vector<std::string>> resolve_in_view(int viewfd, const std::string& path, bool follow_last) {
  std::vector<std::string> todo = components(path), out;
  std::reverse(todo.begin(), todo.end());
  int hops = 0;
  bool missing = false;
  while (!todo.empty()) {
    std::string c = todo.back();
    todo.pop_back();
    if (c == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    if (missing || viewfd < 0) {
      out.push_back(c);
      continue;
    }
    std::string cand = join(out, "/");
    cand = cand.empty() ? c : cand + "/" + c;
    struct stat st;
    if (fstatat(viewfd, cand.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      missing = true;
      out.push_back(c);
      continue;
    }
    if (S_ISLNK(st.st_mode) && (!todo.empty() || follow_last)) {
      if (++hops > 40) return fail(ELOOP, fmt::format("too many levels of symbolic links resolving `{}`", path));
      char buf[4096];
      ssize_t n = readlinkat(viewfd, cand.c_str(), buf, sizeof buf);
      if (n < 0) return fail_errno(fmt::format("readlink `/{}`", cand));
      std::string target(buf, size_t(n));
      if (!target.empty() && target[0] == '/') out.clear();
      auto tc = components(target);
      for (auto it = tc.rbegin(); it != tc.rend(); ++it) todo.push_back(*it);
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// A read-only view of an image's filesystem, in a worker that has its own mount namespace
// (rootless: the store's user namespace): an overlay of its layers as a detached mount (no
// mount point anywhere), the single layer directory itself, or the vfs snapshot.
struct ViewSpec {
  std::string graph;
  std::vector<std::string> lowers;  ///< overlay: relative to graph, topmost first
  std::string dir;                  ///< vfs snapshot / single layer
  bool userxattr = false;
};

Result<ViewSpec> view_spec(Engine& e, storage::Store& store, const std::string& image_id) {
  ViewSpec v;
  v.graph = e.graph();
  v.userxattr = e.idmap().userns;
  if (image_id.empty()) return v;
  auto rec = TRY(store.lookup_image(image_id, false));
  if (rec.top_layer.empty()) return v;
  if (store.driver() == storage::Driver::Overlay) {
    v.lowers = TRY(store.overlay_lowers(rec.top_layer));
    if (v.lowers.size() == 1) {
      v.dir = v.lowers[0][0] == '/' ? v.lowers[0] : v.graph + "/" + v.lowers[0];
      v.lowers.clear();
    }
  } else {
    v.dir = TRY(store.layer_diff_path(rec.top_layer));
  }
  return v;
}

Result<UniqueFd> open_view(const ViewSpec& v) {
  if (!v.dir.empty()) return open_path(v.dir, O_PATH | O_DIRECTORY);
  if (v.lowers.empty()) return UniqueFd();
  if (chdir(v.graph.c_str()) < 0) return fail_errno(fmt::format("chdir `{}`", v.graph));
  int fs = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0) return fail_errno("fsopen overlay");
  UniqueFd fsfd(fs);
  std::string lower = join(v.lowers, ":");
  if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) < 0) return fail_errno("overlay lowerdir");
  if (v.userxattr && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) < 0) return fail_errno("overlay userxattr");
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return fail_errno("create the overlay view of the image");
  int m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
  if (m < 0) return fail_errno("mount the overlay view of the image");
  return UniqueFd(m);
}

// Looks a user or group name up in the view's /etc/passwd or /etc/group.
std::optional<int64_t> lookup_id(int viewfd, const char* file, const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::stoll(name);
  if (viewfd < 0) return std::nullopt;
  auto fd = open_in_root(viewfd, file, O_RDONLY);
  if (!fd) return std::nullopt;
  auto text = read_all(fd->get(), 16u << 20);
  if (!text) return std::nullopt;
  for (auto& line : split(*text, '\n')) {
    auto f = split(line, ':');
    if (f.size() >= 3 && f[0] == name) {
      auto n = parse_int(f[2]);
      if (n) return *n;
    }
  }
  return std::nullopt;
}

// Writes a directory entry per component of `dir` (resolved components): the image's own
// metadata when it exists there, else 0755 with `owner`.
Status write_parents(TarWriter& w, int viewfd, const std::vector<std::string>& dir, std::pair<int64_t, int64_t> owner,
                     int64_t clamp, std::map<std::string, bool>& written) {
  std::string p;
  for (auto& c : dir) {
    p = p.empty() ? c : p + "/" + c;
    if (written.count(p)) continue;
    written[p] = true;
    TarEntry e;
    e.path = p + "/";
    e.type = TarType::Dir;
    struct stat st;
    if (viewfd >= 0 && fstatat(viewfd, p.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      e.mode = st.st_mode & 07777;
      e.uid = st.st_uid;
      e.gid = st.st_gid;
      e.mtime = st.st_mtim.tv_sec;
    } else {
      e.mode = 0755;
      std::tie(e.uid, e.gid) = owner;
      e.mtime = clamp;
    }
    TRY(w.add(e));
  }
  return ok();
}

// Walks `dirfd` (the source directory `src_rel` of its root) into `tar_prefix`, skipping
// excluded context entries.
Status walk_dir(TreeTar& tt, int dirfd, const std::string& src_rel, const std::string& tar_prefix,
                const std::function<bool(const std::string&, bool)>& excluded,
                const std::function<bool(const std::string&)>& exclude = nullptr, const std::string& below = "") {
  auto names = TRY(sorted_names(dirfd));
  for (auto& n : names) {
    struct stat st;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    std::string rel = src_rel.empty() ? n : src_rel + "/" + n;
    std::string under = below.empty() ? n : below + "/" + n;  // relative to the source directory
    bool is_dir = S_ISDIR(st.st_mode);
    if (excluded && excluded(rel, is_dir)) continue;
    if (exclude && exclude(under)) continue;
    std::string tname = tar_prefix.empty() ? n : tar_prefix + "/" + n;
    auto sub = TRY(tt.add_entry(dirfd, n, is_dir ? tname + "/" : tname, st, is_dir));
    if (is_dir && sub && *sub) TRY(walk_dir(tt, sub->get(), rel, tname, excluded, exclude, under));
  }
  return ok();
}

bool is_tar_head(const std::string& h) { return h.size() >= 262 && h.compare(257, 5, "ustar") == 0; }

// ADD of a local archive: its entries below `dest` (names cleaned: nothing climbs out).
Status extract_archive(TarWriter& w, int fd, const std::string& dest, const std::string& shown) {
  FdSource raw(fd);
  auto plain = TRY(make_auto_decompressor(raw));
  auto r = TRY(make_tar_reader(*plain));
  TarEntry e;
  auto under = [&](const std::string& name) {
    std::string c = clean_rel(name);
    return dest.empty() ? c : (c.empty() ? dest : dest + "/" + c);
  };
  while (TRY_CTX(r->next(e), "ADD {}", shown)) {
    std::string p = under(e.path);
    if (p.empty()) continue;
    if (e.type == TarType::Hardlink) e.link_target = under(e.link_target);
    e.path = e.type == TarType::Dir ? p + "/" : p;
    if (e.type == TarType::File) {
      e.sparse.clear();
      TRY(w.add(e));
      uint64_t left = e.size;
      char buf[65536];
      while (left > 0) {
        size_t n = TRY(r->read_data(buf, std::min<uint64_t>(left, sizeof buf)));
        if (n == 0) return fail(kCorrupt, fmt::format("ADD {}: truncated archive entry `{}`", shown, e.path));
        TRY(w.write_data(std::string_view(buf, n)));
        left -= n;
      }
    } else {
      e.size = 0;
      TRY(w.add(e));
    }
  }
  return ok();
}

// Is the regular file `fd` a tar archive (plain or compressed)? Rewinds it.
bool looks_like_archive(int fd) {
  bool yes = false;
  {
    FdSource raw(fd);
    auto plain = make_auto_decompressor(raw);
    if (plain) {
      auto head = read_head(**plain, 512);
      yes = head && is_tar_head(*head);
    }
  }
  lseek(fd, 0, SEEK_SET);
  return yes;
}

// The COPY/ADD work, in the worker.
Status produce_copy(TarWriter& w, const CopyRequest& r, const ViewSpec& dest_view, const ViewSpec& src_view,
                    int64_t clamp) {
  auto viewfd_u = TRY(open_view(dest_view));
  int viewfd = viewfd_u ? viewfd_u.get() : -1;
  UniqueFd srcroot;
  bool from_ctx = r.context_fd >= 0;
  if (from_ctx) srcroot = TRY_CTX(open_at(r.context_fd, ".", O_PATH | O_DIRECTORY), "the build context");
  else if (!r.from_image.empty()) srcroot = TRY(open_view(src_view));
  if (r.mkdir_only) {
    auto res = TRY(resolve_in_view(viewfd, r.dest, true));
    std::string rp = join(res, "/");
    struct stat st;
    if (rp.empty() || (viewfd >= 0 && fstatat(viewfd, rp.c_str(), &st, 0) == 0 && S_ISDIR(st.st_mode))) return ok();
    std::map<std::string, bool> written;
    return write_parents(w, viewfd, res, {0, 0}, clamp, written);
  }

  std::pair<int64_t, int64_t> owner{0, 0};
  bool fixed_owner = !r.keep_owner;
  if (!r.chown.empty()) {
    auto parts = split(r.chown, ':');
    auto uid = lookup_id(viewfd, "/etc/passwd", parts[0]);
    if (!uid) return fail(kInvalid, fmt::format("unable to convert uid/gid chown string to host mapping: "
                                                "can't find uid for user {}: no such user: {}", parts[0], parts[0]));
    int64_t gid = *uid;
    if (parts.size() > 1) {
      auto g = lookup_id(viewfd, "/etc/group", parts[1]);
      if (!g) return fail(kInvalid, fmt::format("unable to convert uid/gid chown string to host mapping: "
                                                "can't find gid for group {}: no such group: {}", parts[1], parts[1]));
      gid = *g;
    } else if (!std::all_of(parts[0].begin(), parts[0].end(), [](char c) { return c >= '0' && c <= '9'; })) {
      // user only: its primary group, as Docker
      auto fd = open_in_root(viewfd, "/etc/passwd", O_RDONLY);
      if (fd)
        if (auto text = read_all(fd->get(), 16u << 20))
          for (auto& line : split(*text, '\n')) {
            auto f = split(line, ':');
            if (f.size() >= 4 && f[0] == parts[0])
              if (auto n = parse_int(f[3])) gid = *n;
          }
    }
    owner = {*uid, gid};
    fixed_owner = true;
  }
  TreeTarOptions to;
  if (fixed_owner) to.owner = [owner](int64_t, int64_t) { return owner; };
  TreeTar tt(w, to);

  // Expand the sources.
  struct Src {
    std::string rel;
    bool is_dir = false;
  };
  std::vector<Src> srcs;
  bool wildcard = false;
  for (auto& s : r.sources) {
    wildcard |= has_wildcard(s);
    if (!srcroot) return not_found(s);
    auto list = TRY(expand_source(srcroot.get(), s, !from_ctx ? nullptr : r.excluded));
    if (list.empty() && has_wildcard(s)) return fail(kNotFound, fmt::format("COPY failed: no source files were specified"));
    for (auto& rel : list) {
      if (r.exclude && !rel.empty() && (r.exclude(rel) || r.exclude(components(rel).back()))) continue;
      struct stat st;
      auto fd = open_in_root(srcroot.get(), rel.empty() ? "." : rel, O_PATH);
      if (!fd || fstat(fd->get(), &st) < 0) return not_found(s);
      if (from_ctx && r.excluded && !rel.empty() && r.excluded(rel, S_ISDIR(st.st_mode))) return not_found(s);
      srcs.push_back({rel, S_ISDIR(st.st_mode)});
    }
  }
  size_t count = srcs.size() + r.inline_files.size();
  bool dest_slash = !r.dest.empty() && r.dest.back() == '/';
  if ((count > 1 || wildcard) && !dest_slash) {
    // Docker: a directory that exists is fine too.
    auto resolved = TRY(resolve_in_view(viewfd, r.dest, true));
    struct stat st;
    std::string rp = join(resolved, "/");
    bool dir = viewfd >= 0 && fstatat(viewfd, rp.empty() ? "." : rp.c_str(), &st, 0) == 0 && S_ISDIR(st.st_mode);
    if (!dir && count > 1)
      return fail(kInvalid, "When using COPY with more than one source file, the destination must be a directory and end with a /");
    dest_slash = true;
  }
  auto dest_res = TRY(resolve_in_view(viewfd, r.dest, true));
  std::string dest_path = join(dest_res, "/");
  struct stat dst_st;
  bool dest_is_dir = dest_slash || dest_path.empty() ||
                     (viewfd >= 0 && fstatat(viewfd, dest_path.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) == 0 &&
                      S_ISDIR(dst_st.st_mode));
  std::map<std::string, bool> written;
  auto parent_of = [](const std::vector<std::string>& v) { return std::vector<std::string>(v.begin(), v.end() - (v.empty() ? 0 : 1)); };
  std::pair<int64_t, int64_t> new_dir_owner = r.chown.empty() ? std::pair<int64_t, int64_t>{0, 0} : owner;

  for (auto& f : r.inline_files) {
    std::vector<std::string> target = dest_res;
    if (dest_is_dir) target.push_back(f.name);
    TRY(write_parents(w, viewfd, parent_of(target), new_dir_owner, clamp, written));
    TarEntry e;
    e.path = join(target, "/");
    e.type = TarType::File;
    e.mode = f.mode;
    std::tie(e.uid, e.gid) = owner;
    e.size = f.data.size();
    e.mtime = f.mtime;
    TRY(w.add(e));
    TRY(w.write_data(f.data));
  }
  for (auto& s : srcs) {
    std::vector<std::string> target = dest_res;
    if (r.parents) {
      auto c = components(s.rel);
      if (!s.is_dir && !c.empty()) c.pop_back();
      target.insert(target.end(), c.begin(), c.end());
      if (s.is_dir) {
        TRY(write_parents(w, viewfd, target, new_dir_owner, clamp, written));
        auto dfd = TRY(open_in_root(srcroot.get(), s.rel, O_RDONLY | O_DIRECTORY));
        TRY(walk_dir(tt, dfd.get(), s.rel, join(target, "/"), !from_ctx ? nullptr : r.excluded, r.exclude));
        continue;
      }
    }
    if (s.is_dir) {
      // A directory's contents go into dest (which becomes a directory).
      TRY(write_parents(w, viewfd, target, new_dir_owner, clamp, written));
      auto dfd = TRY(open_in_root(srcroot.get(), s.rel.empty() ? "." : s.rel, O_RDONLY | O_DIRECTORY));
      TRY(walk_dir(tt, dfd.get(), s.rel, join(target, "/"), !from_ctx ? nullptr : r.excluded, r.exclude));
      continue;
    }
    auto [pfd, name] = TRY(open_parent_in_root(srcroot.get(), "/" + s.rel));
    if (dest_is_dir || r.parents) target.push_back(components(s.rel).back());
    TRY(write_parents(w, viewfd, parent_of(target), new_dir_owner, clamp, written));
    std::string tname = join(target, "/");
    struct stat st;
    if (fstatat(pfd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return not_found(s.rel);
    if (r.extract_archives && S_ISREG(st.st_mode)) {
      auto fd = TRY(open_at(pfd.get(), name, O_RDONLY | O_NOFOLLOW));
      char magic[6] = {};
      ssize_t got = pread(fd.get(), magic, sizeof magic, 0);
      if (got >= 3 && (memcmp(magic, "BZh", 3) == 0 || (got == 6 && memcmp(magic, "\xFD" "7zXZ\0", 6) == 0)))
        return fail(kUnsupported, fmt::format("ADD {}: a {} archive, which skiff does not unpack: recompress it with "
                                              "gzip or zstd, or COPY it and unpack it in a RUN",
                                              s.rel, magic[0] == 'B' ? "bzip2" : "xz"));
      if (looks_like_archive(fd.get())) {
        // The archive unpacks into the destination directory.
        std::vector<std::string> into = dest_res;
        TRY(write_parents(w, viewfd, into, new_dir_owner, clamp, written));
        TRY(extract_archive(w, fd.get(), join(into, "/"), s.rel));
        continue;
      }
    }
    TRY(tt.add_entry(pfd.get(), name, tname, st));
  }
  return ok();
}

std::string cache_dir(Engine& e) { return e.graph() + "/build-cache"; }

bool valid_key(const std::string& k) {
  return k.size() == 64 && std::all_of(k.begin(), k.end(), [](char c) { return isxdigit(uint8_t(c)); });
}

}  // namespace

// Leaves out the entries at the given paths (RUN mount stubs).
class SkipTarWriter : public TarWriter {
 public:
  SkipTarWriter(TarWriter& inner, const std::vector<std::string>& skip) : inner_(inner) {
    for (auto& p : skip) skip_.push_back(clean_rel(p));
  }
  Status add(const TarEntry& e) override {
    std::string p = e.path;
    while (!p.empty() && p.back() == '/') p.pop_back();
    skipping_ = std::find(skip_.begin(), skip_.end(), p) != skip_.end();
    return skipping_ ? ok() : inner_.add(e);
  }
  Status write_data(std::string_view d) override { return skipping_ ? ok() : inner_.write_data(d); }
  Status finish() override { return inner_.finish(); }

 private:
  TarWriter& inner_;
  std::vector<std::string> skip_;
  bool skipping_ = false;
};

Result<std::optional<storage::LayerInfo>> build_container_layer(Engine& e, const std::string& container_id,
                                                                int64_t clamp, const std::vector<std::string>& skip) {
  storage::Store* store = TRY(e.store(true));
  auto c = TRY(find_container(e, container_id));
  const ContainerRecord& r = c.rec;
  std::string top = r.extra.top_layer;
  std::string cdir = e.container_dir(r.id);
  std::string snapshot;
  if (r.driver == storage::Driver::Vfs) snapshot = TRY(store->layer_diff_path(top));
  bool overlay = r.driver == storage::Driver::Overlay;
  auto produce = [cdir, snapshot, overlay, skip](TarWriter& out) -> Status {
    SkipTarWriter w(out, skip);
    if (overlay) {
      auto upper = TRY(open_path(cdir + "/upper", O_RDONLY | O_DIRECTORY));
      return write_overlay_layer(upper.get(), w);
    }
    auto root = TRY(open_path(cdir + "/rootfs", O_RDONLY | O_DIRECTORY));
    auto image = TRY(open_path(snapshot, O_RDONLY | O_DIRECTORY));
    auto changes = TRY(vfs_changes(root.get(), image.get()));
    return write_vfs_layer(root.get(), changes, w);
  };
  return layer_from_worker(e, *store, top, clamp, std::nullopt, produce, fmt::format("container {}: read its layer", r.id));
}

Result<std::optional<storage::LayerInfo>> build_squash_layer(Engine& e, const std::string& base_id,
                                                             const std::string& image_id, int64_t clamp) {
  storage::Store* store = TRY(e.store(true));
  std::string top;
  if (!base_id.empty()) top = TRY(store->lookup_image(base_id, false)).top_layer;
  ViewSpec base = TRY(view_spec(e, *store, base_id));
  ViewSpec img = TRY(view_spec(e, *store, image_id));
  auto produce = [base, img](TarWriter& w) -> Status {
    auto imgv = TRY(open_view(img));
    if (!imgv) return ok();  // nothing at all
    auto basev = TRY(open_view(base));
    if (!basev) {
      // scratch: an empty tmpfs to compare with
      int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
      if (fs < 0) return fail_errno("fsopen tmpfs");
      UniqueFd fsfd(fs);
      if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return fail_errno("create an empty tmpfs");
      int m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
      if (m < 0) return fail_errno("mount an empty tmpfs");
      basev = UniqueFd(m);
    }
    auto root = TRY(open_at(imgv.get(), ".", O_RDONLY | O_DIRECTORY));
    auto parent = TRY(open_at(basev.get(), ".", O_RDONLY | O_DIRECTORY));
    auto changes = TRY(vfs_changes(root.get(), parent.get()));
    return write_vfs_layer(root.get(), changes, w);
  };
  return layer_from_worker(e, *store, top, clamp, std::nullopt, produce, "squash the build's layers");
}

Result<std::optional<storage::LayerInfo>> build_copy_layer(Engine& e, const std::string& image_id, const CopyRequest& r,
                                                           int64_t clamp) {
  storage::Store* store = TRY(e.store(true));
  std::string top;
  if (!image_id.empty()) top = TRY(store->lookup_image(image_id, false)).top_layer;
  ViewSpec dest_view = TRY(view_spec(e, *store, image_id));
  ViewSpec src_view = TRY(view_spec(e, *store, r.from_image));
  auto produce = [&r, dest_view, src_view, clamp](TarWriter& w) -> Status {
    return produce_copy(w, r, dest_view, src_view, clamp);
  };
  std::vector<int> keep;
  if (r.context_fd >= 0) keep.push_back(r.context_fd);
  return layer_from_worker(e, *store, top, clamp, r.chmod, produce, r.mkdir_only ? "WORKDIR" : "COPY", keep);
}

Result<std::string> build_store_image(Engine& e, const std::string& parent_id, Json config,
                                      const std::optional<storage::LayerInfo>& layer, int64_t created_ns) {
  storage::Store* store = TRY(e.store(true));
  storage::NewImage ni;
  if (!parent_id.empty()) {
    auto img = TRY(store->lookup_image(parent_id, false));
    ni.layers = img.layers;
    ni.parent = img.id;
  }
  Json diff_ids = Json::array();
  for (auto& l : ni.layers) diff_ids.push_back(l.diff_id);
  if (layer) {
    storage::ImageLayer l;
    l.diff_id = layer->diff_id;
    l.chain_id = layer->chain_id;
    ni.layers.push_back(l);
    diff_ids.push_back(layer->diff_id);
  }
  Json rootfs = Json::object();
  rootfs["type"] = "layers";
  rootfs["diff_ids"] = diff_ids;
  config["rootfs"] = rootfs;
  ni.config = skiff::to_json(config);
  ni.created_ns = created_ns;
  auto rec = TRY(store->create_image(ni));
  return rec.id;
}

std::optional<std::string> build_cache_get(Engine& e, const std::string& key) {
  if (!valid_key(key)) return std::nullopt;
  auto id = read_file(cache_dir(e) + "/" + key, 256);
  if (!id) return std::nullopt;
  std::string v(trim(*id));
  auto store = e.store(false);
  if (!store) return std::nullopt;
  if (!(*store)->lookup_image(v, false)) return std::nullopt;
  return v;
}

Status build_cache_put(Engine& e, const std::string& key, const std::string& image_id) {
  if (!valid_key(key)) return fail(kInvalid, "build cache: bad key");
  TRY(mkdir_p(cache_dir(e), 0700));
  return write_file_atomic(cache_dir(e) + "/" + key, image_id + "\n", 0600, false);
}

Result<std::vector<std::string>> build_cache_prune(Engine& e) {
  std::vector<std::string> removed;
  // RUN --mount=type=cache directories (their files may belong to subordinate ids).
  std::string mounts = e.graph() + "/build-cache-mounts";
  if (path_exists(mounts)) TRY_CTX(run_in_userns(e.idmap(), [&] { return remove_tree(mounts); }), "remove {}", mounts);
  auto names = list_dir(cache_dir(e));
  if (!names) return removed;
  storage::Store* store = TRY(e.store(true));
  std::vector<std::string> ids;
  for (auto& n : *names) {
    if (!valid_key(n)) continue;
    if (auto id = read_file(cache_dir(e) + "/" + n, 256)) ids.push_back(std::string(trim(*id)));
    (void)unlink((cache_dir(e) + "/" + n).c_str());
  }
  // Newest steps first: a step's image is the parent of the next one.
  std::reverse(ids.begin(), ids.end());
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& id : ids) {
      if (id.empty()) continue;
      auto rec = store->lookup_image(id, true);
      if (!rec) {
        id.clear();
        continue;
      }
      if (!rec->tags.empty() || !rec->digests.empty()) {
        id.clear();
        continue;
      }
      storage::RemoveOptions ro;
      ro.prune = false;
      if (store->remove_image(rec->id, ro)) {
        removed.push_back(rec->id);
        id.clear();
        progress = true;
      }
    }
  }
  return removed;
}

// ---- RUN --mount=type=bind,from= ------------------------------------------------------------

namespace {

std::string bind_sources_dir(Engine& e) { return e.graph() + "/build-mounts"; }

// Copies left behind by builds that were killed: their directory is named <pid>-<n> and that
// process is gone.
void sweep_bind_sources(Engine& e) {
  auto names = list_dir(bind_sources_dir(e));
  if (!names) return;
  for (auto& n : *names) {
    auto pid = parse_int(std::string_view(n).substr(0, n.find('-')));
    if (!pid || *pid <= 0 || *pid == getpid()) continue;
    if (kill(pid_t(*pid), 0) == 0 || errno != ESRCH) continue;
    std::string dir = bind_sources_dir(e) + "/" + n;
    (void)run_in_userns(e.idmap(), [&] { return remove_tree(dir); });
  }
}

// Copies the regular file `src` to a new file `name` in `dstdir`: contents, mode, owner, times.
Status copy_one_file(int src, const struct stat& st, int dstdir, const char* name) {
  UniqueFd out(openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return fail_errno("create the copy");
  for (;;) {
    ssize_t n = copy_file_range(src, nullptr, out.get(), nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP) return fail_errno("copy the file");
      char buf[1 << 16];  // across file systems (an overlay view): by hand
      for (;;) {
        ssize_t r = read(src, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return fail_errno("read the file");
        if (r == 0) break;
        TRY(write_all(out.get(), std::string_view(buf, size_t(r))));
      }
      break;
    }
  }
  if (fchown(out.get(), st.st_uid, st.st_gid) < 0) return fail_errno("set the copy's owner");
  if (fchmod(out.get(), st.st_mode & 07777) < 0) return fail_errno("set the copy's mode");
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (futimens(out.get(), ts) < 0) return fail_errno("set the copy's times");
  return ok();
}

}  // namespace

Result<BuildBindSource> build_bind_source(Engine& e, const std::string& image_id, const std::string& source) {
  storage::Store* store = TRY(e.store(true));
  ViewSpec v = TRY(view_spec(e, *store, image_id));
  std::string base = bind_sources_dir(e);
  TRY(mkdir_p(base, 0700));
  sweep_bind_sources(e);
  static std::atomic<int> seq{0};
  BuildBindSource out;
  out.dir = fmt::format("{}/{}-{}", base, getpid(), ++seq);
  if (mkdir(out.dir.c_str(), 0700) < 0) return fail_errno(fmt::format("create `{}`", out.dir));
  out.path = out.dir + "/root";
  std::string shown = clean_path("/" + source);
  bool userns = e.idmap().userns;
  std::string dir = out.dir;
  auto work = [&v, &shown, userns, dir]() -> Status {
    storage::raise_nofile_limit();
    auto dst = TRY(open_path(dir, O_RDONLY | O_DIRECTORY));
    auto view = TRY(open_view(v));
    if (!view) {  // FROM scratch without a step: an empty root
      if (shown != "/") return fail(kNotFound, fmt::format("`{}`: not found (the stage is empty)", shown));
      if (mkdirat(dst.get(), "root", 0755) < 0) return fail_errno("create the copy");
      return ok();
    }
    // Resolved inside the image's root from its fd: symlinks lead where the image says, and
    // never out of it.
    auto probe = open_in_root(view.get(), shown, O_PATH);
    if (!probe) {
      if (probe.error().code == ENOENT) return fail(kNotFound, fmt::format("`{}`: not found", shown));
      return wrap(std::move(probe).error(), fmt::format("`{}`", shown));
    }
    struct stat st;
    if (fstat(probe->get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", shown));
    if (S_ISDIR(st.st_mode)) {
      auto src = TRY_CTX(open_in_root(view.get(), shown, O_RDONLY | O_DIRECTORY), "`{}`", shown);
      if (mkdirat(dst.get(), "root", 0700) < 0) return fail_errno("create the copy");
      auto root = TRY(open_at(dst.get(), "root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      CopyOptions co;
      co.skip_devices = userns;  // rootless cannot make device nodes
      TRY_CTX(copy_tree_at(src.get(), root.get(), co), "copy `{}`", shown);
      if (fchown(root.get(), st.st_uid, st.st_gid) < 0) return fail_errno("set the copy's owner");
      if (fchmod(root.get(), st.st_mode & 07777) < 0) return fail_errno("set the copy's mode");
      struct timespec ts[2] = {st.st_atim, st.st_mtim};
      if (futimens(root.get(), ts) < 0) return fail_errno("set the copy's times");
      return ok();
    }
    if (!S_ISREG(st.st_mode)) return fail(kInvalid, fmt::format("`{}` is not a file or a directory", shown));
    auto src = TRY_CTX(open_in_root(view.get(), shown, O_RDONLY), "`{}`", shown);
    return copy_one_file(src.get(), st, dst.get(), "root");
  };
  if (auto st = run_in_userns(e.idmap(), work); !st) {
    (void)remove_build_bind_source(e, out);
    return std::move(st).error();
  }
  return out;
}

Status remove_build_bind_source(Engine& e, const BuildBindSource& s) {
  if (s.dir.empty() || !path_exists(s.dir)) return ok();
  std::string dir = s.dir;
  return run_in_userns(e.idmap(), [&] { return remove_tree(dir); });
}

}  // namespace skiff::engine
