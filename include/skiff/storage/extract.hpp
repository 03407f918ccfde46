#pragma once
// Layer extraction: a tar stream becomes files under a layer root directory, and nothing it
// says can write anywhere else.
//
// This is where hostile input arrives (a registry, a `docker load`ed file, a build context),
// so the rules are written down here, and tests/unit/storage/extract_test.cpp proves each of
// them with a canary file outside the root.
//
// HOW PATHS ARE RESOLVED
//   Every entry is resolved relative to the layer root's directory fd with openat2(2)
//   RESOLVE_IN_ROOT (util/safe_path.hpp): symlinks met on the way, whatever they say and
//   whoever created them, are resolved as if the layer root were "/". Paths are never built
//   by joining strings. The last component is never followed: an existing entry there is
//   removed and replaced (a directory replaced by a directory is kept and merged, as Docker
//   does), files are created with O_CREAT|O_EXCL|O_NOFOLLOW, so no write ever goes through a
//   symlink or into an inode a hard link shares.
//
// REJECTED (the whole layer fails with an error naming the entry; Docker's pkg/archive
// rejects the same things as "breakout" errors):
//   - a name that climbs above the root once cleaned ("../x", "a/../../x");
//   - a hard link whose target name climbs above the root, does not exist in the layer, is
//     a directory, or is a whiteout;
//   - names longer than 4096 bytes or with a component longer than 255 bytes (ENAMETOOLONG);
//   - a non-directory entry for the root itself, an unknown entry type, a whiteout with an
//     empty name, and a ".wh."-prefixed name used as a directory ("x/.wh.a/b");
//   - rootless: an owner outside the user-namespace mapping (the error names /etc/subuid).
// SANITISED (the layer is extracted, and the caller is told):
//   - absolute names ("/etc/passwd") are taken relative to the root (Docker: same);
//   - parent directories missing from the archive are created 0755 root:root (Docker: same);
//   - rootless: character and block devices are skipped with a warning (rootless Podman and
//     Docker in a userns skip them silently); FIFOs are created;
//   - single-id mapping (no /etc/subuid range): every owner becomes 0, with one warning;
//   - extended attributes: user.* (except user.overlay.*), security.capability and
//     system.posix_acl_* are applied; others (trusted.*, security.selinux, user.overlay.*:
//     they would let a layer forge overlayfs metadata) are skipped with a warning;
//   - aufs metadata (".wh..wh.plnk", ".wh..wh.aufs", …) is skipped, as Docker does.
// KEPT AS THE IMAGE SAYS:
//   - symlink targets, whatever they say: absolute ("/etc/passwd") or climbing above the root
//     ("a/l -> ../../../../etc", which real images hold; Docker and Podman accept them). A
//     target is never followed here, and every later use resolves it inside the root: the
//     kernel in the container (".." of "/" is "/"), skiff with RESOLVE_IN_ROOT (cp, volumes,
//     mount points, the working directory). Only the entry's own *name* must stay inside.
//   - setuid/setgid/sticky bits (images need `su`, `ping`, …; Docker keeps them). They are
//     set after chown (which would clear them). The store's directories are 0700, so no other
//     host user can reach a layer's setuid files; rootless, their owners are subordinate ids.
//   - device nodes when rootful (Docker: same), modes, owners, mtimes (directories' mtimes
//     are applied at the end, from a spool file, so memory stays flat), file capabilities.
//   - Hard link entries link to the earlier entry; their own header metadata is not applied
//     (the inode keeps the metadata of the entry that created it).
//
// SPARSE FILES (GNU and PAX 0.0/0.1/1.0 sparse entries): only the data ranges are written,
// at their offsets; holes stay holes (the size is set with ftruncate), so a 10 KiB archive
// claiming a 1 TiB file costs 10 KiB of work, and the content digest never reads the holes
// (layer_tree.hpp, content format 2). What an entry may claim is capped: data outside the
// size it declares fails the layer, and a size the filesystem cannot hold (EFBIG) is named.
//
// WHITEOUTS (OCI image spec, "Representing Changes"): `d/.wh.name` hides d/name of lower
// layers; `d/.wh..wh..opq` hides all of d's lower children. Entries of the same layer are
// never hidden by its own whiteouts, whatever their order in the archive.
//   Overlay: `.wh.name` becomes a 0:0 character device (skipped when the layer itself already
//   has d/name), `.wh..wh..opq` sets `trusted.overlay.opaque=y` on d, or with `userxattr`
//   (rootless) `user.overlay.opaque=y`.
//   VfsMarkers: whiteouts are recorded as empty marker files under their own names and in the
//   spool; merge_parent_snapshot() (layer_tree.hpp) applies them as deletions while it copies
//   the parent underneath, then removes the markers.
//   Ignore: whiteouts are dropped (a base layer has nothing below it).
//
// MEMORY stays flat: nothing is kept per entry; a parent-directory fd is cached between
// consecutive entries of the same directory and dropped whenever anything is removed or a
// symlink is created.

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/util/archive.hpp"
#include "skiff/util/result.hpp"
#include "skiff/util/sha256.hpp"

