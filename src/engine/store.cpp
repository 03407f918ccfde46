// The engine's view of the image store: opened lazily, with hooks that report which images
// and layers containers use (read lock-free from the container records: the store calls them
// under store.lock, and the lock order forbids taking container locks there).
#include <unistd.h>

#include "skiff/engine/pod.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

Engine::Engine() = default;
Engine::~Engine() = default;

Result<storage::Store*> Engine::store(bool write) {
  if (store_ && (store_write_ || !write)) return store_.get();
  storage::StoreOptions so;
  so.graph_root = paths_.graph_root;
  so.driver_override = driver_override_;
  so.create = write;
  so.idmap = idmap_;
  so.hooks.image_users = [this](std::string_view image_id) -> Result<std::vector<storage::ContainerUse>> {
    std::vector<storage::ContainerUse> out;
    auto list = list_containers(*this);
    if (!list) return list.error();
    for (auto& c : *list)
      if (c.rec.image_id == image_id)
        out.push_back({c.rec.id, c.state.status == RunState::Running || c.state.status == RunState::Restarting});
    return out;
  };
  so.hooks.layer_in_use = [this](std::string_view chain_id) {
    auto list = list_containers(*this);
    if (!list) return true;  // when in doubt, keep it
    for (auto& c : *list)
      if (c.rec.extra.top_layer == chain_id) return true;
    return false;
  };
  store_ = TRY(storage::Store::open(std::move(so)));
  store_write_ = write;
  return store_.get();
}

}  // namespace skiff::engine

// ---- system migrate / reset ----------------------------------------------------------------


namespace skiff::engine {

namespace {

// "uid=0:1000:1,1:100000:65536;gid=…" → the two range lists.
bool parse_fingerprint(const std::string& fp, std::vector<IdRange>& uids, std::vector<IdRange>& gids) {
  auto parts = split(std::string(trim(fp)), ';');
  if (parts.size() != 2) return false;
  for (int k = 0; k < 2; ++k) {
    auto [key, val] = split_once(parts[size_t(k)], '=');
    if (!val || (key != "uid" && key != "gid")) return false;
    auto& dst = key == "uid" ? uids : gids;
    for (auto& r : split(*val, ',')) {
      auto f = split(r, ':');
      if (f.size() != 3) return false;
      auto a = parse_uint(f[0]), b = parse_uint(f[1]), c = parse_uint(f[2]);
      if (!a || !b || !c) return false;
      dst.push_back(IdRange{uint32_t(*a), uint32_t(*b), uint32_t(*c)});
    }
  }
  return true;
}

// Every container id the old mapping covered maps to the same host id under the new one.
bool covers(const std::vector<IdRange>& old_map, const IdMap& now, bool uid) {
  for (auto& r : old_map)
    for (uint64_t i = 0; i < r.size; i += (r.size > 1 ? r.size - 1 : 1)) {
      uint32_t cid = uint32_t(r.container_id + i);
      int64_t h = uid ? now.host_uid(cid) : now.host_gid(cid);
      if (h != int64_t(r.host_id + i)) return false;
      if (r.size == 1) break;
    }
  return true;
}

}  // namespace

Result<std::string> system_migrate(Engine& e) {
  std::string path = e.graph() + "/idmap";
  auto fp = read_file(path, 4096);
  if (!fp) {
    if (fp.error().code == ENOENT) return std::string("no store yet: nothing to migrate");
    return fp.error();
  }
  std::string now = e.idmap().fingerprint();
  if (std::string(trim(*fp)) == now) return std::string("the id mapping has not changed: nothing to migrate");
  std::vector<IdRange> ou, og;
  if (std::string(trim(*fp)) == "none" || !e.idmap().userns || !parse_fingerprint(*fp, ou, og))
    return fail(kConflict, "the store was made as another user (rootful vs rootless); remove it with `skiff system reset`");
  if (!covers(ou, e.idmap(), true) || !covers(og, e.idmap(), false))
    return fail(kConflict, "the new /etc/subuid or /etc/subgid range does not contain the old one, so the store's "
                           "files belong to ids outside it; remove the store with `skiff system reset` and pull again");
  // The old ranges are part of the new ones: every file keeps its meaning. Record the mapping.
  TRY(write_file_atomic(path, now + "\n", 0600));
  return std::string("the store now uses the new id mapping (it extends the old one)");
}

Status system_reset(Engine& e) {
  // Containers first (stopping running ones), then everything under the two roots.
  remove_all_pods(e);  // with their infra containers (pod.hpp)
  if (auto list = list_containers(e))
    for (auto& c : *list) (void)remove_container(e, c.rec.id, true, true);
  for (const std::string* root : {&e.paths().graph_root, &e.paths().run_root}) {
    auto st = remove_tree(*root);
    if (!st && e.idmap().userns) st = run_in_userns(e.idmap(), [&]() { return remove_tree(*root); });
    TRY_CTX(st, "remove `{}`", *root);
  }
  return ok();
}

}  // namespace skiff::engine
