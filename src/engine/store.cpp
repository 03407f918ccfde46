// The engine's view of the image store: opened lazily, with hooks that report which images
// and layers containers use (read lock-free from the container records: the store calls them
// under store.lock, and the lock order forbids taking container locks there).
#include "skiff/engine/engine.hpp"
#include "skiff/storage/store.hpp"

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
      if (json_str(c.rec.extra, "topLayer") == chain_id) return true;
    return false;
  };
  store_ = TRY(storage::Store::open(std::move(so)));
  store_write_ = write;
  return store_.get();
}

}  // namespace skiff::engine
