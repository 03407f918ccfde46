#pragma once
// Where the dynamic completion candidates (containers, images, volumes) come from.
//
// `skiff __complete` runs on every TAB, so it must answer in a few milliseconds with thousands
// of objects, take no lock and enter no namespace. Until the engine and image modules offer
// such queries, store_source() reads the store layout directly. THIS FILE AND
// complete_sources.cpp ARE THE ONLY PLACES THAT KNOW THESE PATHS; when the store code changes
// them, change them here (or make store_source() call the real store queries).
//
// The layout assumed (DESIGN.md "On-disk layout", include/skiff/engine/engine.hpp):
//
//   <graph root>/names/containers/<name>  symlink -> ../../containers/<id>   (one per container;
//                                          <id> = 64 lowercase hex, the last path component)
//   <graph root>/containers/<id>/          one directory per container
//   <graph root>/names/images/<escaped ref> symlink -> ../../images/<image-id>
//                                          <escaped ref> = the full reference with every byte
//                                          that cannot be in a file name ('/', '%', …) written
//                                          as %XX (upper- or lowercase hex), e.g.
//                                          docker.io%2Flibrary%2Fbusybox:latest
//   <graph root>/images/<image-id>/        one directory per image (<image-id> = 64 hex)
//   <graph root>/volumes/<name>/           one directory per volume
//   <graph root>/networks/<name>.json      one record per user network
//   <run root>/boot_id                     boot ID when the run root was set up
//   <run root>/c/<id12>/monitor.json       written by the container's monitor when it starts
//                                          (<id12> = first 12 hex digits of the ID)
//   <run root>/c/<id12>/exit               written by the monitor when the container exited
//
// A container is *running* when `monitor.json` exists, `exit` does not, and
// `<run root>/boot_id` (if present) equals /proc/sys/kernel/random/boot_id; otherwise it is
// *stopped* (created or exited). engine::read_state() also checks that the monitor and the
// process are alive (pid + start time, from monitor.json); completion does not parse JSON, so
// a container whose monitor was killed shows as running until the engine reconciles it:
// completion is a hint, never a decision.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::cli {

/// A local image name: the full reference and the one Docker shows (`busybox:latest` for
/// `docker.io/library/busybox:latest`).
struct ImageName {
  std::string full, familiar;
  std::string id = {};  ///< the image's full ID (64 hex), when known
};

class CompSource {
 public:
  enum class Which { All, Running, Stopped };
  virtual ~CompSource() = default;
  /// Names of the containers in state `which` that start with `prefix`.
  virtual std::vector<std::string> container_names(Which which, std::string_view prefix) = 0;
  /// Full IDs of the containers in state `which` that start with `prefix`.
  virtual std::vector<std::string> container_ids(Which which, std::string_view prefix) = 0;
  /// Tagged image names (no digest references).
  virtual std::vector<ImageName> image_names() = 0;
  /// Every local image's full ID (64 hex), tagged or not.
  virtual std::vector<std::string> image_ids() { return {}; }
  /// The full references the short name `name` ("busybox", "busybox:1") means locally, as
  /// `run` and `rmi` look it up: Docker Hub's normalisation (docker.io/library/busybox:latest),
  /// then, in the CLI's source, registries.conf's aliases or unqualified-search registries.
  virtual std::vector<std::string> short_name_refs(std::string_view name);
  /// Volume names that start with `prefix`.
  virtual std::vector<std::string> volume_names(std::string_view prefix) = 0;
  /// Network names that start with `prefix` (bridge, host, none and the user networks).
  virtual std::vector<std::string> network_names(std::string_view prefix) {
    std::vector<std::string> out;
    for (std::string_view n : {"bridge", "host", "none"})
      if (n.substr(0, prefix.size()) == prefix) out.emplace_back(n);
    return out;
  }
  /// Pod names that start with `prefix` (pods/<id>/pod.json).
  virtual std::vector<std::string> pod_names(std::string_view prefix) {
    (void)prefix;
    return {};
  }
};

/// Reads the layout above under `graph_root` and `run_root` (nothing is created; a missing
/// store just has no candidates).
std::unique_ptr<CompSource> store_source(std::string graph_root, std::string run_root);

/// Decodes %XX escapes ("docker.io%2Flibrary%2Fbusybox:latest" → "docker.io/library/busybox:latest").
std::string unescape_ref(std::string_view s);
/// The reverse, for tests and tools: escapes '/', '%' and bytes outside printable ASCII.
std::string escape_ref(std::string_view s);

}  // namespace skiff::cli
