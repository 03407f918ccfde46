// The build context directory: walks from a directory fd (openat with O_NOFOLLOW per
// component, openat2 RESOLVE_IN_ROOT for paths), source resolution, content hashing, tar
// contexts and finding the Dockerfile.

#include "skiff/build/context.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "skiff/storage/extract.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/stream.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::build {
namespace {

// Context-relative form of a path: cleaned inside the root, no leading '/', "" for the root.
std::string rel_clean(std::string_view p) {
  std::string c = clean_path(p);
  return c.substr(1);
}

std::string join_rel(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string r(dir);
  r.push_back('/');
  r.append(name);
  return r;
}

ContextEntry entry_from_stat(std::string path, const struct stat& st) {
  ContextEntry e;
  e.path = std::move(path);
  e.mode = st.st_mode;
  e.size = S_ISREG(st.st_mode) ? uint64_t(st.st_size) : 0;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim.tv_sec;
  e.mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
  e.dev = st.st_dev;
  e.ino = st.st_ino;
  e.nlink = st.st_nlink;
  return e;
}

Result<std::string> read_link_at(int dirfd, const char* name) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = readlinkat(dirfd, name, buf.data(), buf.size());
    if (n < 0) return fail_errno(fmt::format("readlink `{}`", name));
    if (size_t(n) < buf.size()) {
      buf.resize(size_t(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

// Sorted names of a directory (no "." or "..").
Result<std::vector<std::string>> sorted_names(int dirfd) {
  auto d = TRY_CTX(Dir::open_at(dirfd, "."), "open directory");
  std::vector<std::string> names;
  while (struct dirent* de = d.next()) names.emplace_back(de->d_name);
  if (d.error()) return fail_errno("readdir", d.error());
  std::sort(names.begin(), names.end());
  return names;
}

bool has_wildcards(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '*' || s[i] == '?' || s[i] == '[') return true;
  }
  return false;
}

// A ByteSource that yields `head` first, then reads `fd`.
class PrefixSource : public ByteSource {
 public:
  PrefixSource(std::string head, int fd) : head_(std::move(head)), fd_(fd) {}
  Result<size_t> read(void* buf, size_t n) override {
    if (off_ < head_.size()) {
      size_t k = std::min(n, head_.size() - off_);
      std::memcpy(buf, head_.data() + off_, k);
      off_ += k;
      return k;
    }
    return fd_.read(buf, n);
  }

 private:
  std::string head_;
  size_t off_ = 0;
  FdSource fd_;
};

// Reads up to `n` bytes (fewer only at EOF).
Result<std::string> read_head(int fd, size_t n) {
  std::string s(n, '\0');
  size_t got = 0;
  while (got < n) {
    size_t k = TRY(read_some(fd, s.data() + got, n - got));
    if (k == 0) break;
    got += k;
  }
  s.resize(got);
  return s;
}

bool looks_like_tar(std::string_view head) {
  if (detect_compression(head) != Compression::None) return true;
  return head.size() >= 262 && head.substr(257, 5) == "ustar";
}

}  // namespace

// ---- BuildContext -----------------------------------------------------------------------------

namespace {

// Directories of live contexts extracted from a tar: files in them came from the tar, so
// find_dockerfile() and load_ignore() read them inside the context (RESOLVE_IN_ROOT) even when
// given as host paths: a symlinked Dockerfile in a tar never names a host file.
std::mutex g_extracted_mu;
std::set<std::string, std::less<>> g_extracted;

void remove_extracted(const std::string& dir) {
  std::lock_guard<std::mutex> l(g_extracted_mu);
  g_extracted.erase(dir);
}

// When `host_path` is inside a live extracted context: that directory and the rest.
std::optional<std::pair<std::string, std::string>> extracted_prefix(std::string_view host_path) {
  std::lock_guard<std::mutex> l(g_extracted_mu);
  for (const auto& d : g_extracted) {
    if (host_path == d) return std::make_pair(d, std::string());
    if (host_path.size() > d.size() && host_path.substr(0, d.size()) == d && host_path[d.size()] == '/')
      return std::make_pair(d, std::string(host_path.substr(d.size() + 1)));
  }
  return std::nullopt;
}

// Removes `skiff-build-context-*` directories under `tmpdir` left by killed builds: ours, not
// locked (a live context holds a flock on its directory for its whole life) and not touched
// for a minute (a directory another build has just made is not locked yet). Best effort.
void sweep_stale_contexts(std::string_view tmpdir) {
  auto dir = open_path(tmpdir, O_RDONLY | O_DIRECTORY);
  if (!dir) return;
  auto names = sorted_names(dir->get());
  if (!names) return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (const auto& n : *names) {
    if (!n.starts_with("skiff-build-context-")) continue;
    int fd = openat(dir->get(), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    UniqueFd d(fd);
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || now.tv_sec - st.st_mtim.tv_sec < 60) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) continue;
    (void)remove_tree_at(dir->get(), n);
  }
}

}  // namespace

