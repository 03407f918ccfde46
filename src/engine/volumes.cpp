#include "skiff/engine/volumes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "mounts.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

namespace {

std::string vol_dir(const Engine& e) { return e.graph() + "/volumes"; }

Result<Volume> load(const Engine& e, const std::string& name) {
  auto j = read_json_file(vol_dir(e) + "/" + name + "/meta.json", 1 << 20);
  if (!j) {
    if (j.error().code == ENOENT) return fail(kNotFound, fmt::format("no such volume: {}", name));
    return j.error();
  }
  Volume v;
  v.name = name;
  v.driver = json_str(*j, "Driver", "local");
  v.mountpoint = vol_dir(e) + "/" + name + "/_data";
  v.created = json_int(*j, "Created");
  v.labels = json_get(*j, "Labels").is_object() ? (*j)["Labels"] : Json::object();
  v.options = json_get(*j, "Options").is_object() ? (*j)["Options"] : Json::object();
  v.anonymous = json_bool(*j, "Anonymous");
  return v;
}

}  // namespace

Status validate_volume_name(const std::string& n) {
  bool good = n.size() >= 2 && isalnum((unsigned char)n[0]) &&
              std::all_of(n.begin(), n.end(), [](char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-'; });
  if (!good)
    return fail(kInvalid, fmt::format("\"{}\" includes invalid characters for a local volume name, only "
                                      "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                                      "directory, use absolute path",
                                      n));
  return ok();
}

Result<Volume> create_volume(Engine& e, const std::string& name_in, const Json& labels, const Json& options,
                             bool anonymous) {
  std::string name = name_in.empty() ? random_hex(32) : name_in;
  TRY(validate_volume_name(name));
  if (auto v = load(e, name)) return v;
  TRY(mkdir_p(vol_dir(e), 0700));
  std::string tmp = vol_dir(e) + "/.tmp-" + random_hex(8);
  if (mkdir(tmp.c_str(), 0700) < 0) return fail_errno(fmt::format("mkdir `{}`", tmp));
  auto undo = [&](Error err) -> Result<Volume> {
    (void)remove_tree(tmp);
    return err;
  };
  if (mkdir((tmp + "/_data").c_str(), 0755) < 0) return undo(errno_error("create the volume directory"));
  Json meta = Json::object();
  meta["Name"] = name;
  meta["Driver"] = "local";
  meta["Created"] = now_ns();
  meta["Labels"] = labels.is_object() ? labels : Json::object();
  meta["Options"] = options.is_object() ? options : Json::object();
  meta["Anonymous"] = anonymous;
  if (auto st = write_json_atomic(tmp + "/meta.json", meta, 0600, true); !st) return undo(st.error());
  std::string dst = vol_dir(e) + "/" + name;
  if (rename(tmp.c_str(), dst.c_str()) < 0) {
    int err = errno;
    (void)remove_tree(tmp);
    if (err == EEXIST || err == ENOTEMPTY) return load(e, name);  // created concurrently
    return fail_errno(fmt::format("create volume {}", name), err);
  }
  return load(e, name);
}

Result<Volume> find_volume(const Engine& e, const std::string& name) { return load(e, name); }

Result<std::vector<Volume>> list_volumes(const Engine& e) {
  std::vector<Volume> out;
  auto names = list_dir(vol_dir(e));
  if (!names) {
    if (names.error().code == ENOENT) return out;
    return names.error();
  }
  for (auto& n : *names) {
    if (n.empty() || n[0] == '.') continue;
    if (auto v = load(e, n)) out.push_back(std::move(*v));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> volume_users(const Engine& e, const std::string& name) {
  std::vector<std::string> ids;
  auto list = list_containers(e);
  if (!list) return ids;
  for (auto& c : *list)
    for (auto& m : mounts_from_json(c.rec.extra.mounts))
      if (m.type == "volume" && m.name == name) {
        ids.push_back(c.rec.id);
        break;
      }
  return ids;
}

Status remove_volume(Engine& e, const std::string& name, bool force) {
  auto v = load(e, name);
  if (!v) {
    if (force && v.error().code == kNotFound) return ok();
    return v.error();
  }
  auto users = volume_users(e, name);
  if (!users.empty()) {
    for (auto& id : users) id = id.substr(0, 12);
    return fail(kConflict, fmt::format("remove {}: volume is in use - [{}]", name, fmt::join(users, ", ")));
  }
  std::string dir = vol_dir(e) + "/" + name;
  std::string gone = vol_dir(e) + "/.removing-" + name + "-" + random_hex(4);
  if (rename(dir.c_str(), gone.c_str()) < 0) return fail_errno(fmt::format("remove volume {}", name));
  auto st = remove_tree(gone);
  if (!st && e.idmap().userns) st = run_in_userns(e.idmap(), [&]() { return remove_tree(gone); });
  return st;
}

Json volume_json(const Volume& v) {
  Json j = Json::object();
  j["CreatedAt"] = format_rfc3339(v.created);
  j["Driver"] = v.driver;
  j["Labels"] = v.labels;
  j["Mountpoint"] = v.mountpoint;
  j["Name"] = v.name;
  j["Options"] = v.options;
  j["Scope"] = "local";
  return j;
}

}  // namespace skiff::engine
