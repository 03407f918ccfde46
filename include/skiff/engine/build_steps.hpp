#pragma once
// The store side of `skiff build` (the executor is src/cli/build_exec.cpp): a RUN container's
// layer, a COPY/ADD layer made without a container, and a step's image.
//
// Every build layer is deterministic: entries in byte order of their names (tree_tar.hpp),
// the tar writer's fixed PAX form, no atime/ctime/user names, and every mtime clamped to
// `clamp` (SOURCE_DATE_EPOCH / --timestamp, else the creation time of the stage's base
// image), so the same inputs give the same diff ID. COPY/ADD resolve every destination path
// inside a read-only view of the parent image (overlay of its layers, mounted in a helper's
// own mount namespace): symlinks in the image resolve as the image sees them, never on the
// host, and the layer's tar names the resolved paths.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/json.hpp"

namespace skiff::engine {

/// The container's changes as a normalised layer on top of its image's top layer; nullopt
/// when nothing changed (no layer is stored then).
/// `skip` lists mount targets of the RUN (their stubs never enter the layer).
Result<std::optional<storage::LayerInfo>> build_container_layer(Engine& e, const std::string& container_id,
                                                                int64_t clamp, const std::vector<std::string>& skip = {});

/// A file that has no source on disk (a heredoc of COPY, an ADD URL download).
struct InlineFile {
  std::string name;  ///< base name
  std::string data;
  uint32_t mode = 0644;
  int64_t mtime = 0;
};

/// One COPY or ADD.
struct CopyRequest {
  /// Where sources come from: a host directory (the build context, opened by fd; nothing
  /// resolves outside it) or an image's filesystem (COPY --from), or neither (inline only).
  int context_fd = -1;
  std::string from_image;  ///< image ID for --from
  /// Source paths relative to their root, as written (wildcards * ? [..] expanded here).
  std::vector<std::string> sources;
  std::vector<InlineFile> inline_files;
  /// Context entries to leave out (.dockerignore), by path relative to the context.
  std::function<bool(const std::string& rel, bool is_dir)> excluded;
  /// --exclude: entries to leave out, by path relative to the source directory they are in
  /// (a matched source itself by its path relative to its root).
  std::function<bool(const std::string& rel)> exclude;
  std::string dest;   ///< absolute (WORKDIR applied), a trailing '/' kept
  std::string chown;  ///< user[:group], names looked up in the destination image
  std::optional<uint32_t> chmod;
  bool extract_archives = false;  ///< ADD: local tar archives are unpacked into dest
  bool parents = false;           ///< --parents: keep the source's directory path
  bool keep_owner = false;        ///< --from without --chown keeps the source's owners
  /// WORKDIR: only create `dest` (and its parents) when the image lacks it.
  bool mkdir_only = false;
};

/// Builds the COPY/ADD layer on top of image `image_id` ("" for scratch). Errors name the
/// source that does not exist (Docker's "failed to compute cache key: … not found"). nullopt
/// when nothing was written (WORKDIR of an existing directory).
Result<std::optional<storage::LayerInfo>> build_copy_layer(Engine& e, const std::string& image_id, const CopyRequest& r,
                                            int64_t clamp);

/// --squash: the difference between image `image_id` and its ancestor `base_id` ("" for
/// scratch) as one normalised layer on top of the base's layers; nullopt when they are equal.
Result<std::optional<storage::LayerInfo>> build_squash_layer(Engine& e, const std::string& base_id,
                                                             const std::string& image_id, int64_t clamp);

/// Stores a step's image: `config` (the whole image config: runtime config, history, …;
/// rootfs is filled here) on top of `parent_id` ("" for scratch) with `layer` if any.
Result<std::string> build_store_image(Engine& e, const std::string& parent_id, Json config,
                                      const std::optional<storage::LayerInfo>& layer, int64_t created_ns);

/// RUN --mount=type=bind,from=STAGE_OR_IMAGE: a throwaway copy of `source` (a path in image
/// `image_id`'s filesystem, "" or "/" for all of it; resolved from the image root's fd, so
/// symlinks lead where the image says and never outside it) made by a worker with the store's
/// ids (owners, modes, times kept; rootless skips device nodes) in `<graph>/build-mounts/`.
/// The RUN binds `path` (read-only unless rw: writes land in the copy, never in the image) and
/// remove_build_bind_source() discards it afterwards; copies of killed builds are removed by
/// the next call. kNotFound names a missing source.
struct BuildBindSource {
  std::string dir;   ///< the throwaway directory
  std::string path;  ///< what to bind: the copied directory or file
};
Result<BuildBindSource> build_bind_source(Engine& e, const std::string& image_id, const std::string& source);
Status remove_build_bind_source(Engine& e, const BuildBindSource& s);

/// The build cache index: `<graph>/build-cache/<key>` holds the image ID a step produced.
std::optional<std::string> build_cache_get(Engine& e, const std::string& key);
Status build_cache_put(Engine& e, const std::string& key, const std::string& image_id);
/// `builder prune`: forgets every entry and removes the images only the cache kept (untagged,
/// no child, no container). Returns the removed image IDs and bytes reclaimed.
Result<std::vector<std::string>> build_cache_prune(Engine& e);

}  // namespace skiff::engine