BuildContext::~BuildContext() {
  if (!tmp_.empty()) {
    root_.reset();
    remove_extracted(tmp_);
    (void)remove_tree(tmp_);
  }
}

BuildContext::BuildContext(BuildContext&& o) noexcept
    : root_(std::move(o.root_)), dir_(std::move(o.dir_)), tmp_(std::exchange(o.tmp_, std::string())),
      ignore_(std::move(o.ignore_)) {}

BuildContext& BuildContext::operator=(BuildContext&& o) noexcept {
  if (this != &o) {
    if (!tmp_.empty()) {
      root_.reset();
      remove_extracted(tmp_);
      (void)remove_tree(tmp_);
    }
    root_ = std::move(o.root_);
    dir_ = std::move(o.dir_);
    tmp_ = std::exchange(o.tmp_, std::string());
    ignore_ = std::move(o.ignore_);
  }
  return *this;
}

Result<BuildContext> BuildContext::open_dir(std::string_view dir, IgnoreMatcher ignore) {
  BuildContext c;
  auto fd = open_path(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) {
    if (fd.error().code == ENOENT)
      return fail(kNotFound, fmt::format("build context \"{}\": no such directory", dir));
    if (fd.error().code == ENOTDIR)
      return fail(kInvalid, fmt::format("build context \"{}\" is not a directory (give a directory, "
                                        "`-` for stdin, or a tar on stdin)", dir));
    return fail(wrap(std::move(fd).error(), fmt::format("build context \"{}\"", dir)));
  }
  c.root_ = std::move(*fd);
  c.dir_ = std::string(dir);
  c.ignore_ = std::move(ignore);
  return c;
}

Result<BuildContext> BuildContext::from_tar_fd(int fd, std::string_view tmpdir) {
  return from_tar_fd(fd, std::string(), tmpdir);
}

Result<BuildContext> BuildContext::from_tar_fd(int fd, std::string head, std::string_view tmpdir) {
  if (tmpdir.empty()) {
    const char* t = getenv("TMPDIR");
    tmpdir = t && *t ? t : "/var/tmp";
  }
  sweep_stale_contexts(tmpdir);
  std::string tmpl = fmt::format("{}/skiff-build-context-XXXXXX", tmpdir);
  if (!mkdtemp(tmpl.data())) return fail_errno(fmt::format("create a directory for the build context in {}", tmpdir));
  BuildContext c;
  c.tmp_ = tmpl;  // removed by the destructor from here on
  {
    std::lock_guard<std::mutex> l(g_extracted_mu);
    g_extracted.insert(tmpl);
  }
  c.dir_ = tmpl;
  c.root_ = TRY(open_path(tmpl, O_RDONLY | O_DIRECTORY));
  // Held while the context lives: the next build's sweep leaves a locked directory alone.
  if (flock(c.root_.get(), LOCK_EX | LOCK_NB) < 0) return fail_errno(fmt::format("lock {}", tmpl));
  PrefixSource src(std::move(head), fd);
  auto dec = TRY_CTX(make_auto_decompressor(src), "build context tar");
  auto reader = TRY_CTX(make_tar_reader(*dec), "build context tar");
  storage::ExtractOptions opts;
  opts.whiteouts = storage::WhiteoutMode::Literal;
  opts.rootless = true;   // never create device nodes from a context
  opts.single_id = true;  // owners do not matter (COPY sets them)
  opts.chown = false;
  opts.skip_root = true;
  opts.noun = "build context entry";
  TRY_CTX(storage::extract_layer_tar(c.root_.get(), *reader, opts), "build context tar");
  return c;
}

