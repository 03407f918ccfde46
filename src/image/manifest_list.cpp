// Manifest lists stored as images.
#include "skiff/image/manifest_list.hpp"

#include "skiff/oci/reference.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/registry/http.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/time.hpp"

namespace skiff::image {

namespace {

constexpr std::string_view kListLabel = "io.skiff.manifest-list";

oci::Platform platform_of(const oci::ImageConfig& c) {
  oci::Platform p;
  p.architecture = c.platform.architecture;
  p.os = c.platform.os;
  p.variant = c.platform.variant;
  p.os_version = c.platform.os_version;
  p.os_features = c.platform.os_features;
  return p;
}

}  // namespace

bool is_list_media_type(std::string_view mt) {
  return mt == oci::media::kOciIndex || mt == oci::media::kDockerManifestList;
}

Result<ManifestList> read_list(storage::Store& store, const storage::ImageRecord& rec) {
  std::string shown = rec.tags.empty() ? rec.id : rec.tags[0];
  if (!is_list_media_type(rec.manifest_media_type))
    return fail(kInvalid, fmt::format("{} is not a manifest list", shown));
  ManifestList l;
  l.id = rec.id;
  l.names = rec.tags;
  auto raw = TRY(store.image_manifest(rec.id));
  l.index = TRY_CTX(oci::parse_index(raw, rec.manifest_media_type), "manifest list {}", shown);
  return l;
}

Result<std::string> store_list(storage::Store& store, oci::Index index, const std::vector<std::string>& names,
                               const std::string& old_id) {
  bool docker = true;
  for (auto& m : index.manifests)
    if (m.media_type != oci::media::kDockerManifest) docker = false;
  index.schema_version = 2;
  index.media_type = docker ? oci::media::kDockerManifestList : oci::media::kOciIndex;
  index.raw = oci::to_json(index);

  std::string created = format_rfc3339(now_ns());
  Json cfg = Json::object();
  cfg["created"] = created;
  cfg["architecture"] = "";
  cfg["os"] = "";
  cfg["config"] = Json::object();
  cfg["config"]["Labels"] = Json::object();
  cfg["config"]["Labels"][std::string(kListLabel)] = random_hex(16);
  cfg["rootfs"] = Json::object();
  cfg["rootfs"]["type"] = "layers";
  cfg["rootfs"]["diff_ids"] = Json::array();

  storage::NewImage ni;
  ni.config = to_json(cfg);
  ni.manifest = index.raw;
  ni.manifest_digest = TRY(sha256_digest(index.raw));
  ni.manifest_media_type = index.media_type;
  ni.names = names;
  ni.created_ns = now_ns();
  auto rec = TRY(store.create_image(ni));
  if (!old_id.empty() && old_id != rec.id) {
    // The names moved to the new record: the old one is untagged now.
    if (auto old = store.lookup_image(old_id); old && old->tags.empty())
      (void)store.remove_image(old_id);
  }
  return rec.id;
}

Result<oci::Descriptor> local_entry(storage::Store& store, const storage::ImageRecord& rec) {
  std::string shown = rec.tags.empty() ? rec.id : rec.tags[0];
  if (is_list_media_type(rec.manifest_media_type))
    return fail(kInvalid, fmt::format("{} is a manifest list: add its images instead", shown));
  auto raw = TRY(store.image_manifest(rec.id));
  if (raw.empty() || rec.manifest_digest.empty())
    return fail(kInvalid, fmt::format("image {} has no registry manifest (it was built, committed or loaded from a "
                                      "docker-archive): push it and add the pushed reference",
                                      shown));
  auto cfg = TRY(oci::parse_image_config(TRY(store.image_config(rec.id))));
  oci::Descriptor d;
  d.media_type = rec.manifest_media_type.empty() ? std::string(oci::media::kOciManifest) : rec.manifest_media_type;
  d.digest = TRY(oci::Digest::parse(rec.manifest_digest));
  d.size = int64_t(raw.size());
  d.platform = platform_of(cfg);
  return d;
}

namespace {

struct Remote {
  std::unique_ptr<registry::HttpTransport> transport;
  std::unique_ptr<registry::Client> client;
};

Result<Remote> connect(const registry::ClientOptions& o) {
  Remote r;
  r.transport = TRY(registry::make_http_transport());
  auto env = registry::ConfigEnv::from_process();
  auto conf = TRY(registry::load_registries_conf(env));
  r.client = std::make_unique<registry::Client>(*r.transport, env, std::move(conf), o);
  return r;
}

Result<oci::Reference> full_ref(const std::string& text) {
  auto ref = TRY(oci::Reference::parse(text));
  return ref.digest() ? ref : ref.with_default_tag();
}

}  // namespace

Result<std::vector<oci::Descriptor>> remote_entries(const std::string& text, bool all, const registry::ClientOptions& o) {
  auto ref = TRY(full_ref(text));
  auto r = TRY(connect(o));
  auto top = TRY(r.client->fetch_manifest(ref));
  std::vector<oci::Descriptor> out;
  auto entry_for = [&](const std::string& bytes, const std::string& media_type, const oci::Digest& digest,
                       const registry::PullSource& src) -> Result<oci::Descriptor> {
    auto m = TRY(oci::parse_manifest(bytes, media_type));
    auto cfg_raw = TRY(r.client->fetch_blob_bytes(src, m.config, oci::kMaxConfigBytes));
    auto cfg = TRY(oci::parse_image_config(cfg_raw));
    oci::Descriptor d;
    d.media_type = m.media_type.empty() ? std::string(oci::media::kOciManifest) : m.media_type;
    d.digest = digest;
    d.size = int64_t(bytes.size());
    d.platform = platform_of(cfg);
    return d;
  };
  if (top.kind == oci::DocumentKind::kManifest) {
    out.push_back(TRY(entry_for(top.bytes, top.media_type, top.digest, top.source)));
    return out;
  }
  auto index = TRY(oci::parse_index(top.bytes, top.media_type));
  if (all) {
    for (auto& d : index.manifests) out.push_back(d);
    return out;
  }
  auto d = TRY(oci::select_platform(index, oci::Platform::host()));
  out.push_back(d);
  return out;
}

Result<std::string> remote_manifest(const std::string& text, const registry::ClientOptions& o) {
  auto ref = TRY(full_ref(text));
  auto r = TRY(connect(o));
  auto m = TRY(r.client->fetch_manifest(ref));
  return m.bytes;
}

Result<std::string> push_list(const ManifestList& list, const std::string& dest, const registry::ClientOptions& o) {
  auto ref = TRY(full_ref(dest));
  auto r = TRY(connect(o));
  auto sources = TRY(registry::pull_sources(r.client->registries_conf(), ref));
  registry::PullSource target;
  for (auto& s : sources)
    if (!s.mirror) target = s;
  if (target.ref.domain().empty()) return fail(kInvalid, fmt::format("{}: no registry to push to", dest));
  auto d = r.client->put_manifest(registry::PushTarget{target.ref, target.insecure}, list.index.media_type,
                                  list.index.raw);
  if (!d) {
    // The registry checks that every manifest the list names is in the repository already.
    Error e = std::move(d).error();
    if (e.msg.find("blob unknown") != std::string::npos || e.msg.find("manifest unknown") != std::string::npos)
      e.msg += fmt::format(": an image of the list is not in {} yet (push it first)", target.ref.name());
    return e;
  }
  return d->str();
}

void apply_edit(oci::Descriptor& d, const EntryEdit& e) {
  if (!d.platform) d.platform = oci::Platform{};
  auto& p = *d.platform;
  if (!e.os.empty()) p.os = e.os;
  if (!e.arch.empty()) p.architecture = e.arch;
  if (!e.variant.empty()) p.variant = e.variant;
  if (!e.os_version.empty()) p.os_version = e.os_version;
  if (!e.os_features.empty()) p.os_features = e.os_features;
  if (!e.features.empty()) p.features = e.features;
  for (auto& [k, v] : e.annotations) d.annotations[k] = v;
}

}  // namespace skiff::image
