#pragma once
// Whole-tree operations on an extracted layer directory: the content digest that `system
// check` verifies, and the vfs driver's snapshot merge. All of them walk by directory fd,
// never follow symlinks, and keep memory flat (one open directory per level of depth; the
// caller raises RLIMIT_NOFILE for deep trees, see raise_nofile_limit()).

#include <cstdint>
#include <string>

#include "skiff/util/result.hpp"
#include "skiff/util/sha256.hpp"

namespace skiff::storage {

/// The content digest of the tree under `rootfd`: "sha256:<hex>".
///
/// Each entry (the root included) contributes the SHA-256 of one canonical line:
///   path NUL type+mode NUL uid:gid NUL detail NUL xattrs
/// where path is root-relative ("/" for the root), type+mode is one letter (d f l c b p s)
/// and the octal permission bits, detail is the size and SHA-256 of the content for files,
/// the target for symlinks, major:minor for devices, and xattrs (files and directories only:
/// the others cannot carry the user.* ones) are `name=hex(value)` sorted by name
/// (security.selinux excluded: it depends on the host's policy). Ids are as seen by
/// the walking process, so the digest of a rootless store must be computed inside its user
/// namespace (ids then read as the image's).
/// The digest is the SHA-256 of the entry count and the sum, modulo 2^256, of the entry
/// hashes: a multiset hash, so the walk can go in readdir order without sorting or keeping
/// names, whatever the number of entries. It detects torn, truncated or modified content
/// (power loss, disk errors, edits); it is not meant to resist someone who can already write
/// the store (they could rewrite meta.json as well).
/// `fresh` is an unused SHA-256 context to clone from (see Sha256::clone()). With the spool
/// of the extraction that made the tree, files hashed while they were written are not read
/// again (up to 262,144 of them: a fixed cap keeps memory bounded; the rest are read).
Result<std::string> layer_content_digest(int rootfd, const Sha256& fresh, int spool_fd = -1);

/// vfs: completes a freshly extracted layer (extracted with WhiteoutMode::VfsMarkers into
/// `rootfd`) into a full snapshot by copying the parent snapshot `parent_rootfd` underneath
/// it: an entry of the new layer wins over the parent's; directories present in both are
/// merged unless the new one holds an opaque marker; parent entries with a whiteout marker
/// are not copied. Then every marker listed in the spool is removed. Copies keep type, mode,
/// owner, times, xattrs, hard links (within the copy) and use reflinks or copy_file_range.
Status merge_parent_snapshot(int parent_rootfd, int rootfd, int spool_fd);

/// Removes every marker the spool lists (vfs layers without a parent need only this).
Status remove_spooled_markers(int rootfd, int spool_fd);

/// Raises this process's soft RLIMIT_NOFILE to its hard limit (tree walks hold one fd per
/// level of depth; a 4096-byte path can be 2048 levels deep). Workers call it.
void raise_nofile_limit();

}  // namespace skiff::storage
