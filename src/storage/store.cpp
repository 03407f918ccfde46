// Store: opening (version, driver, id mapping), the store lock, staging slots and the sweep.
#include "skiff/storage/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/userns.hpp"
#include "store_impl.hpp"

namespace skiff::storage {

std::string_view driver_name(Driver d) { return d == Driver::Overlay ? "overlay" : "vfs"; }

Result<Driver> parse_driver(std::string_view name) {
  if (name == "overlay" || name == "overlay2") return Driver::Overlay;
  if (name == "vfs") return Driver::Vfs;
  return fail(kInvalid, fmt::format("unknown storage driver `{}` (supported: overlay, vfs)", name));
}

Result<std::string> chain_id_of(std::string_view parent_chain_id, std::string_view diff_id) {
  if (!detail::valid_digest(diff_id)) return fail(kInvalid, fmt::format("invalid diff ID `{}`", diff_id));
  if (parent_chain_id.empty()) return std::string(diff_id);
  if (!detail::valid_digest(parent_chain_id))
    return fail(kInvalid, fmt::format("invalid chain ID `{}`", parent_chain_id));
  return sha256_digest(fmt::format("{} {}", parent_chain_id, diff_id));
}

namespace detail {

bool valid_digest(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  for (char c : d.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> escape_name(std::string_view name) {
  if (name.empty()) return fail(kInvalid, "empty image name");
  std::string out;
  for (char c : name) {
    if (c == '%') out += "%25";
    else if (c == '/') out += "%2F";
    else if (c == '\0' || c == '\n') return fail(kInvalid, "image name with a control character");
    else out += c;
  }
  if (out.size() > 255) return fail(ENAMETOOLONG, fmt::format("image name `{}` is too long", name));
  if (out[0] == '.') return fail(kInvalid, fmt::format("invalid image name `{}`", name));
  return out;
}

std::string unescape_name(std::string_view file) {
  std::string out;
  out.reserve(file.size());
  for (size_t i = 0; i < file.size(); ++i) {
    char c = file[i];
    if (c == '%' && i + 2 < file.size() && file[i + 1] == '2' && (file[i + 2] == '5' || file[i + 2] == 'F')) {
      out += file[i + 2] == '5' ? '%' : '/';
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void emit_warning(const StoreOptions& o, std::string_view msg) {
  if (o.hooks.warn) o.hooks.warn(msg);
  else log::warn("{}", msg);
}

Result<FileLock> lock_store(int rootfd) {
  auto fd = TRY(open_at(rootfd, "store.lock", O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  for (;;) {
    if (flock(fd.get(), LOCK_EX) == 0) break;
    if (errno == EINTR) continue;
    return fail_errno("lock `store.lock`");
  }
  return FileLock(std::move(fd));
}

Result<StagingSlot> new_slot(int rootfd, std::string_view prefix, bool make_dir) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = fmt::format("staging/{}{}", prefix, random_hex(8));
    std::string lock = name + ".lock";
    int raw = openat(rootfd, lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw < 0) {
      if (errno == EEXIST) continue;
      return fail_errno(fmt::format("create `{}`", lock));
    }
    UniqueFd fd(raw);
    if (flock(fd.get(), LOCK_EX | LOCK_NB) < 0) continue;  // a sweeper holds it: it is going away
    // A sweeper may have taken the lock and unlinked the file between our open and flock.
    struct stat st;
    if (fstat(fd.get(), &st) < 0 || st.st_nlink == 0) continue;
    if (make_dir && mkdirat(rootfd, name.c_str(), 0700) < 0) {
      int e = errno;
      (void)unlinkat(rootfd, lock.c_str(), 0);
      return fail_errno(fmt::format("mkdir `{}`", name), e);
    }
    return StagingSlot{std::move(name), FileLock(std::move(fd))};
  }
  return fail(EAGAIN, "cannot allocate a staging directory");
}

Status remove_trees(int rootfd, const IdMap& map, const std::vector<std::string>& paths) {
  if (paths.empty()) return ok();
  auto work = [&]() -> Status {
    raise_nofile_limit();
    Status first;
    for (auto& p : paths)
      if (auto st = remove_tree_at(rootfd, p); !st && first) first = st;
    return first;
  };
  // Rootful: still a worker, so a deep tree's fds are not this process's problem.
  return run_in_userns(map, work);
}

Status discard_slots(int rootfd, const IdMap& map, std::vector<StagingSlot>& slots) {
  std::vector<std::string> paths;
  for (auto& s : slots) paths.push_back(s.name);
  Status st = remove_trees(rootfd, map, paths);
  for (auto& s : slots) {
    if (st) (void)unlinkat(rootfd, (s.name + ".lock").c_str(), 0);
    s.lock.release();
  }
  slots.clear();
  return st;
}

Status discard_own_slots(int rootfd, std::vector<StagingSlot>& slots) {
  Status first;
  for (auto& s : slots) {
    Status st = remove_tree_at(rootfd, s.name);
    if (st) (void)unlinkat(rootfd, (s.name + ".lock").c_str(), 0);
    else if (first) first = st;
    s.lock.release();
  }
  slots.clear();
  return first;
}

Status sweep_staging(int rootfd, const IdMap& map) {
  auto names = list_dir_at(rootfd, "staging");
  if (!names) return names.error().code == ENOENT ? ok() : Status(names.error());
  std::vector<std::string> trees;
  std::vector<FileLock> held;
  std::vector<std::string> locks;
  auto has = [&](const std::string& n) {
    return std::find(names->begin(), names->end(), n) != names->end();
  };
  for (auto& n : *names) {
    std::string path = "staging/" + n;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".lock") == 0) {
      auto fd = open_at(rootfd, path, O_RDWR | O_NOFOLLOW);
      if (!fd) continue;
      if (flock(fd->get(), LOCK_EX | LOCK_NB) < 0) continue;  // in use by a live process
      std::string slot = path.substr(0, path.size() - 5);
      if (has(n.substr(0, n.size() - 5))) trees.push_back(slot);
      locks.push_back(path);
      held.emplace_back(std::move(*fd));
    } else if (!has(n + ".lock")) {
      trees.push_back(path);  // a slot whose lock file is gone (or a stray file)
    }
  }
  for (auto& t : trees) log::debug("store: removing staging leftover `{}`", t);
  Status st = remove_trees(rootfd, map, trees);
  if (st)
    for (auto& l : locks) (void)unlinkat(rootfd, l.c_str(), 0);
  // Temp names of an interrupted set_name().
  if (auto nn = list_dir_at(rootfd, "names/images"))
    for (auto& n : *nn)
      if (n.starts_with(".tmp-")) (void)unlinkat(rootfd, ("names/images/" + n).c_str(), 0);
  return st;
}

}  // namespace detail

namespace {

using namespace detail;

Status init_layout(int rootfd) {
  for (const char* d : {"layers", "l", "images", "names", "names/images", "staging"})
    if (mkdirat(rootfd, d, 0700) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}`", d));
  return ok();
}

Result<std::string> read_small(int rootfd, const char* name) {
  auto s = TRY(read_file_at(rootfd, name, 4096));
  return std::string(trim(s));
}

}  // namespace

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const Paths& paths, std::string_view driver_override, bool create) {
  StoreOptions o;
  o.graph_root = paths.graph_root;
  o.driver_override = std::string(driver_override);
  o.create = create;
  return open(std::move(o));
}

Result<std::unique_ptr<Store>> Store::open(StoreOptions opts) {
  if (opts.graph_root.empty()) return fail(EINVAL, "store: no graph root");
  std::unique_ptr<Store> s(new Store(std::move(opts)));
  StoreOptions& o = s->opts_;
  std::string what = fmt::format("store `{}`", o.graph_root);
  if (o.idmap) s->map_ = *o.idmap;
  else s->map_ = TRY_CTX(idmap_for_current_user(), "{}", what);
  std::optional<Driver> wanted;
  if (!o.driver_override.empty()) wanted = TRY(parse_driver(o.driver_override));

  if (o.create) TRY_CTX(mkdir_p(o.graph_root, 0700), "{}", what);
  auto root = open_path(o.graph_root, O_RDONLY | O_DIRECTORY);
  if (!root) {
    if (root.error().code == ENOENT && !o.create) return s;  // empty, read-only
    return wrap(root.error(), what);
  }
  s->root_ = std::move(*root);
  int rootfd = s->root_.get();
  // An absolute, symlink-free path: mount options and workers use it after unshare().
  if (char* real = realpath(o.graph_root.c_str(), nullptr)) {
    o.graph_root = real;
    free(real);
  }

  FileLock lock;
  if (o.create) lock = TRY_CTX(lock_store(rootfd), "{}", what);
  auto version = read_small(rootfd, "VERSION");
  if (!version) {
    if (version.error().code != ENOENT) return wrap(version.error(), what);
    if (!o.create) {  // never initialised (or a crash during initialisation): empty
      s->root_.reset();
      return s;
    }
    // A new store: layout, driver, id mapping, and VERSION last.
    TRY_CTX(init_layout(rootfd), "{}", what);
    if (wanted) {
      s->driver_ = *wanted;
      if (*wanted == Driver::Overlay) {
        std::string why;
        if (probe_driver(rootfd, o.graph_root, s->map_, why) != Driver::Overlay)
          return fail(kUnsupported, fmt::format("{}: storage driver overlay is not supported here: {}", what, why));
      }
    } else {
      std::string why;
      s->driver_ = probe_driver(rootfd, o.graph_root, s->map_, why);
      if (s->driver_ == Driver::Vfs) log::info("store: native overlay unavailable ({}), using vfs", why);
    }
    TRY_CTX(write_file_atomic_at(rootfd, "driver", std::string(driver_name(s->driver_)) + "\n", 0600), "{}", what);
    TRY_CTX(write_file_atomic_at(rootfd, "idmap", s->map_.fingerprint() + "\n", 0600), "{}", what);
    TRY_CTX(write_file_atomic_at(rootfd, "VERSION", std::string(kVersion) + "\n", 0600), "{}", what);
    return s;
  }
  if (*version != kVersion)
    return fail(kUnsupported, fmt::format("{} has format version {}; this skiff reads version {}", what,
                                          *version, kVersion));
  auto dname = TRY_CTX(read_small(rootfd, "driver"), "{}", what);
  s->driver_ = TRY_CTX(parse_driver(dname), "{}", what);
  if (wanted && *wanted != s->driver_)
    return fail(kConflict, fmt::format("{} was created with the {} storage driver; it cannot switch to {} "
                                       "(remove the store with `skiff system reset` to change it)",
                                       what, driver_name(s->driver_), driver_name(*wanted)));
  if (o.check_idmap) {
    auto fp = TRY_CTX(read_small(rootfd, "idmap"), "{}", what);
    if (fp != s->map_.fingerprint())
      return fail(kConflict, fmt::format("{}: the user id mapping changed since its layers were extracted "
                                         "(/etc/subuid or /etc/subgid was edited): run `skiff system migrate`",
                                         what));
  }
  if (o.create) {
    TRY_CTX(init_layout(rootfd), "{}", what);  // a store from a crash mid-initialisation
    TRY_CTX(sweep_staging(rootfd, s->map_), "{}: sweep staging", what);
  }
  return s;
}

}  // namespace skiff::storage
