#pragma once
// Files with holes: what a file really holds (SEEK_DATA/SEEK_HOLE), copies that keep the holes,
// and the zero-chunk map that tar streams and content digests use, so that a file with a
// 1 TiB hole costs what its data costs, never 1 TiB of reads or writes.

#include <sys/types.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff {

/// A byte range of a file: [offset, offset + length).
struct Extent {
  uint64_t offset = 0, length = 0;
  bool operator==(const Extent&) const = default;
};

/// The ranges of `fd` (a regular file of `size` bytes) that may hold data, in order: every
/// byte outside them is a hole and reads as zero. A filesystem without SEEK_DATA reports one
/// range, the whole file. Ranges are the filesystem's (block-aligned, data may be zeros).
Result<std::vector<Extent>> data_extents(int fd, uint64_t size);

/// True if `fd` has at least one hole (a range data_extents() leaves out).
Result<bool> has_holes(int fd, uint64_t size);

/// Copies `size` bytes of `in` to `out` (an empty file), keeping holes: only the data ranges
/// are copied (copy_file_range, else read/write), then `out` is extended to `size`.
Status copy_file_sparse(int in, int out, uint64_t size);

/// The grain of zero-chunk maps: 64 KiB, aligned on the file's offsets.
inline constexpr uint64_t kSparseChunk = 64 * 1024;

/// True if the `n` bytes at `p` are all zero.
bool all_zero(const void* p, size_t n);

/// The logical data map of a file: the maximal runs of kSparseChunk-aligned chunks that hold a
/// non-zero byte (the last chunk ends at `size`). It depends only on the file's bytes, not on
/// how the filesystem stores them; only data ranges (data_extents) are read.
Result<std::vector<Extent>> nonzero_map(int fd, uint64_t size);

}  // namespace skiff
