// Podman's create/run options (include/skiff/engine/podman.hpp).
#include "skiff/engine/podman.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "skiff/storage/store.hpp"
#include "skiff/util/strings.hpp"

extern char** environ;

namespace skiff::engine {

Status podman_userns(const Engine& e, const PodmanCreate& p, ContainerRecord& r);

namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
  auto k = kv.substr(0, kv.find('='));
  for (auto& e : env)
    if (e.substr(0, e.find('=')) == k) {
      e = kv;
      return;
    }
  env.push_back(kv);
}

}  // namespace

Status podman_env(const PodmanCreate& p, std::vector<std::string>& env) {
  static const char* kProxy[] = {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
                                 "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY"};
  if (p.env_host) {
    for (char** e = environ; e && *e; ++e) set_env(env, *e);
  } else if (p.http_proxy) {
    for (auto* k : kProxy)
      if (const char* v = getenv(k)) set_env(env, fmt::format("{}={}", k, v));
  }
  if (!p.tz.empty()) {
    std::string tz = p.tz;
    if (tz == "local") {
      char buf[4096];
      ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
      std::string link = n > 0 ? std::string(buf, size_t(n)) : "";
      auto at = link.find("zoneinfo/");
      tz = at == std::string::npos ? "UTC" : link.substr(at + 9);
    }
    if (tz.find("..") != std::string::npos || tz.front() == '/' || access(("/usr/share/zoneinfo/" + tz).c_str(), R_OK) != 0)
      return fail(kInvalid, fmt::format("invalid --tz {}: no such time zone in /usr/share/zoneinfo", go_quote(p.tz)));
    set_env(env, "TZ=" + tz);
  }
  return ok();
}

Status podman_record(const Engine& e, const PodmanCreate& p, ContainerRecord& r) {
  ContainerExtra& x = r.extra;
  std::vector<std::string> reqs;
  for (auto& list : p.requires_)
    for (auto& ref : split(list, ',')) {
      if (ref.empty()) continue;
      auto c = find_container(e, ref);
      if (!c) return fail(kNotFound, fmt::format("--requires {}: no such container", ref));
      reqs.push_back(c->rec.id);
    }
  if (!reqs.empty()) x.requires_ = reqs;
  if (!p.annotations.empty()) {
    Json ann = Json::object();
    for (auto& a : p.annotations) {
      auto [k, v] = split_once(a, '=');
      if (k.empty()) return fail(kInvalid, fmt::format("invalid --annotation {}: want KEY=VALUE", go_quote(a)));
      ann[std::string(k)] = std::string(v.value_or(""));
    }
    r.host_config["Annotations"] = ann;
  }
  if (!p.tz.empty()) x.timezone = p.tz;
  if (!p.attach.empty()) {  // Config.AttachStd*: the streams a run attaches
    auto has = [&](const char* s) { return std::find(p.attach.begin(), p.attach.end(), s) != p.attach.end(); };
    r.config.attach_stdin = has("stdin");
    r.config.attach_stdout = has("stdout");
    r.config.attach_stderr = has("stderr");
  }
  if (p.timeout < 0) return fail(kInvalid, fmt::format("invalid --timeout {}: seconds, 0 or more", p.timeout));
  if (p.timeout > 0) r.config.timeout = p.timeout;  // Podman's inspect field
  if (p.keep_groups) {
    if (!e.idmap().userns)
      return fail(kInvalid, "--group-add keep-groups is only supported rootless (as root there are no groups to keep)");
    if (e.idmap().single)
      return fail(kInvalid, fmt::format("--group-add keep-groups needs subordinate ids: {}", e.idmap().source));
    if (r.host_config.contains("GroupAdd") && r.host_config["GroupAdd"].is_array())
      return fail(kInvalid, "the '--group-add keep-groups' option is not allowed with any other --group-add options");
    x.keep_groups = true;
  }
  return podman_userns(e, p, r);
}