Result<IgnoreMatcher> BuildContext::load_ignore(std::string_view dockerfile_path) const {
  if (!tmp_.empty()) {
    // An extracted tar: everything is read inside it.
    auto in = extracted_prefix(dockerfile_path);
    return load_ignore_in(in && in->first == tmp_ ? in->second : std::string());
  }
  if (!dockerfile_path.empty() && dockerfile_path != "-") {
    std::string p = fmt::format("{}.dockerignore", dockerfile_path);
    auto text = read_file(p, 16u << 20);
    if (text) return TRY_CTX(IgnoreMatcher::parse(*text), "{}", p);
    if (text.error().code != ENOENT) return fail(wrap(std::move(text).error(), p));
  }
  if (!has_dir()) return IgnoreMatcher{};
  auto fd = open_in_root(root_.get(), ".dockerignore", O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (!fd) {
    if (fd.error().code == ENOENT) return IgnoreMatcher{};
    return fail(wrap(std::move(fd).error(), ".dockerignore"));
  }
  auto text = TRY_CTX(read_all(fd->get(), 16u << 20), ".dockerignore");
  return TRY_CTX(IgnoreMatcher::parse(text), ".dockerignore");
}

Result<IgnoreMatcher> BuildContext::load_ignore_in(std::string_view dockerfile_rel) const {
  if (!has_dir()) return IgnoreMatcher{};
  for (std::string name : {dockerfile_rel.empty() ? std::string() : rel_clean(dockerfile_rel) + ".dockerignore",
                           std::string(".dockerignore")}) {
    if (name.empty()) continue;
    auto fd = open_in_root(root_.get(), name, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) {
      if (fd.error().code == ENOENT) continue;
      return fail(wrap(std::move(fd).error(), name));
    }
    auto text = TRY_CTX(read_all(fd->get(), 16u << 20), "{}", name);
    return TRY_CTX(IgnoreMatcher::parse(text), "{}", name);
  }
  return IgnoreMatcher{};
}

Result<ContextEntry> BuildContext::stat(std::string_view rel) const {
  if (!has_dir()) return fail(kNotFound, fmt::format("\"{}\": not found: there is no build context", rel));
  std::string r = rel_clean(rel);
  auto fd = TRY(open_in_root_nofollow(root_.get(), r, O_PATH));
  struct stat st;
  if (fstat(fd.get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", r));
  ContextEntry e = entry_from_stat(r, st);
  if (S_ISLNK(st.st_mode)) e.link_target = TRY(read_link_at(fd.get(), ""));
  return e;
}

Result<UniqueFd> BuildContext::open(std::string_view rel, int flags) const {
  if (!has_dir()) return fail(kNotFound, fmt::format("\"{}\": not found: there is no build context", rel));
  return open_in_root(root_.get(), rel_clean(rel), flags);
}

namespace {

struct Walker {
  const IgnoreMatcher& ignore;
  const std::function<Result<WalkAction>(const ContextEntry&, int dirfd, const char* name)>& visit;
  std::vector<ContextEntry> pending;  // excluded parents, reported before a re-included child
  bool stopped = false;

  Result<WalkAction> emit(const ContextEntry& e, int dirfd, const char* name) {
    for (auto& p : pending) {
      auto a = TRY(visit(p, -1, nullptr));
      if (a == WalkAction::Stop) return a;
    }
    pending.clear();
    return visit(e, dirfd, name);
  }

  Status dir(int dirfd, const std::string& prefix) {
    auto names = TRY_CTX(sorted_names(dirfd), "build context \"{}\"", prefix.empty() ? "." : prefix);
    for (const auto& name : names) {
      if (stopped) return ok();
      struct stat st;
      if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) continue;  // removed while we walk
        return fail_errno(fmt::format("stat build context entry `{}`", join_rel(prefix, name)));
      }
      std::string path = join_rel(prefix, name);
      ContextEntry e = entry_from_stat(path, st);
      bool ex = ignore.excluded(path);
      const bool is_dir = S_ISDIR(st.st_mode);
      if (ex && !(is_dir && ignore.may_include_below(path))) continue;
      if (S_ISLNK(st.st_mode)) e.link_target = TRY(read_link_at(dirfd, name.c_str()));
      WalkAction a = WalkAction::Continue;
      if (ex) {
        pending.push_back(e);
      } else {
        a = TRY(emit(e, dirfd, name.c_str()));
      }
      if (a == WalkAction::Stop) {
        stopped = true;
        return ok();
      }
      if (is_dir && a != WalkAction::SkipDir) {
        int cfd = openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0) {
          if (errno == ENOENT) continue;
          return fail_errno(fmt::format("open build context directory `{}`", path));
        }
        UniqueFd child(cfd);
        TRY(dir(child.get(), path));
      }
      if (ex && !pending.empty() && pending.back().path == path) pending.pop_back();
    }
    return ok();
  }
};

}  // namespace

