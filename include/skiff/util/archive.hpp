#pragma once
// Tar streams: a reader over a ByteSource and a writer to a ByteSink.
//
// Implemented with libarchive in the I/O plugin (src/util/archive_plugin.cpp). The reader
// handles the tar *format* only (ustar, pax, GNU long names and sparse files): compressed
// layers are decompressed by util/compress.hpp first, so the caller can hash the
// uncompressed stream (the diff ID) on its way in. Neither side interprets paths: the reader
// reports names exactly as stored (raw bytes; "../x" and "/etc/x" included) and the consumer
// (storage/extract.hpp) decides what they mean.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff {

/// What a tar entry is. Hardlink entries carry their target in `link_target`.
enum class TarType { File, Dir, Symlink, Hardlink, Char, Block, Fifo, Other };

/// One tar header, decoded. Names are raw bytes as stored (PAX UTF-8 names come back as
/// UTF-8, ustar names unconverted).
struct TarEntry {
  std::string path;            ///< as stored: may be absolute, contain "..", end in '/'
  TarType type = TarType::File;
  uint32_t mode = 0;           ///< permission bits including setuid/setgid/sticky (07777)
  int64_t uid = 0, gid = 0;    ///< numeric owner (names are not used)
  uint64_t size = 0;           ///< bytes of data that follow (File only; 0 for others)
  int64_t mtime = 0;           ///< seconds since the epoch
  uint32_t mtime_nsec = 0;
  std::string link_target;     ///< Symlink: target text; Hardlink: path of the earlier entry
  uint32_t dev_major = 0, dev_minor = 0;  ///< Char/Block
  std::vector<std::pair<std::string, std::string>> xattrs;  ///< SCHILY.xattr.* / LIBARCHIVE.xattr.*
  std::string uname, gname;    ///< informational; written only when non-empty
  /// File entries: the data map of a file with holes, as (offset, length) ranges. Reader: the
  /// map the archive declares (empty for a dense entry; not validated). Writer: ranges in
  /// increasing order within [0, size); empty writes the entry densely, else a GNU sparse 1.0
  /// PAX entry (what GNU tar, Go's archive/tar and libarchive read) holding only these
  /// ranges; the rest of the file is holes.
  std::vector<std::pair<uint64_t, uint64_t>> sparse;
};

/// A contiguous piece of an entry's data: `size` bytes that belong at byte `offset` of the
/// file (offsets jump over holes of sparse files). `size == 0` marks the end of the data.
struct TarBlock {
  const char* data = nullptr;
  size_t size = 0;
  uint64_t offset = 0;
};

/// Reads entries one after the other. Memory stays bounded whatever the archive holds
/// (libarchive refuses special headers, such as PAX records and GNU long names, over 1 MiB).
class TarReader {
 public:
  virtual ~TarReader() = default;
  /// Advances to the next entry (skipping unread data of the current one). Returns false at
  /// the end of the archive. A malformed or truncated archive is a kCorrupt error.
  virtual Result<bool> next(TarEntry& entry) = 0;
  /// The next block of the current entry's data; valid until the next call. Zero-copy.
  virtual Result<TarBlock> read_block() = 0;
  /// Copies up to `n` bytes of the current entry's data (holes read as zeros); 0 at its end.
  virtual Result<size_t> read_data(void* buf, size_t n) = 0;
};

/// Starts reading a tar stream from `src` (not owned; must outlive the reader). An empty
/// stream (zero bytes) is a valid, empty archive. Never fails except when the plugin cannot
/// be loaded; format errors surface from next().
Result<std::unique_ptr<TarReader>> make_tar_reader(ByteSource& src);

/// Writes a tar stream: deterministic PAX (ustar headers, PAX records only where ustar cannot
/// hold a value), no padding past the two end-of-archive blocks, the same bytes for the same
/// entries every time (no atime, ctime, pid or host names are recorded).
class TarWriter {
 public:
  virtual ~TarWriter() = default;
  /// Writes the header of `e`. For File entries, exactly `e.size` bytes of data must follow
  /// through write_data() before the next add() or finish() (a sparse entry: the bytes of its
  /// ranges only, one after the other; its holes cost nothing).
  virtual Status add(const TarEntry& e) = 0;
  virtual Status write_data(std::string_view data) = 0;
  /// Writes the end-of-archive blocks and closes the sink. Idempotent.
  virtual Status finish() = 0;
};

/// Starts writing a tar stream to `sink` (not owned).
Result<std::unique_ptr<TarWriter>> make_tar_writer(ByteSink& sink);

/// The plugin's entry points `skiff_tar_reader_v1` / `skiff_tar_writer_v1` (extern "C"; the
/// objects returned are owned by the caller and deleted normally: same toolchain, same ABI).
using TarReaderFactory = TarReader* (*)(ByteSource* src);
using TarWriterFactory = TarWriter* (*)(ByteSink* sink);

}  // namespace skiff