std::vector<std::string> dependents_of(const Engine& e, const std::string& id) {
  std::vector<std::string> out;
  auto list = list_containers(e);
  if (!list) return out;
  for (auto& c : *list) {
    if (c.rec.id == id) continue;
    auto full = find_container(e, c.rec.id);
    if (!full) continue;
    const auto& reqs = full->rec.extra.requires_;
    if (std::find(reqs.begin(), reqs.end(), id) != reqs.end()) out.push_back(c.rec.id);
  }
  return out;
}

}  // namespace skiff::engine

// ---- --userns ------------------------------------------------------------------------------

#include <dirent.h>
#include <pwd.h>
#include <grp.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "skiff/util/copy.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/userns.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::engine {

namespace {

// Container id k of the keep-id mapping → host id, in terms of the store mapping's container
// ids: k < id → k+1, k == id → 0 (the user), k > id → k.
std::vector<IdRange> keep_ranges(const std::vector<IdRange>& m, uint32_t id) {
  std::vector<IdRange> out;
  for (auto& r : m) {
    // Split r at store ids 1 and id+1: [c, c+size).
    uint64_t c = r.container_id, end = uint64_t(r.container_id) + r.size;
    while (c < end) {
      uint64_t h = r.host_id + (c - r.container_id);
      if (c == 0) {
        out.push_back({id, uint32_t(h), 1});
        c = 1;
      } else if (c <= id) {
        uint64_t stop = std::min<uint64_t>(end, uint64_t(id) + 1);
        out.push_back({uint32_t(c - 1), uint32_t(h), uint32_t(stop - c)});
        c = stop;
      } else {
        out.push_back({uint32_t(c), uint32_t(h), uint32_t(end - c)});
        c = end;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.container_id < b.container_id; });
  return out;
}

uint32_t shift_owner(uint32_t k, uint32_t id) { return k < id ? k + 1 : k == id ? 0 : k; }

// Maps the owners of a small tree the CLI made (the init layer's stubs) as the copy does.
Status shift_tree(int dirfd, const OwnerMap& map) {
  struct stat st;
  if (fstat(dirfd, &st) < 0) return fail_errno("stat");
  uid_t u = st.st_uid;
  gid_t g = st.st_gid;
  map(u, g);
  if (fchown(dirfd, u, g) < 0) return fail_errno("chown");
  (void)fchmod(dirfd, st.st_mode & 07777);
  auto d = TRY(Dir::dup_of(dirfd));
  Status result = ok();
  while (struct dirent* de = d.next()) {
    std::string n = de->d_name;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      result = shift_tree(sub, map);
      close(sub);
      if (!result) break;
    } else {
      uid_t fu = st.st_uid;
      gid_t fg = st.st_gid;
      map(fu, fg);
      (void)fchownat(dirfd, n.c_str(), fu, fg, AT_SYMLINK_NOFOLLOW);
      if (!S_ISLNK(st.st_mode)) (void)fchmodat(dirfd, n.c_str(), st.st_mode & 07777, 0);
    }
  }
  return result;
}

}  // namespace

Result<IdMap> keep_id_map(const IdMap& m, uint32_t uid, uint32_t gid) {
  if (!m.userns) return fail(kInvalid, "--userns=keep-id is only supported in rootless mode (as root, ids are the host's already)");
  if (m.single)
    return fail(kInvalid, fmt::format("--userns=keep-id needs subordinate ids (/etc/subuid and /etc/subgid): {}", m.source));
  if (m.uid_count() <= uid || m.gid_count() <= gid)
    return fail(kInvalid, fmt::format("--userns=keep-id: uid {} / gid {} lie beyond the subordinate ranges "
                                      "({} uids, {} gids): use keep-id:uid=N,gid=N with smaller ids",
                                      uid, gid, m.uid_count() - 1, m.gid_count() - 1));
  IdMap k = m;
  k.uids = keep_ranges(m.uids, uid);
  k.gids = keep_ranges(m.gids, gid);
  k.source = m.source + " (keep-id)";
  return k;
}

