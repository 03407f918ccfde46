#pragma once
// Private helpers shared by the store's implementation files (store.cpp, layers.cpp,
// images.cpp, check.cpp). Paths here are relative to the graph root's directory fd.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/storage/store.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/lock.hpp"

namespace skiff::storage {

namespace detail {

inline constexpr std::string_view kVersion = "1";
inline constexpr uint32_t kMaxDepth = 128;  ///< layers per chain (overlay mount data fits a page)
inline constexpr std::string_view kLinkTarget = "../layers/";
inline constexpr std::string_view kNameTarget = "../../images/";
inline constexpr int64_t kSecond = 1000000000;

/// "sha256:" followed by 64 lowercase hex digits.
bool valid_digest(std::string_view d);
/// The hex part of a "sha256:…" digest.
inline std::string hex_of(std::string_view digest) { return std::string(digest.substr(7)); }
inline std::string digest_of(std::string_view hex) { return "sha256:" + std::string(hex); }

/// Name escaping for names/images/: '%' → %25, '/' → %2F. Fails over 255 bytes.
Result<std::string> escape_name(std::string_view name);
std::string unescape_name(std::string_view file);

/// A staging slot: staging/<name> (a directory, created on demand) guarded by
/// staging/<name>.lock, which we hold. A slot whose lock is free belongs to nobody.
struct StagingSlot {
  std::string name;  ///< "staging/<prefix><random>"
  FileLock lock;
};

/// Takes a new slot: creates and locks the lock file (checking it was not swept between open
/// and flock), then creates the directory when `make_dir`.
Result<StagingSlot> new_slot(int rootfd, std::string_view prefix, bool make_dir);

/// Deletes the slots' directories (one worker, in the user namespace when rootless: the files
/// belong to subordinate ids), then their lock files. Errors are returned after trying all.
Status discard_slots(int rootfd, const IdMap& map, std::vector<StagingSlot>& slots);
/// The same for slots holding only files this process's user wrote (an image directory):
/// deleted in this process, without the worker (rootless, starting one costs a fork and two
/// newuidmap/newgidmap runs: most of an rmi's time).
Status discard_own_slots(int rootfd, std::vector<StagingSlot>& slots);

/// Deletes `paths` (relative to the graph root) in one worker as the store's owner.
Status remove_trees(int rootfd, const IdMap& map, const std::vector<std::string>& paths);

/// The exclusive store lock (store.lock).
Result<FileLock> lock_store(int rootfd);

/// Removes staging leftovers (slots whose lock is free), stray temp names in names/images.
/// Call with the store lock held.
Status sweep_staging(int rootfd, const IdMap& map);

/// overlay probe: mounts a tiny overlay with a whiteout and an opaque directory (in a user
/// namespace with userxattr when rootless) and checks both hide the lower files. Returns
/// Overlay, or Vfs with the reason in `why`. `graph_root` is the absolute path of `rootfd`.
Driver probe_driver(int rootfd, const std::string& graph_root, const IdMap& map, std::string& why);

/// Layer metadata, read from layers/<hex>/meta.json; kNotFound unless complete.
Result<LayerInfo> read_layer_meta(int rootfd, std::string_view hex);
Json layer_meta_json(const LayerInfo& l);

/// Image records, read from images/<hex>/record.json (without names).
Result<ImageRecord> read_image_record(int rootfd, std::string_view hex);
Json image_record_json(const ImageRecord& r);

/// The listing summary of a record (images/<hex>/summary: one line, no newline), and its parser.
std::string image_summary(const ImageRecord& r);
bool parse_summary(std::string_view line, ImageRecord& r);
/// images/<hex>/summary is a symlink whose target is the summary line, so listing an image costs
/// one readlinkat instead of open, read and close (500 images: ~1000 system calls less). Stores
/// written before hold a regular file, which the reader still accepts. The writer replaces an
/// existing summary atomically (temp symlink, rename).
Status write_summary_at(int dirfd, const std::string& path, const ImageRecord& r);
/// The summary line at `path` (symlink or file), without a trailing newline; nullopt if none.
std::optional<std::string> read_summary_at(int dirfd, const std::string& path);

/// Every name in names/images: image hex → names. Dangling and temp names are skipped.
std::map<std::string, std::vector<std::string>> read_all_names(int rootfd);
/// The image hex a name points to ("" if none).
std::string read_name(int rootfd, std::string_view name);
/// Points `name` at image `hex` atomically (temp symlink + rename over).
Status set_name(int rootfd, std::string_view name, std::string_view hex);

/// Moves layer `l` into a new staging slot (appended to `trash`) and unlinks its l/ link.
/// Call with the store lock held; delete the trash after releasing it.
Status unpublish_layer(int rootfd, const LayerInfo& l, std::vector<StagingSlot>& trash);
/// Moves `path` (e.g. "images/<hex>", "layers/<hex>") into a new staging slot.
Status move_to_trash(int rootfd, const std::string& path, std::vector<StagingSlot>& trash);

/// Sorts names into tags and repo digests.
void split_names(const std::vector<std::string>& names, ImageRecord& r);

/// Emits a warning through the hooks (or log::warn).
void emit_warning(const StoreOptions& o, std::string_view msg);

}  // namespace detail
}  // namespace skiff::storage
