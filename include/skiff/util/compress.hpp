#pragma once
// Stream compression for layer blobs: gzip (zlib) and zstd (libzstd), in the I/O plugin
// (src/util/compress_plugin.cpp). Detection is by magic number, as Docker and containerd do:
// media types lie often enough that the bytes are the authority.

#include <memory>
#include <string_view>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff {

enum class Compression { None, Gzip, Zstd };

/// "none", "gzip", "zstd".
std::string_view compression_name(Compression c);

/// The compression the first bytes of a stream announce: 1f 8b → gzip, 28 b5 2f fd → zstd,
/// anything else (including fewer than 4 bytes) → none.
Compression detect_compression(std::string_view head);

/// A source yielding the decompressed bytes of `inner` (not owned). Gzip accepts several
/// concatenated members; zstd several frames; anything after the last member/frame that is not
/// another one, and a stream that ends mid-member, are kCorrupt errors on read(). Memory is
/// fixed: 128 KiB buffers, plus the zstd window the frame asks for (libzstd refuses windows
/// over 128 MiB; ordinary layers use 1-8 MiB).
Result<std::unique_ptr<ByteSource>> make_decompressor(ByteSource& inner, Compression c);

/// Peeks at the first bytes of `inner` (not owned), detects the compression and returns a
/// source yielding the decompressed stream (the peeked bytes are not lost). `detected`, when
/// given, receives what was found.
Result<std::unique_ptr<ByteSource>> make_auto_decompressor(ByteSource& inner,
                                                           Compression* detected = nullptr);

/// A sink that compresses into `inner` (not owned). `level` < 0 picks the library default
/// (gzip 6, zstd 3). close() writes the trailer and closes `inner`. Output is deterministic:
/// gzip headers carry no name and mtime 0.
Result<std::unique_ptr<ByteSink>> make_compressor(ByteSink& inner, Compression c, int level = -1);

/// The plugin's entry points `skiff_decompressor_v1` / `skiff_compressor_v1` (extern "C"; null
/// when the compression is unknown).
using DecompressorFactory = ByteSource* (*)(ByteSource* inner, int compression);
using CompressorFactory = ByteSink* (*)(ByteSink* inner, int compression, int level);

}  // namespace skiff