// Walks `rel` and everything below it, calling visit with the entry and (for entries below
// the start) its parent directory fd and name; the start entry itself gets its own O_PATH fd
// and "" as name.
static Status walk_impl(int rootfd, const IgnoreMatcher& ignore, std::string_view rel,
                        const std::function<Result<WalkAction>(const ContextEntry&, int, const char*)>& visit) {
  std::string r = rel_clean(rel);
  // The start is followed if it is a symlink (resolved inside the context), as Docker copies
  // what a source symlink points to.
  auto followed = open_in_root(rootfd, r.empty() ? "/" : r, O_PATH);
  if (!followed && (followed.error().code == ENOENT || followed.error().code == ELOOP)) {
    // A dangling (or looping) symlink: report the link itself.
    auto link = open_in_root_nofollow(rootfd, r.empty() ? "/" : r, O_PATH);
    if (link) followed = std::move(link);
  }
  auto fd = TRY(std::move(followed));
  struct stat st;
  if (fstat(fd.get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", r));
  ContextEntry top = entry_from_stat(r, st);
  if (S_ISLNK(st.st_mode)) top.link_target = TRY(read_link_at(fd.get(), ""));
  Walker w{ignore, visit, {}, false};
  bool ex = !r.empty() && ignore.excluded(r);
  if (ex && !(S_ISDIR(st.st_mode) && ignore.may_include_below(r))) return ok();
  WalkAction a = WalkAction::Continue;
  if (ex)
    w.pending.push_back(top);
  else
    a = TRY(visit(top, fd.get(), ""));
  if (a != WalkAction::Continue || !S_ISDIR(st.st_mode)) return ok();
  auto dfd = TRY(open_at(fd.get(), ".", O_RDONLY | O_DIRECTORY));
  return w.dir(dfd.get(), r);
}

Status BuildContext::walk(std::string_view rel,
                          const std::function<Result<WalkAction>(const ContextEntry&)>& visit) const {
  if (!has_dir()) return fail(kNotFound, fmt::format("\"{}\": not found: there is no build context", rel));
  return walk_impl(root_.get(), ignore_, rel,
                   [&](const ContextEntry& e, int, const char*) { return visit(e); });
}

Result<std::vector<SourceMatch>> BuildContext::resolve_source(std::string_view source,
                                                              bool allow_empty_wildcard) const {
  if (!has_dir())
    return fail(kNotFound, fmt::format("\"{}\": not found: the build has no context (the Dockerfile "
                                       "came from stdin); give a context directory to COPY from", source));
  std::string r = rel_clean(source);
  auto stat_followed = [&](const std::string& p) -> Result<ContextEntry> {
    auto fd = open_in_root(root_.get(), p.empty() ? "/" : p, O_PATH);
    if (!fd) {
      if (fd.error().code == ENOENT || fd.error().code == ELOOP) return stat(p);  // dangling link
      return fd.error();
    }
    struct stat st;
    if (fstat(fd->get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", p));
    return entry_from_stat(p, st);
  };
  auto visible = [&](const std::string& p, const ContextEntry& e) {
    if (p.empty() || !ignore_.excluded(p)) return true;
    return S_ISDIR(e.mode) && ignore_.may_include_below(p);
  };
  std::vector<SourceMatch> out;
  if (!has_wildcards(r)) {
    auto e = stat_followed(r);
    if (!e && r.find('\\') != std::string::npos) {
      // "a\*b" names "a*b" (the escape kept the '*' from being a wildcard).
      std::string lit;
      for (size_t k = 0; k < r.size(); ++k) {
        if (r[k] == '\\' && k + 1 < r.size()) ++k;
        lit.push_back(r[k]);
      }
      auto e2 = stat_followed(lit);
      if (e2) {
        r = lit;
        e = std::move(e2);
      }
    }
    if (!e) {
      if (e.error().code == ENOENT || e.error().code == ENOTDIR)
        return fail(kNotFound, fmt::format("\"/{}\": not found in the build context", r));
      return fail(wrap(std::move(e).error(), fmt::format("\"/{}\"", r)));
    }
    if (!visible(r, *e))
      return fail(kNotFound, fmt::format("\"/{}\": not found in the build context (it is excluded by "
                                         ".dockerignore)", r));
    out.push_back({std::string(source), r, std::move(*e)});
    return out;
  }
  std::vector<std::string> comps = split(r, '/');
  std::vector<std::string> cands = {""};
  for (size_t i = 0; i < comps.size(); ++i) {
    const bool last = i + 1 == comps.size();
    std::vector<std::string> next;
    for (const auto& cand : cands) {
      if (!has_wildcards(comps[i])) {
        std::string p = join_rel(cand, comps[i]);
        // Unescape a literal component ("a\*b" names "a*b").
        std::string lit;
        for (size_t k = 0; k < p.size(); ++k) {
          if (p[k] == '\\' && k + 1 < p.size()) ++k;
          lit.push_back(p[k]);
        }
        auto e = stat_followed(lit);
        if (e && (last || S_ISDIR(e->mode))) next.push_back(lit);
        continue;
      }
      auto dfd = open_in_root(root_.get(), cand.empty() ? "/" : cand, O_RDONLY | O_DIRECTORY);
      if (!dfd) continue;
      auto names = TRY(sorted_names(dfd->get()));
      for (const auto& n : names) {
        bool m = TRY_CTX(path_match(comps[i], n), "COPY source \"{}\"", source);
        if (!m) continue;
        std::string p = join_rel(cand, n);
        if (!last) {
          auto e = stat_followed(p);
          if (!e || !S_ISDIR(e->mode)) continue;
        }
        next.push_back(p);
      }
    }
    cands = std::move(next);
  }
  for (const auto& p : cands) {
    auto e = TRY(stat_followed(p));
    if (!visible(p, e)) continue;
    out.push_back({std::string(source), p, std::move(e)});
  }
  if (out.empty() && !allow_empty_wildcard)
    return fail(kNotFound, fmt::format("\"/{}\": no file in the build context matches this pattern", r));
  return out;
}

namespace {

// One regular file whose contents the hash needs.
struct FileJob {
  std::string path;     ///< context-relative
  uint64_t size = 0;
  bool follow = false;  ///< the source itself (a symlink source is followed, in the root)
  unsigned char digest[32] = {};
};

Status hash_file(int rootfd, FileJob& j, std::vector<char>& buf) {
  const int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK;
  auto fd = TRY_CTX(j.follow ? open_in_root(rootfd, j.path, flags) : open_in_root_nofollow(rootfd, j.path, flags),
                    "build context file");
  Sha256 h = TRY(Sha256::make());
  uint64_t left = j.size;
  while (left > 0) {
    size_t n = TRY_CTX(read_some(fd.get(), buf.data(), std::min<uint64_t>(left, buf.size())),
                       "read build context file `{}`", j.path);
    if (n == 0) break;
    h.update(buf.data(), n);
    left -= n;
  }
  if (left > 0) return fail(kConflict, fmt::format("build context file `{}` changed while it was read", j.path));
  h.finish(j.digest);
  return ok();
}

// Hashes the files' contents, on several threads when there are many (the walk is one
// thread; reading thousands of small files is where the time goes).
Status hash_files(int rootfd, std::vector<FileJob>& jobs) {
  unsigned n = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  if (jobs.size() < 64) n = 1;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Error first;
  auto work = [&]() {
    std::vector<char> buf(64 * 1024);
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      auto st = hash_file(rootfd, jobs[i], buf);
      if (!st) {
        std::lock_guard<std::mutex> l(mu);
        if (!failed.exchange(true)) first = std::move(st).error();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (failed) return fail(std::move(first));
  return ok();
}

}  // namespace

Result<std::string> BuildContext::hash_sources(const std::vector<std::string>& paths) const {
  if (!has_dir()) return fail(kNotFound, "there is no build context to hash");
  Sha256 h = TRY(Sha256::make());  // loads the plugin before any thread needs it
  // Records in walk order; a regular file's record is followed by its content digest.
  struct Item {
    std::string rec;
    ssize_t job = -1;
  };
  std::vector<Item> items;
  std::vector<FileJob> jobs;
  for (const auto& src : paths) {
    std::string top = rel_clean(src);
    // The source's own name counts (a wildcard matching a renamed file must miss the cache);
    // names below it are relative to it.
    Item head;
    head.rec = "S" + top;
    head.rec.push_back('\0');
    items.push_back(std::move(head));
    TRY(walk_impl(root_.get(), ignore_, top, [&](const ContextEntry& e, int, const char* name) -> Result<WalkAction> {
      std::string_view rel = std::string_view(e.path).substr(std::min(e.path.size(), top.size()));
      if (!rel.empty() && rel[0] == '/') rel.remove_prefix(1);
      Item it;
      std::string& rec = it.rec;
      rec.reserve(rel.size() + e.link_target.size() + 32);
      rec.push_back('E');
      rec.append(rel);
      rec.push_back('\0');
      rec += fmt::format("{:o}", uint32_t(e.mode));
      rec.push_back('\0');
      rec += std::to_string(e.size);
      rec.push_back('\0');
      rec.append(e.link_target);
      rec.push_back('\0');
      if (S_ISREG(e.mode) && e.size > 0 && name) {
        FileJob j;
        j.path = e.path;
        j.size = e.size;
        j.follow = name[0] == 0;
        it.job = ssize_t(jobs.size());
        jobs.push_back(std::move(j));
      }
      items.push_back(std::move(it));
      return WalkAction::Continue;
    }));
  }
  TRY(hash_files(root_.get(), jobs));
  for (const auto& it : items) {
    h.update(it.rec);
    if (it.job >= 0) h.update(jobs[size_t(it.job)].digest, 32);
  }
  return "sha256:" + h.hex();
}

Result<std::string> BuildContext::hash_copy_sources(const std::vector<std::string>& sources) const {
  std::string all;
  for (const auto& src : sources) {
    auto matches = TRY(resolve_source(src, true));
    std::vector<std::string> paths;
    for (const auto& m : matches) paths.push_back(m.path);
    all += fmt::format("{} {}\n", src.size(), src);
    all += TRY(hash_sources(paths));
    all.push_back('\n');
  }
  return TRY(sha256_digest(all));
}

// ---- the Dockerfile ---------------------------------------------------------------------------

Result<DockerfileSource> find_dockerfile(std::string_view context_dir, std::string_view file_flag, int stdin_fd) {
  DockerfileSource d;
  if (file_flag == "-") {
    d.text = TRY_CTX(read_all(stdin_fd), "read the Dockerfile from stdin");
    d.name = "Dockerfile";
    return d;
  }
  if (!context_dir.empty()) {
    if (auto in = extracted_prefix(context_dir); in && in->second.empty()) {
      // A context extracted from a tar: -f names a file inside it, read inside it.
      auto ctx = TRY(BuildContext::open_dir(in->first));
      auto r = TRY(find_dockerfile_in(ctx, file_flag, stdin_fd));
      r.path = in->first + "/" + r.context_path;  // for load_ignore(), which reads inside too
      return r;
    }
  }
  if (!file_flag.empty()) {
    auto t = read_file(file_flag);
    if (!t && t.error().code == ENOENT && !context_dir.empty() && file_flag[0] != '/') {
      // Podman also looks for a relative -f inside the context.
      std::string p = fmt::format("{}/{}", context_dir, file_flag);
      auto t2 = read_file(p);
      if (t2) {
        d.text = std::move(*t2);
        d.path = p;
        d.name = std::string(file_flag);
        return d;
      }
    }
    if (!t) {
      if (t.error().code == ENOENT)
        return fail(kNotFound, fmt::format("the Dockerfile \"{}\" does not exist", file_flag));
      if (t.error().code == EISDIR)
        return fail(kInvalid, fmt::format("the Dockerfile \"{}\" is a directory (-f names a file)", file_flag));
      return fail(wrap(std::move(t).error(), fmt::format("read the Dockerfile \"{}\"", file_flag)));
    }
    d.text = std::move(*t);
    d.path = std::string(file_flag);
    auto slash = file_flag.rfind('/');
    d.name = std::string(slash == std::string_view::npos ? file_flag : file_flag.substr(slash + 1));
    return d;
  }
  if (context_dir.empty())
    return fail(kInvalid, "no Dockerfile: give one with -f, or a context directory that holds a "
                          "Dockerfile or Containerfile");
  for (const char* n : {"Dockerfile", "Containerfile", "dockerfile", "containerfile"}) {
    std::string p = fmt::format("{}/{}", context_dir, n);
    auto t = read_file(p);
    if (t) {
      d.text = std::move(*t);
      d.path = p;
      d.name = n;
      return d;
    }
    if (t.error().code != ENOENT)
      return fail(wrap(std::move(t).error(), fmt::format("read the Dockerfile \"{}\"", p)));
  }
  return fail(kNotFound, fmt::format("cannot find a Dockerfile or Containerfile in the build context "
                                     "\"{}\" (name one with -f)", context_dir));
}

Result<DockerfileSource> find_dockerfile_in(const BuildContext& ctx, std::string_view file_flag, int stdin_fd) {
  if (file_flag == "-" || !ctx.has_dir()) return find_dockerfile("", file_flag, stdin_fd);
  auto read_in = [&](std::string_view rel) -> Result<std::string> {
    auto fd = TRY(ctx.open(rel, O_RDONLY | O_NOCTTY | O_NONBLOCK));
    struct stat st;
    if (fstat(fd.get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", rel));
    if (S_ISDIR(st.st_mode)) return fail(EISDIR, "is a directory");
    if (!S_ISREG(st.st_mode)) return fail(kInvalid, "not a regular file");
    return read_all(fd.get());
  };
  DockerfileSource d;
  if (!file_flag.empty()) {
    auto t = read_in(file_flag);
    if (!t) {
      if (t.error().code == ENOENT)
        return fail(kNotFound, fmt::format("the Dockerfile \"{}\" does not exist in the build context", file_flag));
      return fail(wrap(std::move(t).error(), fmt::format("read the Dockerfile \"{}\" in the build context", file_flag)));
    }
    d.text = std::move(*t);
    auto slash = file_flag.rfind('/');
    d.name = std::string(slash == std::string_view::npos ? file_flag : file_flag.substr(slash + 1));
    d.context_path = rel_clean(file_flag);
    return d;
  }
  for (const char* n : {"Dockerfile", "Containerfile", "dockerfile", "containerfile"}) {
    auto t = read_in(n);
    if (t) {
      d.text = std::move(*t);
      d.name = n;
      d.context_path = n;
      return d;
    }
    if (t.error().code != ENOENT)
      return fail(wrap(std::move(t).error(), fmt::format("read the Dockerfile \"{}\" in the build context", n)));
  }
  return fail(kNotFound, "cannot find a Dockerfile or Containerfile in the build context (name one with -f)");
}

Result<StdinInput> read_stdin_input(int fd, std::string_view tmpdir) {
  StdinInput in;
  std::string head = TRY_CTX(read_head(fd, 512), "read stdin");
  if (head.starts_with("BZh") || head.starts_with("\xFD" "7zXZ"))
    return fail(kUnsupported, fmt::format("the build context on stdin is compressed with {}, which skiff "
                                          "does not read: send it uncompressed, gzip or zstd",
                                          head[0] == 'B' ? "bzip2" : "xz"));
  if (looks_like_tar(head)) {
    in.context = TRY(BuildContext::from_tar_fd(fd, std::move(head), tmpdir));
    return in;
  }
  std::string rest = TRY_CTX(read_all(fd), "read the Dockerfile from stdin");
  DockerfileSource d;
  d.text = head + rest;
  d.name = "Dockerfile";
  in.dockerfile = std::move(d);
  return in;
}

}  // namespace skiff::build
