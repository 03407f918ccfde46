// Disk use of containers and of the store (see include/skiff/engine/usage.hpp).
#include "skiff/engine/usage.hpp"

#include <fcntl.h>

#include <set>

#include "skiff/util/fs.hpp"

namespace skiff::engine {

uint64_t container_size_rw(const Engine& e, const ContainerRecord& r) {
  if (r.driver != storage::Driver::Overlay) return 0;
  return tree_size_at(AT_FDCWD, e.container_dir(r.id) + "/upper").value_or(0);
}

uint64_t container_disk_size(const Engine& e, const ContainerRecord& r) {
  if (r.driver == storage::Driver::Vfs) return tree_size_at(AT_FDCWD, e.container_dir(r.id) + "/rootfs").value_or(0);
  return container_size_rw(e, r);
}

DiskUsage sum_disk_usage(std::vector<storage::ImageRecord> images, const std::map<std::string, uint64_t>& layer_sizes,
                         std::vector<ContainerUsage> containers, std::vector<VolumeUsage> volumes) {
  DiskUsage u;
  auto layer_size = [&](const std::string& chain) {
    auto it = layer_sizes.find(chain);
    return it == layer_sizes.end() ? uint64_t(0) : it->second;
  };
  std::set<std::string> used_images;
  for (auto& c : containers) {
    used_images.insert(c.container.rec.image_id);
    u.containers.size += c.disk_size;
    if (c.container.state.status == RunState::Running) ++u.containers.active;
    else u.containers.reclaimable += c.disk_size;
  }
  u.containers.total = containers.size();
  for (auto& [chain, size] : layer_sizes) u.images.size += size;
  std::set<std::string> used_chains;
  std::map<std::string, int> users_of;  // chain ID -> images listing it
  for (auto& img : images) {
    for (auto& l : img.layers) ++users_of[l.chain_id];
    if (!used_images.count(img.id)) continue;
    ++u.images.active;
    for (auto& l : img.layers) used_chains.insert(l.chain_id);
  }
  uint64_t used_size = 0;
  for (auto& c : used_chains) used_size += layer_size(c);
  u.images.reclaimable = u.images.size > used_size ? u.images.size - used_size : 0;
  u.images.total = images.size();
  for (auto& img : images) {
    ImageUsage row;
    for (auto& l : img.layers)
      if (users_of[l.chain_id] > 1) row.shared += layer_size(l.chain_id);
    row.unique = img.size > row.shared ? img.size - row.shared : 0;
    for (auto& c : containers) row.containers += c.container.rec.image_id == img.id;
    row.image = std::move(img);
    u.image_rows.push_back(std::move(row));
  }
  for (auto& v : volumes) {
    u.volumes.size += v.size;
    if (v.links) ++u.volumes.active;
    else u.volumes.reclaimable += v.size;
  }
  u.volumes.total = volumes.size();
  u.container_rows = std::move(containers);
  u.volume_rows = std::move(volumes);
  return u;
}

Result<DiskUsage> disk_usage(Engine& e, bool per_image) {
  storage::Store* store = TRY(e.store(false));
  auto images = TRY(store->list_images());
  std::vector<ContainerUsage> containers;
  std::set<std::string> used_images;
  for (auto& c : TRY(list_containers(e))) {
    used_images.insert(c.rec.image_id);
    ContainerUsage cu;
    cu.disk_size = container_disk_size(e, c.rec);
    cu.size_rw = container_size_rw(e, c.rec);
    cu.container = std::move(c);
    containers.push_back(std::move(cu));
  }
  std::map<std::string, uint64_t> layer_sizes;
  for (auto& l : TRY(store->list_layers())) layer_sizes[l.chain_id] = l.size;
  for (auto& img : images)
    if (per_image || used_images.count(img.id))
      if (auto rec = store->lookup_image(img.id)) img.layers = rec->layers;
  std::vector<VolumeUsage> volumes;
  for (auto& v : TRY(list_volumes(e))) {
    VolumeUsage vu;
    vu.size = tree_size_at(AT_FDCWD, v.mountpoint).value_or(0);
    vu.links = volume_users(e, v.name).size();
    vu.volume = std::move(v);
    volumes.push_back(std::move(vu));
  }
  return sum_disk_usage(std::move(images), layer_sizes, std::move(containers), std::move(volumes));
}

}  // namespace skiff::engine
