#pragma once
// Whole-tree operations on an extracted layer directory: the content digest that `system
// check` verifies, and the vfs driver's snapshot merge. All of them walk by directory fd,
// never follow symlinks, and keep memory flat (one open directory per level of depth; the
// caller raises RLIMIT_NOFILE for deep trees, see raise_nofile_limit()).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "skiff/util/result.hpp"
#include "skiff/util/sha256.hpp"

namespace skiff::storage {

/// Content digest formats. 1: a file's detail is "size sha256-of-its-bytes" (reads every byte,
/// holes included: layers made before format 2 keep it). 2 (new layers): "size z<hash>" with
/// the ChunkHasher hash below, which skips zero chunks, so holes are never read.
inline constexpr int kContentFormat = 2;

/// The file hash of content format 2: SHA-256 over, for each kSparseChunk-aligned chunk of the
/// file (util/sparse.hpp; the last one ends at the file's size) that holds a non-zero byte,
/// its offset as 8 little-endian bytes followed by its bytes. It depends on the bytes only, not
/// on where the filesystem has holes. Fed with pieces in increasing offset order; bytes never
/// fed are zeros.
class ChunkHasher {
 public:
  ChunkHasher();
  /// Starts a new file with a fresh context.
  void reset(Sha256 h);
  /// Adds `n` bytes at `offset`. False (and the hash is void) if a piece goes backwards.
  bool feed(uint64_t offset, const char* p, size_t n);
  /// The digest of a file of `size` bytes (every piece fed must lie below `size`).
  void finish(uint64_t size, unsigned char out[32]);

 private:
  void flush(uint64_t len);
  void chunk(uint64_t offset, const char* p, size_t n);
  std::optional<Sha256> h_;
  std::vector<char> buf_;
  uint64_t cur_ = 0, pos_ = 0;
  size_t lo_ = 0, hi_ = 0;  // the dirty part of buf_ (zeros elsewhere)
  bool have_ = false, bad_ = false;
};

/// The content digest of the tree under `rootfd`: "sha256:<hex>".
///
/// Each entry (the root included) contributes the SHA-256 of one canonical line:
///   path NUL type+mode NUL uid:gid NUL detail NUL xattrs
/// where path is root-relative ("/" for the root), type+mode is one letter (d f l c b p s)
/// and the octal permission bits, detail is the size and hash of the content for files
/// (format 1: "size sha256"; format 2: "size z" + the ChunkHasher hash, reading only the
/// ranges SEEK_DATA reports),
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
/// `format` is the layer's recorded content format (kContentFormat for new layers).
Result<std::string> layer_content_digest(int rootfd, const Sha256& fresh, int spool_fd = -1,
                                         int format = kContentFormat);

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
