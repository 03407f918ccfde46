#pragma once
// Pull: registry → store. Layers download in parallel (3 at a time) and stream in one pass:
// HTTP → sha256 of the blob (the registry client verifies it) → decompress (gzip, zstd, none)
// → sha256 of the diff (checked against the config's rootfs.diff_ids) → extract into a staging
// directory. With the overlay driver the layers are extracted in parallel and published in
// chain order; vfs layers are snapshots of their parents, so they stream one after another.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/oci/image.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/client.hpp"
#include "skiff/util/result.hpp"

namespace skiff::storage {
class Store;
}

namespace skiff::image {

/// Progress events for the display (one per layer state change, and byte counts).
struct PullEvent {
  enum Kind { Message, LayerWaiting, LayerExists, LayerDownloading, LayerExtracting, LayerDone, LayerStatus } kind;
  std::string id;       ///< layer short ID (12 hex of the blob digest), or "" for messages
  std::string text;     ///< for Message: a full line ("Resolving …", "latest: Pulling from …");
                        ///< for LayerStatus: the status ("Preparing", "Pushing", "Pushed", …)
  uint64_t current = 0, total = 0;
};

struct PullOptions {
  registry::ClientOptions client;
  std::optional<oci::Platform> platform;  ///< default: the host's
  int parallel = 3;                       ///< concurrent layer downloads
  std::function<void(const PullEvent&)> progress;  ///< called from several threads, serialised
};

struct PullResult {
  std::string image_id;   ///< "sha256:…"
  std::string name;       ///< normalised reference pulled ("docker.io/library/busybox:latest")
  std::string familiar;   ///< as Docker shows it ("busybox:latest")
  std::string digest;     ///< manifest (or index) digest: Docker's "Digest:" line
  bool downloaded = false;  ///< false: "Image is up to date"
};

/// Pulls `ref` (already normalised by the caller, or short: short names are resolved through
/// registries.conf here, trying each candidate in order) into `store`.
Result<PullResult> pull(storage::Store& store, const std::string& ref, const PullOptions& o);

/// The tags of a repository (for pull --all-tags).
Result<std::vector<std::string>> list_tags(const std::string& repository, const PullOptions& o);

}  // namespace skiff::image
