#pragma once
// Disk use: of a container (`ps -s`, `inspect -s`) and of the whole store (`system df`). The
// engine sums; the CLI only formats the numbers.
//
// Docker's rules, as `system df` applies them:
//   - Images: every layer of the store counted once, however many images share it; an image
//     is active when a container was created from it; reclaimable is what the layers of no
//     active image take. Per image (-v): SHARED SIZE is its layers that another image uses
//     too, UNIQUE SIZE the rest of its size.
//   - Containers: the container's own files (container_disk_size); active when running;
//     reclaimable is what the others take.
//   - Local volumes: the `_data` tree; active when a container mounts it; reclaimable is
//     what the unused ones take.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/storage/store.hpp"

namespace skiff::engine {

/// Docker's SizeRw: what the container wrote, the upper directory of an overlay container; 0
/// for vfs (its root is a copy of the image, not a layer of its own) and when unreadable.
uint64_t container_size_rw(const Engine& e, const ContainerRecord& r);
/// What removing the container frees: the upper directory (overlay) or the whole root copy
/// (vfs); 0 when unreadable.
uint64_t container_disk_size(const Engine& e, const ContainerRecord& r);

/// One line of `system df`: how many, how many in use, their size, what the unused free.
struct UsageTotals {
  size_t total = 0;
  size_t active = 0;
  uint64_t size = 0;
  uint64_t reclaimable = 0;
};

struct ImageUsage {
  storage::ImageRecord image;
  uint64_t shared = 0;  ///< its layers' size that other images use too
  uint64_t unique = 0;  ///< image.size - shared (0 if below)
  size_t containers = 0;  ///< containers created from it
};

struct ContainerUsage {
  Container container;
  uint64_t disk_size = 0;  ///< container_disk_size
  uint64_t size_rw = 0;    ///< container_size_rw
};

struct VolumeUsage {
  Volume volume;
  uint64_t size = 0;  ///< of its _data tree
  size_t links = 0;   ///< containers that mount it
};

struct DiskUsage {
  UsageTotals images, containers, volumes;
  std::vector<ImageUsage> image_rows;  ///< in the order given (the store's)
  std::vector<ContainerUsage> container_rows;
  std::vector<VolumeUsage> volume_rows;
};

/// The sums, from what disk_usage() read (no I/O; the rules above). `layer_sizes`: every layer
/// of the store by chain ID. An image's shares count the layers its record lists; an active
/// image needs its layers listed for the reclaimable figure.
DiskUsage sum_disk_usage(std::vector<storage::ImageRecord> images, const std::map<std::string, uint64_t>& layer_sizes,
                         std::vector<ContainerUsage> containers, std::vector<VolumeUsage> volumes);

/// Reads the store, the containers and the volumes and sums them. `per_image`: read every
/// image's layers (for the per-image shares of `system df -v`), not only the active ones'.
Result<DiskUsage> disk_usage(Engine& e, bool per_image);

}  // namespace skiff::engine
