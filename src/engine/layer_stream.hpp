#pragma once
// Private to src/engine: storing a worker's tar stream as a layer (commit, and build's COPY/ADD).

#include <optional>
#include <string>

#include "skiff/storage/store.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::engine {

/// Reads up to `limit` bytes (less only at the end of the stream).
Result<std::string> read_head(ByteSource& src, size_t limit);

/// Stores the tar read from `src` as a layer on `parent_chain`; nullopt when the tar is empty
/// (only zero blocks in its first 10 KiB: nothing is stored).
Result<std::optional<storage::LayerInfo>> store_layer_stream(storage::Store& store, const std::string& parent_chain,
                                                             ByteSource& src);

}  // namespace skiff::engine
