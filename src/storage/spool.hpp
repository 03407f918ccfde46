#pragma once
// The extraction spool: an append-only file of small records written while a layer is
// extracted (directory mtimes to restore at the end, whiteout markers for the vfs merge) and
// read back sequentially afterwards. It keeps what would otherwise be per-entry memory on
// disk, so extraction memory stays flat whatever the number of entries.
//
// Record: kind (1 byte) | path length (u32) | seconds (i64) | nanoseconds (u32) | path bytes.
// Host byte order: the file never leaves the process that wrote it.

#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/util/result.hpp"

namespace skiff::storage {

enum class SpoolKind : char {
  DirTime = 'D',        ///< restore the mtime of directory `path`
  WhiteoutMarker = 'W', ///< `path` is a vfs whiteout marker file (".wh.<name>")
  OpaqueMarker = 'O',   ///< `path` is a vfs opaque marker file (".wh..wh..opq")
  FileHash = 'H',       ///< regular file inode `sec`: `path` holds its SHA-256 (32 bytes) and
                        ///< size (8 bytes), hashed while it was written
  FileGone = 'X',       ///< inode `sec` lost its last name: forget its FileHash
};

struct SpoolRecord {
  SpoolKind kind = SpoolKind::DirTime;
  std::string path;  ///< root-relative, no leading '/', "" for the root
  int64_t sec = 0;
  uint32_t nsec = 0;
};

/// Buffers records and appends them to `fd` (not owned). flush() before reading back.
class SpoolWriter {
 public:
  explicit SpoolWriter(int fd) : fd_(fd) {}
  bool enabled() const { return fd_ >= 0; }
  Status add(SpoolKind kind, std::string_view path, int64_t sec = 0, uint32_t nsec = 0);
  Status flush();

 private:
  int fd_;
  std::string buf_;
};

/// Reads the records of `fd` (not owned) from the start.
class SpoolReader {
 public:
  explicit SpoolReader(int fd) : fd_(fd) {}
  /// False at the end. A torn record is a kCorrupt error.
  Result<bool> next(SpoolRecord& r);

 private:
  Status fill(size_t need);
  int fd_;
  uint64_t off_ = 0;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
};

}  // namespace skiff::storage
