#pragma once
// Manifest lists (`manifest create|add|annotate|remove|inspect|rm|exists`), kept locally as
// images of their own, as Podman does: the record's manifest is the list (an OCI index, or a
// Docker manifest list when every entry is a Docker manifest), its media type says it is a
// list, and its config is a small image config without layers that is unique to the list
// (a random label), so two lists never share an ID. The store keeps records immutable, so a
// changed list is stored as a new image that takes over the names; the old one is removed.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/image.hpp"
#include "skiff/registry/client.hpp"
#include "skiff/util/result.hpp"

namespace skiff::storage {
class Store;
struct ImageRecord;
}  // namespace skiff::storage

namespace skiff::image {

/// True for the index media types (OCI index, Docker manifest list).
bool is_list_media_type(std::string_view media_type);

/// A list as stored.
struct ManifestList {
  std::string id;                  ///< the list image's ID
  std::vector<std::string> names;  ///< its tags
  oci::Index index;
};

/// The list stored as image `rec`; kInvalid "… is not a manifest list" for other images.
Result<ManifestList> read_list(storage::Store& store, const storage::ImageRecord& rec);

/// Stores `index` (entries as given; the media type is chosen here) as a list image named
/// `names`, replacing image `old_id` ("" for a new list). Returns the new ID.
Result<std::string> store_list(storage::Store& store, oci::Index index, const std::vector<std::string>& names,
                               const std::string& old_id);

/// The list entry for a local image: its stored manifest (by digest and size) with the
/// platform of its config. An image without a manifest (built, committed, loaded from a
/// docker-archive) cannot be listed: kInvalid, saying to push it first.
Result<oci::Descriptor> local_entry(storage::Store& store, const storage::ImageRecord& rec);

/// The entries for a registry image: its manifest with the platform of its config; for an
/// index, the host platform's manifest, or every one with `all`.
Result<std::vector<oci::Descriptor>> remote_entries(const std::string& ref, bool all,
                                                    const registry::ClientOptions& o);

/// The manifest or index `ref` names in its registry, as served.
Result<std::string> remote_manifest(const std::string& ref, const registry::ClientOptions& o);

/// Pushes the list (its index bytes as stored) to `dest` (a tag). The images it lists must
/// already be in that repository (the registry refuses the list otherwise). Returns the
/// list's digest.
Result<std::string> push_list(const ManifestList& list, const std::string& dest, const registry::ClientOptions& o);

/// Changes to an entry's platform and annotations (empty fields: unchanged).
struct EntryEdit {
  std::string os, arch, variant, os_version;
  std::vector<std::string> os_features, features;
  std::map<std::string, std::string> annotations;
};
void apply_edit(oci::Descriptor& d, const EntryEdit& e);

}  // namespace skiff::image
