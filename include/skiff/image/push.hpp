#pragma once
// Push: store → registry. For each layer, bottom first in the manifest, up to 3 at once:
//
//   1. a layer with a known blob (the manifest it was pulled with, or a blob kept from an
//      earlier push): HEAD in the destination ("Layer already exists"), else a
//      cross-repository mount from every repository of the same registry the image is named
//      in ("Mounted from …"), else the kept blob's bytes, the very blob that was pulled, so
//      pull → push keeps every digest;
//   2. otherwise (a committed, built or imported layer, or a blob not kept): the layer's tar
//      is read from the store (the caller's open_layer_tar: a worker in the store's user
//      namespace), compressed (gzip, or zstd) in a thread while the upload sends the chunks
//      already compressed, and the blob is kept with the layer for the next push. If the tar
//      read back differs from the one the layer was made from (its diff ID), the config's
//      rootfs.diff_ids are rewritten to match what was pushed.
//
// Then the config and the manifest: the stored manifest bytes unchanged when every blob is
// the one it names (its digest is kept), else a new one (Docker schema 2, or OCI when the
// image came as OCI or with --compression-format zstd). The manifest is put last: a failed
// push leaves no tag pointing at missing blobs, and failed uploads are cancelled.

#include <functional>
#include <memory>
#include <string>

#include "skiff/image/pull.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/client.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::storage {
class Store;
struct ImageRecord;
struct LayerInfo;
}  // namespace skiff::storage

namespace skiff::image {

/// A layer's uncompressed tar being produced (by a worker): read it to the end, then
/// finish() says whether the producer succeeded.
class LayerTar : public ByteSource {
 public:
  virtual Status finish() = 0;
};

struct PushOptions {
  registry::ClientOptions client;
  Compression compression = Compression::Gzip;  ///< for layers compressed by this push
  int parallel = 3;                             ///< layers uploaded at once
  std::function<void(const PullEvent&)> progress;  ///< LayerStatus events and messages; serialised
  /// Opens the tar of a layer that has no blob to send.
  std::function<Result<std::unique_ptr<LayerTar>>(const storage::LayerInfo&)> open_layer_tar;
};

struct PushResult {
  std::string digest;  ///< the manifest's digest, "sha256:…"
  uint64_t size = 0;   ///< the manifest's size in bytes
  std::string tag;     ///< the tag pushed ("latest"), or "" for a push by digest
};

/// Pushes image `img` of `store` to `dest` (fully qualified; tag defaults to latest).
Result<PushResult> push(storage::Store& store, const storage::ImageRecord& img, const oci::Reference& dest,
                        const PushOptions& o);

}  // namespace skiff::image
