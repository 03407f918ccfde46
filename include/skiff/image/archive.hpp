#pragma once
// save and load: images to and from archives that Docker, Podman and skopeo read and write.
//
// save writes, for every format, layers as uncompressed tars whose digest is the diff ID (the
// store reproduces each layer's original bytes from its recorded tar layout), so a save → load
// round trip keeps the image ID:
//   docker-archive  Docker 25's layout: an OCI image layout (oci-layout, index.json, blobs/)
//                   plus manifest.json ([{Config, RepoTags, Layers}]) in one tar; older Docker,
//                   Podman and skopeo read it through manifest.json, OCI tools through index.json
//   oci-archive     the OCI image layout alone, tarred; index.json names each image with
//                   org.opencontainers.image.ref.name (the full reference) and
//                   io.containerd.image.name
//   oci-dir         the same layout in a directory
//   docker-dir      containers/image's `dir:` transport (manifest.json, version, blobs by hex)
// load reads docker-archive (legacy <id>/layer.tar and Docker 25 layouts) and oci-archive,
// gzip- or zstd-compressed or not. The archive is unpacked into a private temporary directory
// first (its manifest may come last); entries that would escape it (absolute paths, "..",
// symlinks pointing out, hard links, devices) are refused. Every blob named by a digest is
// checked, the layers' diff IDs by the store; on any error the layers this load created and
// no image uses are removed again, so nothing is left half-stored.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::storage {
class Store;
}

namespace skiff::image {

enum class ArchiveFormat { DockerArchive, OciArchive, OciDir, DockerDir };

/// "docker-archive", "oci-archive", "oci-dir", "docker-dir".
Result<ArchiveFormat> parse_archive_format(std::string_view s);
/// True for the formats written as one tar stream.
inline bool is_tar_format(ArchiveFormat f) { return f == ArchiveFormat::DockerArchive || f == ArchiveFormat::OciArchive; }

/// One image to save, with the names it is saved under (normalised references with a tag,
/// "docker.io/library/busybox:latest"; none: saved untagged).
struct SaveItem {
  std::string image_id;
  std::vector<std::string> names;
};

/// Writes a tar-format archive (docker-archive or oci-archive) of `items` to `out`.
Status save_archive(storage::Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, ByteSink& out);

/// Writes an oci-dir or docker-dir layout into `dir` (created; an existing directory must be
/// empty). docker-dir holds one image.
Status save_dir(storage::Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, const std::string& dir);

struct LoadedImage {
  std::string image_id;
  std::vector<std::string> names;  ///< normalised references it was tagged with
};

struct LoadOptions {
  std::string tmp_dir;  ///< where the archive is unpacked (default: $TMPDIR or /var/tmp)
};

/// Reads an archive (possibly compressed) from `in` and stores its images and names.
Result<std::vector<LoadedImage>> load_archive(storage::Store& store, ByteSource& in, const LoadOptions& o = {});

}  // namespace skiff::image
