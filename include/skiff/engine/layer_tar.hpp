#pragma once
// A stored layer read back as a tar stream (for push): the tar it was stored from, replayed
// from its recorded layout (Store::layer_tar: the bytes its diff ID names). A layer stored
// without a layout is made anew: a worker with the store's ids (rootless: its user namespace)
// walks the layer's directory by fd and writes the tar into a pipe. overlay: the layer's diff
// directory as an upper directory (whiteouts and opaque directories become .wh. entries);
// vfs: the snapshot compared with its parent's.

#include <memory>

#include "skiff/image/push.hpp"
#include "skiff/storage/store.hpp"

namespace skiff::engine {

class Engine;

/// Starts the worker; read the returned stream to its end, then finish() (the worker's status).
Result<std::unique_ptr<image::LayerTar>> open_layer_tar(Engine& e, storage::Store& store,
                                                        const storage::LayerInfo& layer);

}  // namespace skiff::engine
