#pragma once
// Image documents of the OCI image spec and their Docker equivalents: descriptors, image
// manifests (OCI and Docker schema 2), indexes (OCI index, Docker manifest list) and the image
// config. Pure data: parse from bytes (tolerant of unknown fields, strict on required ones,
// size-capped) and serialise. Every parsed document keeps the bytes it came from (`raw`),
// because digests are computed over exactly those bytes: store and hand out `raw`, never a
// re-serialisation.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/digest.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::oci {

/// Media types (OCI image-spec v1.1 and Docker's distribution formats).
namespace media {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciLayerNondistributable =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciLayerNondistributableGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciLayerNondistributableZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerForeignGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
// containerd's names for Docker layers that are not gzip (images/mediatypes.go).
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerForeign = "application/vnd.docker.image.rootfs.foreign.diff.tar";
inline constexpr std::string_view kDockerLayerZstd = "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
}  // namespace media

/// Limits against hostile registries and files.
inline constexpr size_t kMaxManifestBytes = 4u << 20;  ///< manifest or index
inline constexpr size_t kMaxConfigBytes = 8u << 20;    ///< image config
inline constexpr size_t kMaxLayers = 1000;             ///< layers in one manifest
inline constexpr size_t kMaxIndexEntries = 1000;       ///< manifests in one index

/// How a layer blob is compressed, from its media type (util's Compression); nullopt for
/// non-layer types.
std::optional<Compression> layer_compression(std::string_view media_type);
/// True for media types that are image layers we can apply (OCI or Docker tar[+gzip|+zstd]).
bool is_layer_media_type(std::string_view media_type);

/// An os/architecture[/variant] pair, as in index entries and image configs.
struct Platform {
  std::string architecture;  ///< Go GOARCH: amd64, arm64, arm, 386, ppc64le, s390x, riscv64
  std::string os;            ///< Go GOOS: linux, windows, …
  std::string variant;       ///< CPU variant: v7 for arm, v8 for arm64 (optional)
  std::string os_version;    ///< "os.version" (Windows)
  std::vector<std::string> os_features;  ///< "os.features"
  std::vector<std::string> features;     ///< "features" (reserved by the spec)

  /// The platform this binary runs on (os linux, architecture from the build target).
  static Platform host();
  /// Parses Docker's --platform syntax: "os/arch[/variant]", "arch" (os linux) or "os"
  /// (host architecture), normalised (x86_64 → amd64, aarch64 → arm64, armhf → arm/v7…).
  static Result<Platform> parse(std::string_view s);
  /// The platform with architecture aliases and default variants normalised as containerd
  /// does: arm's default variant is "v7", arm64's "v8" is dropped, amd64's "v1" is dropped.
  Platform normalized() const;
  /// "os/arch" or "os/arch/variant" (as given, not normalised).
  std::string str() const;
};

/// True if an image for `offered` runs on `wanted` (normalised comparison of os, architecture
/// and variant; arm v7 also runs v6 and v5 images). Empty fields of `wanted` match anything.
bool platform_matches(const Platform& wanted, const Platform& offered);

/// A content descriptor: what a manifest or index points at.
struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;  ///< index entries only
  std::string artifact_type;
  std::string data;                  ///< "data" (base64, as found; not decoded)
};

/// An image manifest: OCI image manifest or Docker schema 2 (same shape).
struct Manifest {
  int schema_version = 2;
  std::string media_type;  ///< from the document, or the Content-Type it was served with
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  std::string raw;  ///< the bytes parsed (or produced by to_json())

  /// True for Docker schema 2 (the media type says so).
  bool is_docker() const { return media_type == media::kDockerManifest; }
};

/// An index: OCI image index or Docker manifest list.
struct Index {
  int schema_version = 2;
  std::string media_type;
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
  std::string raw;
};

/// The runtime defaults in an image config ("config" member).
struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports;  ///< keys of ExposedPorts: "80/tcp"
  std::vector<std::string> env;            ///< "K=V"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  bool has_entrypoint = false;             ///< Entrypoint present (even if null/empty)
  bool has_cmd = false;                    ///< Cmd present
  std::vector<std::string> volumes;        ///< keys of Volumes
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;               ///< Windows only; kept for round trips
  Json healthcheck;                        ///< Docker's Healthcheck object, as found (or null)
  std::vector<std::string> on_build;       ///< Docker's OnBuild
  std::vector<std::string> shell;          ///< Docker's Shell
};

/// One history entry of an image config.
struct History {
  std::string created;     ///< RFC 3339, as found
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

/// An image config (application/vnd.oci.image.config.v1+json or Docker's equivalent).
struct ImageConfig {
  std::string created;  ///< RFC 3339, as found
  std::string author;
  Platform platform;    ///< architecture, os, variant, os.version, os.features
  ContainerConfig config;
  std::string rootfs_type = "layers";
  std::vector<Digest> diff_ids;
  std::vector<History> history;
  std::string raw;  ///< the bytes parsed (the image ID is the sha256 of these)
};

/// What a manifest-shaped document is.
enum class DocumentKind { kManifest, kIndex };

/// Classifies a document fetched as a manifest from its Content-Type and its body: a
/// "mediaType" member wins over the Content-Type; without either, the shape decides. Docker
/// schema 1 (by type or "schemaVersion": 1) is kUnsupported with a message saying so; an
/// unknown media type is kUnsupported naming it. `what` names the document in errors.
Result<DocumentKind> classify_manifest(std::string_view bytes, std::string_view content_type,
                                       std::string_view what);

/// Parses an image manifest (≤ kMaxManifestBytes, ≤ kMaxLayers layers). `content_type` is
/// used when the document has no mediaType. Errors are kCorrupt ("`what`: …").
Result<Manifest> parse_manifest(std::string_view bytes, std::string_view content_type = "",
                                std::string_view what = "manifest");
/// Parses an index or manifest list (≤ kMaxManifestBytes, ≤ kMaxIndexEntries entries).
Result<Index> parse_index(std::string_view bytes, std::string_view content_type = "",
                          std::string_view what = "index");
/// Parses an image config (≤ kMaxConfigBytes). architecture, os and rootfs are required.
Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view what = "image config");

/// Serialises (compact, keys in the OCI spec's order). The result is what `raw` should hold
/// for a document we create; parsed documents keep their original bytes instead.
std::string to_json(const Manifest& m);
std::string to_json(const Index& ix);
std::string to_json(const ImageConfig& c);
Json descriptor_json(const Descriptor& d);
Json platform_json(const Platform& p);

/// Picks the manifest for `wanted` from an index: the first entry whose platform matches
/// exactly (normalised), else, for arm, the best older variant. Entries without a platform
/// and attestation entries ("unknown/unknown") are skipped. No match is kNotFound:
/// "no matching manifest for linux/amd64 in the manifest list entries (offered: linux/arm64,
/// linux/arm/v7)".
Result<Descriptor> select_platform(const Index& index, const Platform& wanted);

}  // namespace skiff::oci
