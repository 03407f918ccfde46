#pragma once
// The image and layer store under the graph root.
//
// LAYOUT (DESIGN.md "On-disk layout", DEVELOPERS.md "Store layout")
//   VERSION            "1": written last when a store is created, so a half-made store is redone
//   driver             "overlay" | "vfs": chosen once (probe or --storage-driver), never changed
//   idmap              fingerprint of the id mapping the layers were extracted with
//   store.lock         flock: writers take it exclusively for short critical sections; readers
//                      never lock
//   layers/<chain-hex>/{diff/, meta.json, tar-split}    keyed by chain ID; meta.json has complete:
//                      true; tar-split: the tar's layout, to produce the layer's exact tar again
//   layers/<chain-hex>/blob-<digest-hex>    the layer's compressed blob as pulled or pushed
//                      (optional; written whole through O_TMPFILE + linkat: blobs.cpp)
//   l/<link>           -> ../layers/<chain-hex>/diff (16 hex chars: short overlay mount options)
//   images/<id-hex>/{config, manifest, record.json, summary}   (summary: listing's fast path, a
//                      symlink whose target is one line: one readlinkat per image)
//   names/images/<escaped ref> -> ../../images/<id-hex>   ('%' → %25, '/' → %2F); one symlink
//                      per tag *and* per repo digest (name@sha256:…), as Docker's reference store
//   staging/<slot>/ + staging/<slot>.lock    in-flight work; a slot whose lock is free is garbage
// Every directory is 0700: nobody but the store's owner can reach a layer's setuid files.
//
// ORDER OF OPERATIONS (why kill -9 at any point leaves a consistent store)
//   create_layer: (1) take a staging slot (lock file, then directory), (2) extract into
//     staging/<slot>/diff in a worker while this process hashes the stream, (3) check the diff
//     ID (the tar's layout goes to staging/<slot>/tar-split as it streams, fsync'd here),
//     (4) syncfs, (5) write staging/<slot>/meta.json (complete: true, fsync'd), (6) under
//     store.lock: if the layer already exists, discard ours (the loser of a race uses the
//     winner's); else check the parent is still complete, create l/<link> (dangling until the
//     next step), rename staging/<slot> → layers/<chain-hex>, fsync layers/.
//     The rename is the one step that publishes a layer, and what it publishes is complete:
//     DESIGN.md writes meta.json after the rename; writing it before makes the publication a
//     single atomic step. A crash before it leaves an unlocked slot (swept); after it, a
//     complete, unreferenced layer that the next pull reuses.
//   create_image: (1) write config, manifest and record.json into a staging slot, (2) under
//     store.lock: check every layer of the chain is complete, rename the slot to images/<hex>
//     (unless the image exists), (3) point each name at it (symlink to a temp name, rename over
//     the name: atomic, and moves a tag from an older image). A crash between (2) and (3)
//     leaves an untagged image, which listing shows as <none>.
//   remove_image: under store.lock: (1) unlink names, (2) rename images/<hex> into a staging
//     slot (the record disappears atomically), (3) rename each unneeded layer into a slot and
//     unlink its l/ link, top layer first; then, after the lock, delete the slots' trees. A
//     crash leaves names pointing nowhere (ignored by readers, removed by check), or layers no
//     image uses (reported by check; removed with --repair once older than the grace period),
//     or unlocked slots (swept).
//   Readers (list_images, lookup, layer_info) read only rename-published files and skip what
//   is missing, so they never see half a record and never take a lock.
//   Not covered by locks: an image removed while a pull is extracting a layer on top of one of
//   its layers; the pull then fails cleanly at create_layer/create_image ("parent layer …
//   missing") and can be retried.
//
// ROOTLESS: extraction, layer deletion, content checks and the driver probe run in a transient
// user namespace with the store's id mapping (util/userns.hpp), so files carry the image's
// owners as subordinate ids. The mapping's fingerprint is recorded; a changed /etc/subuid makes
// open() fail and name the fix (`skiff system migrate`).

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/idmap.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::storage {

enum class Driver { Overlay, Vfs };

/// "overlay" or "vfs".
std::string_view driver_name(Driver d);

/// Parses a --storage-driver value ("overlay", also "overlay2"; "vfs").
Result<Driver> parse_driver(std::string_view name);

/// chain ID of a layer: its diff ID for a base layer, else sha256(parent_chain + " " + diff_id)
/// (OCI image spec, "Layer ChainID"). Both inputs are "sha256:<hex>".
Result<std::string> chain_id_of(std::string_view parent_chain_id, std::string_view diff_id);

/// A container that uses an image (for rmi conflicts).
struct ContainerUse {
  std::string container_id;
  bool running = false;
};

/// What the store needs from the modules above it. All optional. image_users and
/// layer_in_use are called with store.lock held: they must not take a container lock (the
/// lock order is container, then store) — read the container records lock-free instead.
struct StoreHooks {
  /// Containers created from image `id` ("sha256:…"). Default: none.
  std::function<Result<std::vector<ContainerUse>>(std::string_view image_id)> image_users;
  /// True if a container's rootfs needs layer `chain_id`: removal then keeps it.
  std::function<bool(std::string_view chain_id)> layer_in_use;
  /// Receives warnings (skipped device nodes, single id mapping…). Default: log::warn.
  std::function<void(std::string_view message)> warn;
};

struct StoreOptions {
  std::string graph_root;        ///< the store's directory
  std::string driver_override;   ///< --storage-driver; only allowed to differ for a new store
  bool create = false;           ///< open for writing: create if missing, sweep staging/
  bool sync = true;              ///< syncfs before publishing a layer (tests may turn it off)
  bool check_idmap = true;       ///< refuse a store extracted with another id mapping
  std::optional<IdMap> idmap;    ///< default: idmap_for_current_user()
  StoreHooks hooks;
};

/// A complete layer, as its meta.json records it.
struct LayerInfo {
  std::string chain_id;        ///< "sha256:…"; the directory name is its hex
  std::string diff_id;         ///< sha256 of the uncompressed tar stream
  std::string parent;          ///< parent chain ID; "" for a base layer
  uint64_t size = 0;           ///< bytes of regular-file data in the layer's tar (Docker's size)
  uint64_t tar_size = 0;       ///< bytes of the uncompressed tar stream
  uint64_t entries = 0;        ///< tar entries
  uint32_t depth = 1;          ///< layers in the chain up to and including this one
  std::string link;            ///< name under l/
  std::string content_digest;  ///< layer_tree.hpp layer_content_digest() at creation
  int content_format = 1;      ///< its format (layer_tree.hpp kContentFormat; 1 if not recorded)
  int64_t created_ns = 0;
};

/// One layer of an image, bottom first.
struct ImageLayer {
  std::string diff_id, chain_id;
  std::string digest;            ///< compressed blob digest from the manifest ("" if none)
  std::string media_type;        ///< the manifest's media type for the blob
  uint64_t compressed_size = 0;  ///< blob size from the manifest
  uint64_t size = 0;             ///< filled by create_image from the layer's meta
};

struct StagedLayerImpl;
struct StagedLayerDeleter {
  void operator()(StagedLayerImpl* p) const;
};

/// A layer extracted and verified in a staging slot, not yet visible (Store::stage_layer).
/// Destroying it without publishing discards the slot.
class StagedLayer {
 public:
  StagedLayer() = default;
  /// The chain ID it will be published as.
  const std::string& chain_id() const;
  bool empty() const { return !impl_; }
  /// True when the layer was already complete: stage_layer read nothing and staged nothing.
  bool existing() const;

 private:
  friend class Store;
  std::unique_ptr<StagedLayerImpl, StagedLayerDeleter> impl_;
};

/// What create_image stores.
struct NewImage {
  std::string config;               ///< raw config JSON; the image ID is its sha256
  std::string manifest;             ///< raw manifest ("" for an image built locally)
  std::string manifest_digest;      ///< "sha256:…" of `manifest` as the registry named it
  std::string manifest_media_type;
  std::vector<ImageLayer> layers;   ///< bottom first; each must be a complete layer
  std::vector<std::string> names;   ///< normalized refs: "docker.io/library/busybox:latest",
                                    ///< "docker.io/library/busybox@sha256:…"
  int64_t created_ns = 0;           ///< the config's `created`
  std::string parent;               ///< parent image ID (local builds), else ""
};

/// An image record plus its names.
struct ImageRecord {
  std::string id;                     ///< "sha256:<hex>"
  std::vector<std::string> tags;      ///< names without '@', sorted
  std::vector<std::string> digests;   ///< repo digests "name@sha256:…", sorted
  int64_t created_ns = 0;             ///< from the config
  int64_t stored_ns = 0;              ///< when this store got it
  uint64_t size = 0;                  ///< sum of the layers' sizes (computed at commit)
  std::string top_layer;              ///< chain ID of the last layer ("" for no layers)
  std::string manifest_digest, manifest_media_type;
  std::string parent;
  std::vector<ImageLayer> layers;
};

/// One line of rmi's output: Docker prints "Untagged: <ref>" / "Deleted: <id>".
struct RemoveEvent {
  bool deleted = false;  ///< false: a name was removed; true: an image or layer was deleted
  std::string what;      ///< the normalized ref (the CLI shortens it), or the "sha256:…" ID
  std::string text() const { return (deleted ? "Deleted: " : "Untagged: ") + what; }
};

struct RemoveOptions {
  bool force = false;  ///< rmi -f
  bool prune = true;   ///< delete the untagged parents nothing else uses (false: rmi --no-prune)
  std::string as_typed;  ///< the name as the user typed it, for messages (Docker names it so)
};

struct CheckOptions {
  bool repair = false;            ///< remove what is damaged or left over
  bool verify_content = true;     ///< recompute every layer's content digest (reads all data)
  int64_t unreferenced_grace_ns = 24ll * 3600 * 1000000000;  ///< podman's --max default
};

struct CheckProblem {
  std::string object;    ///< "layer sha256:…", "image sha256:…", "name …", "staging …"
  std::string problem;   ///< what is wrong, lowercase
  bool repaired = false;
  bool leftover = false; ///< not damage: what an interrupted operation (kill -9) left in staging/,
                         ///< which the next writer (or --repair) removes
};

struct CheckReport {
  uint64_t layers = 0, images = 0;
  std::vector<CheckProblem> problems;
  bool clean() const { return problems.empty(); }
};

/// The store. Methods may be called from several threads at once; writers serialise on
/// store.lock (also across processes). Errors name the object ("No such image: x",
/// "layer sha256:…: …").
class Store {
 public:
  /// Opens the store at `paths.graph_root` for the current user's id mapping.
  /// `driver_override` ("" = keep/probe) must match the recorded driver of an existing store.
  /// `create`: open for writing (create if missing, sweep staging/ under the exclusive lock).
  /// Without `create` a missing store opens as an empty, read-only one.
  static Result<std::unique_ptr<Store>> open(const Paths& paths, std::string_view driver_override,
                                             bool create);
  static Result<std::unique_ptr<Store>> open(StoreOptions opts);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& graph_root() const { return opts_.graph_root; }
  Driver driver() const { return driver_; }
  const IdMap& idmap() const { return map_; }
  /// False for a read-only open of a store that does not exist yet.
  bool exists() const { return root_.valid(); }

  // ---- layers ---------------------------------------------------------------------------

  /// Extracts the uncompressed tar `tar` as a layer on top of `parent_chain_id` ("" for a
  /// base layer), verifying its diff ID against `expected_diff_id` ("" = compute it, for
  /// commits). Returns the complete layer. If the layer already exists it is returned without
  /// reading `tar`; if another process completes it first, ours is discarded and theirs is
  /// returned. Warnings go to hooks.warn. Errors: kNotFound (parent), kCorrupt (diff ID
  /// mismatch, bad tar), kInvalid (hostile entry; see extract.hpp), I/O errors.
  Result<LayerInfo> create_layer(std::string_view parent_chain_id, std::string_view expected_diff_id,
                                 ByteSource& tar);
  /// The first half of create_layer: extracts and verifies `tar` into a staging slot. With the
  /// overlay driver the parent layer need not exist yet (a layer's directory does not depend
  /// on its parent), so a pull can extract layers in parallel and publish them in order; vfs
  /// needs the parent (its snapshot is the base). A layer that already exists is returned as
  /// a StagedLayer whose existing() is true, without reading `tar` (publish_layer then returns
  /// the existing one).
  Result<StagedLayer> stage_layer(std::string_view parent_chain_id, std::string_view expected_diff_id,
                                  ByteSource& tar);
  /// The second half: makes a staged layer visible (the parent must be complete by now).
  Result<LayerInfo> publish_layer(StagedLayer&& staged);
  /// True if a complete layer with this chain ID exists.
  bool has_layer(std::string_view chain_id) const;
  /// The layer's metadata; kNotFound unless it is complete.
  Result<LayerInfo> layer_info(std::string_view chain_id) const;
  /// Every complete layer (unordered).
  Result<std::vector<LayerInfo>> list_layers() const;
  /// Removes one layer; kConflict if an image or container uses it or it has a child layer.
  Status remove_layer(std::string_view chain_id);
  /// Removes the layers of the chain ending at `top_chain_id` that no image and no container
  /// needs, top first, stopping at the first one still needed (call after removing a
  /// container). Returns the chain IDs removed.
  Result<std::vector<std::string>> remove_unused_layers(std::string_view top_chain_id);
  /// Writes the layer's uncompressed tar, the very bytes its diff ID is the digest of, to `out`:
  /// the tar layout recorded when the layer was stored (layers/<hex>/tar-split, see
  /// src/storage/tar_split.hpp) filled with the layer's files (read by a worker in the user
  /// namespace when rootless). The digest is checked as the bytes pass: a mismatch (files
  /// changed) is a kCorrupt error at the end. kNotFound for a layer stored without a layout.
  Status layer_tar(std::string_view chain_id, ByteSink& out) const;
  /// Absolute path of the layer's diff directory (vfs: the full snapshot to use as rootfs).
  Result<std::string> layer_diff_path(std::string_view chain_id) const;
  /// overlay: "l/<link>" of every layer of the chain, top first, relative to graph_root();
  /// mount with the graph root as the working directory (or use fsconfig "lowerdir+"). Reach
  /// it by path *after* unshare(CLONE_NEWNS): overlayfs refuses layers reached through a mount
  /// of another mount namespace (an fd opened before: "failed to clone upperpath").
  Result<std::vector<std::string>> overlay_lowers(std::string_view chain_id) const;
  /// The same list joined with ':' (the lowerdir= value).
  Result<std::string> overlay_lowerdir(std::string_view chain_id) const;

  // ---- compressed blobs kept with layers (blobs.cpp) ------------------------------------

  /// An unnamed file in the store (O_TMPFILE) to receive a blob; gone if never kept.
  Result<UniqueFd> blob_tempfile();
  /// Keeps the complete blob in `fd` (from blob_tempfile()) as layer `chain_id`'s compressed
  /// blob `digest` ("sha256:…"; the caller has verified it): fsync'd, then linked as
  /// layers/<hex>/blob-<digest hex>. Already kept is fine.
  Status keep_layer_blob(std::string_view chain_id, std::string_view digest, int fd);
  /// The digest of a blob kept with layer `chain_id` (the first found); ENOENT if none.
  Result<std::string> kept_layer_blob(std::string_view chain_id) const;
  /// The kept blob `digest` of layer `chain_id`; ENOENT if none.
  Result<UniqueFd> open_layer_blob(std::string_view chain_id, std::string_view digest) const;

  // ---- images ---------------------------------------------------------------------------

  /// Stores an image (ID = sha256 of the config) and points `names` at it, moving names that
  /// belonged to other images. An existing image keeps its record and gains the names.
  Result<ImageRecord> create_image(const NewImage& img);
  /// Every image with its names, newest (created) first, without `layers` (use
  /// lookup_image() for the full record). Takes no lock, walks no layer, parses no JSON: it
  /// reads images/<hex>/summary and the name symlinks (500 images in a few ms).
  Result<std::vector<ImageRecord>> list_images() const;
  /// Finds an image by exact name (tag or repo digest), full ID ("sha256:<hex>" or hex), or
  /// unique ID prefix. The caller normalizes names ("busybox" → "docker.io/library/busybox:
  /// latest") and may retry with the raw text for IDs. kNotFound: "No such image: <key>";
  /// kConflict for an ambiguous prefix. `with_names` false: `tags` and `digests` stay empty
  /// (finding them reads every name in the store: 500 images cost ~2 ms on `run`).
  Result<ImageRecord> lookup_image(std::string_view ref_or_id, bool with_names = true) const;
  /// The raw config / manifest bytes of image `id`.
  Result<std::string> image_config(std::string_view id) const;
  Result<std::string> image_manifest(std::string_view id) const;
  /// Points `name` at image `id` (atomic; a name held by another image moves). Returns the ID
  /// that held the name before ("" if none).
  Result<std::string> tag_image(std::string_view id, std::string_view name);
  /// Removes a name (tag or repo digest). kNotFound if it does not exist.
  Status untag_image(std::string_view name);
  /// rmi, with Docker's semantics (daemon/images/image_delete.go): by name, untags (and drops
  /// the repo's digests when its last tag goes) and deletes the image only when no name is
  /// left; by ID, deletes it if it has at most one tag (else kConflict "... (must be forced)
  /// - image is referenced in multiple repositories" unless force); containers using it are
  /// conflicts (running: cannot be forced). Deleting removes every layer no other image or
  /// container needs, then (opts.prune) the parent image when it has no name, no other child
  /// and no container, and so on up the chain. Returns the Untagged/Deleted lines in Docker's
  /// order.
  Result<std::vector<RemoveEvent>> remove_image(std::string_view ref_or_id, const RemoveOptions& opts = {});

  // ---- maintenance ----------------------------------------------------------------------

  /// `system check [--repair]`: verifies every layer's meta and (optionally) content digest,
  /// each image's config digest and layers, the names and l/ links, and leftovers; with
  /// repair, removes what is damaged (and the images that need it) or left over. Takes the
  /// exclusive lock only to repair.
  Result<CheckReport> check(const CheckOptions& opts);

 private:
  explicit Store(StoreOptions opts) : opts_(std::move(opts)) {}

  StoreOptions opts_;
  IdMap map_;
  Driver driver_ = Driver::Vfs;
  UniqueFd root_;  ///< O_DIRECTORY fd of the graph root (invalid: store absent)
  std::atomic<bool> warned_single_{false};  ///< the single-id-mapping warning is given once
};

}  // namespace skiff::storage