IdMap container_idmap(const Engine& e, const ContainerRecord& r) {
  if (auto m = recorded_idmap(e, r)) return *m;
  const Json& u = r.extra.userns;
  if (json_str(u, "mode") != "keep-id") return e.idmap();
  auto k = keep_id_map(e.idmap(), uint32_t(json_int(u, "uid")), uint32_t(json_int(u, "gid")));
  return k ? *k : e.idmap();
}

// Parses --userns into extra.userns; keep-id also sets the process user.
Status podman_userns(const Engine& e, const PodmanCreate& p, ContainerRecord& r) {
  if (!p.uidmap.empty() || !p.gidmap.empty() || !p.subuidname.empty() || !p.subgidname.empty()) {
    if (!p.userns.empty())
      return fail(kInvalid, "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
    return idmap_record(e, p, r);
  }
  if (p.userns.empty() || p.userns == "host") return ok();
  auto [mode, opts] = split_once(p.userns, ':');
  if (mode == "keep-id") {
    uint32_t uid = getuid(), gid = getgid();
    for (auto& kv : split(opts.value_or(""), ',')) {
      if (kv.empty()) continue;
      auto [k, v] = split_once(kv, '=');
      auto n = parse_uint(v.value_or(""));
      if ((k != "uid" && k != "gid") || !n || *n > 0xfffffffeull)
        return fail(kInvalid, fmt::format("invalid --userns {}: keep-id takes uid=N and gid=N", go_quote(p.userns)));
      (k == "uid" ? uid : gid) = uint32_t(*n);
    }
    TRY(keep_id_map(e.idmap(), uid, gid));
    if (r.driver != storage::Driver::Overlay)
      return fail(kUnsupported, "--userns=keep-id needs the overlay storage driver (this store uses vfs)");
    Json u = Json::object();
    u["mode"] = "keep-id";
    u["uid"] = uid;
    u["gid"] = gid;
    struct passwd* pw = getpwuid(getuid());
    u["name"] = pw ? pw->pw_name : "user";
    u["home"] = pw && pw->pw_dir ? pw->pw_dir : "/";
    if (!p.passwd_entry.empty()) u["passwdEntry"] = p.passwd_entry;
    r.extra.userns = u;
    if (!p.user_given) r.config.user = fmt::format("{}:{}", uid, gid);
    r.host_config["UsernsMode"] = p.userns;
    return ok();
  }
  if (mode == "auto" || mode == "nomap" || mode == "ns" || mode == "private")
    return fail(kUnsupported, fmt::format("--userns={} is not available in skiff: use keep-id or host", mode));
  return fail(kInvalid, fmt::format("invalid --userns {}: use keep-id[:uid=N,gid=N] or host", go_quote(p.userns)));
}

Status copy_image_mapped(const Engine& e, ContainerRecord& r, const std::string& sub, const OwnerMap& map,
                         const std::function<Status(int)>& extra) {
  std::vector<std::string> lowers = r.extra.layer_dirs;
  if (lowers.empty()) return fail(kInvalid, "the container has no layers");
  std::string init = lowers.front();
  std::vector<std::string> image(lowers.begin() + 1, lowers.end());
  std::string cdir = e.container_dir(r.id), graph = e.graph();
  std::string dst = cdir + "/" + sub;
  bool userns = e.idmap().userns;
  if (mkdir(dst.c_str(), 0755) < 0) return fail_errno("create the container's copy of the image");
  auto work = [&]() -> Status {
    // Rootful: no user namespace (and so no mount namespace) of its own yet.
    if (!userns && unshare(CLONE_NEWNS) < 0) return fail_errno("unshare a mount namespace");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return fail_errno("make / private");
    if (chdir(graph.c_str()) < 0) return fail_errno(fmt::format("chdir `{}`", graph));
    std::string src;
    if (image.size() == 1) {
      src = graph + "/" + image[0];
    } else if (image.size() > 1) {
      src = cdir + "/merged";
      std::string data = "lowerdir=" + join(image, ":") + (userns ? ",userxattr" : "");
      if (mount("overlay", src.c_str(), "overlay", MS_RDONLY, data.c_str()) < 0)
        return fail_errno("mount the image's layers");
    }
    auto d = TRY(open_path(dst, O_RDONLY | O_DIRECTORY));
    if (!src.empty()) {
      auto s = TRY(open_path(src, O_RDONLY | O_DIRECTORY));
      CopyOptions co;
      co.skip_devices = true;
      co.map_owner = map;
      TRY(copy_tree_at(s.get(), d.get(), co));
      uid_t u = 0;
      gid_t g = 0;
      map(u, g);
      (void)fchown(d.get(), u, g);
    }
    // The container's own directories the CLI made (owned by root of the store's mapping)
    // get the owners they have under the container's mapping: root of the container stays root.
    for (const char* s : {"/init", "/upper", "/work"}) {
      auto fd = TRY(open_path(cdir + s, O_RDONLY | O_DIRECTORY));
      TRY_CTX(shift_tree(fd.get(), map), "map the owners of {}", s + 1);
    }
    return extra ? extra(d.get()) : ok();
  };
  TRY(run_in_userns(e.idmap(), work));
  std::vector<std::string> nl{init, "containers/" + r.id + "/" + sub};
  r.extra.layer_dirs = nl;
  return ok();
}

Status podman_prepare_rootfs(const Engine& e, ContainerRecord& r) {
  if (r.host_config.contains("IDMappings")) return idmap_prepare_rootfs(e, r);
  const Json& u = r.extra.userns;
  if (json_str(u, "mode") != "keep-id") return ok();
  uint32_t uid = uint32_t(json_int(u, "uid")), gid = uint32_t(json_int(u, "gid"));
  std::string name = json_str(u, "name"), home = json_str(u, "home");
  auto passwd = [&](int root) -> Status {
    // The user's entry in /etc/passwd (and the group in /etc/group), as Podman adds them.
    auto add_line = [&](const char* file, uint32_t id, const std::string& line) -> Status {
      auto f = open_in_root(root, file, O_RDWR);
      if (!f) return ok();  // no such file in the image: nothing to extend
      std::string text;
      char buf[8192];
      ssize_t n;
      while ((n = read(f->get(), buf, sizeof buf)) > 0) text.append(buf, size_t(n));
      for (auto& l : split(text, '\n')) {
        auto f3 = split(l, ':');
        if (f3.size() > 2 && f3[2] == std::to_string(id)) return ok();
      }
      std::string add = (text.empty() || text.back() == '\n' ? "" : "\n") + line + "\n";
      if (lseek(f->get(), 0, SEEK_END) < 0 || !write_all(f->get(), add)) return fail_errno(fmt::format("extend /{}", file));
      return ok();
    };
    std::string entry = json_str(u, "passwdEntry");
    if (entry.empty()) {
      entry = fmt::format("{}:*:{}:{}:{}:{}:/bin/sh", name, uid, gid, name, home);
    } else {  // Podman's variables
      for (auto [k, v] : {std::pair<std::string, std::string>{"$USERNAME", name}, {"$UID", std::to_string(uid)},
                          {"$GID", std::to_string(gid)}, {"$NAME", name}, {"$HOME", home}})
        for (size_t at = entry.find(k); at != std::string::npos; at = entry.find(k, at + v.size())) entry.replace(at, k.size(), v);
    }
    if (entry.find('\n') != std::string::npos) return fail(kInvalid, "--passwd-entry: one line only");
    TRY(add_line("etc/passwd", uid, entry));
    TRY(add_line("etc/group", gid, fmt::format("{}:x:{}:", name, gid)));
    return ok();
  };
  OwnerMap shift = [uid, gid](uid_t& fu, gid_t& fg) {
    fu = shift_owner(fu, uid);
    fg = shift_owner(fg, gid);
  };
  TRY_CTX(copy_image_mapped(e, r, "keepid", shift, passwd), "--userns=keep-id: copy the image with the user's ids");
  return ok();
}

}  // namespace skiff::engine