namespace skiff::storage {

/// How OCI whiteouts are materialised.
enum class WhiteoutMode {
  OverlayTrusted,  ///< rootful overlay: 0:0 char devices, trusted.overlay.opaque
  OverlayUser,     ///< overlay with userxattr: 0:0 char devices, user.overlay.opaque
  VfsMarkers,      ///< marker files + spool records, applied later by merge_parent_snapshot()
  Ignore,          ///< drop them
  Literal,         ///< no whiteouts: ".wh."-prefixed names are ordinary files (cp copies
                   ///< files, it does not apply layers)
};

struct ExtractOptions {
  WhiteoutMode whiteouts = WhiteoutMode::Ignore;
  bool rootless = false;       ///< running in a user namespace: skip char/block devices
  bool single_id = false;      ///< only id 0 is mapped: every owner becomes 0:0
  uint64_t uid_count = 1ull << 32;  ///< owners must be below these (rootless mapping size)
  uint64_t gid_count = 1ull << 32;
  bool chown = true;           ///< apply owners (false: keep the extracting process's ids)
  int spool_fd = -1;           ///< where directory mtimes and whiteout markers are recorded
                               ///< (an empty file opened O_RDWR); -1: do not restore dir mtimes
  const Sha256* fresh = nullptr;  ///< when set (with a spool), regular files are hashed as they
                                  ///< are written and the hashes spooled, so the content digest
                                  ///< (layer_tree.hpp) need not read them back
  bool skip_root = false;      ///< an entry for the root itself is ignored instead of applied
                               ///< (cp: Docker's Untar skips ".", the destination keeps its mode)
  bool keep_types = false;     ///< never replace a directory by a non-directory or the reverse:
                               ///< fail instead (cp: Docker's NoOverwriteDirNonDir)
  const char* noun = "layer entry";  ///< how errors name an entry ("layer entry \"a/b\": …")
};

/// What an extraction did. Warnings are counted here and phrased by warnings().
struct ExtractStats {
  uint64_t entries = 0;          ///< tar entries read
  uint64_t file_bytes = 0;       ///< data bytes of regular files written (the layer's size)
  uint64_t whiteouts = 0;        ///< whiteout entries (including opaque markers)
  uint64_t devices_skipped = 0;  ///< rootless: char/block devices not created
  uint64_t owners_squashed = 0;  ///< single-id mapping: entries whose owner became 0:0
  uint64_t xattrs_skipped = 0;   ///< extended attributes not applied
  uint64_t aufs_skipped = 0;     ///< aufs metadata entries ignored
  std::string first_device, first_xattr;  ///< examples for the warnings
  std::vector<std::string> devices;        ///< the skipped device nodes' paths (the first 100)

  /// Human warnings, one per kind ("skipped 3 device nodes (rootless), e.g. `dev/null`").
  std::vector<std::string> warnings() const;
};

/// Extracts every entry of `tar` under `rootfd` (an O_DIRECTORY fd of the layer root),
/// following the rules above. On error the root holds a partial tree: discard it.
Result<ExtractStats> extract_layer_tar(int rootfd, TarReader& tar, const ExtractOptions& opts);

/// Applies the directory mtimes recorded in the spool (call after everything else has
/// written into the tree, since creating a file changes its directory's mtime).
Status apply_spooled_dir_times(int rootfd, int spool_fd);

/// Cleans a tar entry name into root-relative components ("./a//b/" → {"a","b"}; "/x" →
/// {"x"}); an empty result is the root. Fails if the name climbs above the root.
Result<std::vector<std::string>> clean_entry_path(std::string_view name);

}  // namespace skiff::storage
