#include "skiff/oci/image.hpp"

#include <fmt/format.h>

#include "skiff/util/strings.hpp"

namespace skiff::oci {

namespace {

Failure corrupt(std::string_view what, std::string_view detail) {
  return fail(kCorrupt, fmt::format("{}: {}", what, detail));
}

// A member that is absent or null counts as absent: Docker writes `"Cmd": null`.
const Json* member(const Json& j, std::string_view key) {
  const Json& v = json_get(j, key);
  return v.is_null() ? nullptr : &v;
}

Result<std::string> opt_string(const Json& j, std::string_view key, std::string_view where) {
  const Json* v = member(j, key);
  if (!v) return std::string();
  if (!v->is_string()) return corrupt(where, fmt::format("\"{}\" is not a string", key));
  return v->get<std::string>();
}

Result<std::string> req_string(const Json& j, std::string_view key, std::string_view where) {
  const Json* v = member(j, key);
  if (!v) return corrupt(where, fmt::format("missing \"{}\"", key));
  if (!v->is_string()) return corrupt(where, fmt::format("\"{}\" is not a string", key));
  return v->get<std::string>();
}

Result<std::vector<std::string>> opt_strings(const Json& j, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  const Json* v = member(j, key);
  if (!v) return out;
  if (!v->is_array()) return corrupt(where, fmt::format("\"{}\" is not an array", key));
  for (const Json& e : *v) {
    if (!e.is_string()) return corrupt(where, fmt::format("\"{}\" has a non-string element", key));
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> opt_string_map(const Json& j, std::string_view key,
                                                          std::string_view where) {
  std::map<std::string, std::string> out;
  const Json* v = member(j, key);
  if (!v) return out;
  if (!v->is_object()) return corrupt(where, fmt::format("\"{}\" is not an object", key));
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_null()) {
      out[it.key()] = "";
      continue;
    }
    if (!it->is_string()) return corrupt(where, fmt::format("\"{}\" has a non-string value", key));
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

// The keys of an object used as a set ({"80/tcp": {}}), in document order.
Result<std::vector<std::string>> opt_key_set(const Json& j, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  const Json* v = member(j, key);
  if (!v) return out;
  if (!v->is_object()) return corrupt(where, fmt::format("\"{}\" is not an object", key));
  for (auto it = v->begin(); it != v->end(); ++it) out.push_back(it.key());
  return out;
}

Result<bool> opt_bool(const Json& j, std::string_view key, std::string_view where) {
  const Json* v = member(j, key);
  if (!v) return false;
  if (!v->is_boolean()) return corrupt(where, fmt::format("\"{}\" is not a boolean", key));
  return v->get<bool>();
}

Result<Json> parse_document(std::string_view bytes, size_t limit, std::string_view what) {
  if (bytes.size() > limit)
    return fail(EFBIG, fmt::format("{}: {} bytes is over the {} MiB limit", what, bytes.size(), limit >> 20));
  Json j = TRY(parse_json(bytes, what));
  if (!j.is_object()) return corrupt(what, "not a JSON object");
  return j;
}

Result<Platform> parse_platform(const Json& j, std::string_view where) {
  if (!j.is_object()) return corrupt(where, "\"platform\" is not an object");
  Platform p;
  p.architecture = TRY(req_string(j, "architecture", where));
  p.os = TRY(req_string(j, "os", where));
  p.variant = TRY(opt_string(j, "variant", where));
  p.os_version = TRY(opt_string(j, "os.version", where));
  p.os_features = TRY(opt_strings(j, "os.features", where));
  p.features = TRY(opt_strings(j, "features", where));
  return p;
}

Result<Descriptor> parse_descriptor(const Json& j, std::string_view where) {
  if (!j.is_object()) return corrupt(where, "not an object");
  Descriptor d;
  d.media_type = TRY(req_string(j, "mediaType", where));
  std::string digest = TRY(req_string(j, "digest", where));
  auto dg = Digest::parse(digest);
  if (!dg) return corrupt(where, dg.error().msg);
  d.digest = std::move(*dg);
  const Json* size = member(j, "size");
  if (!size) return corrupt(where, "missing \"size\"");
  if (!size->is_number_integer()) return corrupt(where, "\"size\" is not an integer");
  d.size = size->get<int64_t>();
  if (d.size < 0) return corrupt(where, "\"size\" is negative");
  d.urls = TRY(opt_strings(j, "urls", where));
  d.annotations = TRY(opt_string_map(j, "annotations", where));
  if (const Json* p = member(j, "platform")) d.platform = TRY(parse_platform(*p, where));
  d.artifact_type = TRY(opt_string(j, "artifactType", where));
  d.data = TRY(opt_string(j, "data", where));
  return d;
}

Result<int> schema_version(const Json& j, std::string_view what) {
  const Json* v = member(j, "schemaVersion");
  if (!v) return corrupt(what, "missing \"schemaVersion\"");
  if (!v->is_number_integer()) return corrupt(what, "\"schemaVersion\" is not an integer");
  return v->get<int>();
}

std::string_view strip_params(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

bool is_manifest_type(std::string_view t) { return t == media::kOciManifest || t == media::kDockerManifest; }
bool is_index_type(std::string_view t) { return t == media::kOciIndex || t == media::kDockerManifestList; }
bool is_schema1_type(std::string_view t) {
  return t == media::kDockerSchema1 || t == media::kDockerSchema1Signed;
}

Failure schema1_error(std::string_view what, std::string_view type) {
  return fail(kUnsupported,
              fmt::format("{}: Docker image manifest version 2, schema 1 ({}) is not supported; "
                          "the image must be pushed again in the OCI or Docker schema 2 format",
                          what, type.empty() ? media::kDockerSchema1 : type));
}

}  // namespace

std::optional<Compression> layer_compression(std::string_view t) {
  if (t == media::kOciLayer || t == media::kOciLayerNondistributable || t == media::kDockerLayer ||
      t == media::kDockerLayerForeign)
    return Compression::None;
  if (t == media::kOciLayerGzip || t == media::kOciLayerNondistributableGzip ||
      t == media::kDockerLayerGzip || t == media::kDockerLayerForeignGzip)
    return Compression::Gzip;
  if (t == media::kOciLayerZstd || t == media::kOciLayerNondistributableZstd || t == media::kDockerLayerZstd)
    return Compression::Zstd;
  return std::nullopt;
}

bool is_layer_media_type(std::string_view t) { return layer_compression(t).has_value(); }

Result<DocumentKind> classify_manifest(std::string_view bytes, std::string_view content_type,
                                       std::string_view what) {
  Json j = TRY(parse_document(bytes, kMaxManifestBytes, what));
  std::string type = TRY(opt_string(j, "mediaType", what));
  if (type.empty()) type = std::string(strip_params(content_type));
  const Json& sv = json_get(j, "schemaVersion");
  if (sv.is_number_integer() && sv.get<int>() == 1) return schema1_error(what, is_schema1_type(type) ? type : "");
  if (is_manifest_type(type)) return DocumentKind::kManifest;
  if (is_index_type(type)) return DocumentKind::kIndex;
  if (is_schema1_type(type)) return schema1_error(what, type);
  // No usable type (a bare "application/json" is common): the shape decides.
  if (member(j, "manifests")) return DocumentKind::kIndex;
  if (member(j, "config") && member(j, "layers")) return DocumentKind::kManifest;
  if (!type.empty() && type != "application/json" && type != "text/plain")
    return fail(kUnsupported, fmt::format("{}: unsupported manifest media type \"{}\"", what, type));
  return corrupt(what, "not an image manifest or index");
}

Result<Manifest> parse_manifest(std::string_view bytes, std::string_view content_type, std::string_view what) {
  Json j = TRY(parse_document(bytes, kMaxManifestBytes, what));
  Manifest m;
  m.schema_version = TRY(schema_version(j, what));
  m.media_type = TRY(opt_string(j, "mediaType", what));
  if (m.schema_version == 1) return schema1_error(what, m.media_type);
  if (m.schema_version != 2)
    return corrupt(what, fmt::format("unsupported schemaVersion {}", m.schema_version));
  if (m.media_type.empty()) {
    std::string_view ct = strip_params(content_type);
    m.media_type = is_manifest_type(ct) ? std::string(ct) : std::string(media::kOciManifest);
  }
  if (!is_manifest_type(m.media_type))
    return corrupt(what, fmt::format("media type \"{}\" is not an image manifest", m.media_type));
  m.artifact_type = TRY(opt_string(j, "artifactType", what));
  const Json* config = member(j, "config");
  if (!config) return corrupt(what, "missing \"config\"");
  m.config = TRY(parse_descriptor(*config, fmt::format("{}: config", what)));
  const Json* layers = member(j, "layers");
  if (!layers) return corrupt(what, "missing \"layers\"");
  if (!layers->is_array()) return corrupt(what, "\"layers\" is not an array");
  if (layers->size() > kMaxLayers)
    return fail(E2BIG, fmt::format("{}: {} layers is over the limit of {}", what, layers->size(), kMaxLayers));
  for (size_t i = 0; i < layers->size(); ++i)
    m.layers.push_back(TRY(parse_descriptor((*layers)[i], fmt::format("{}: layers[{}]", what, i))));
  if (const Json* s = member(j, "subject")) m.subject = TRY(parse_descriptor(*s, fmt::format("{}: subject", what)));
  m.annotations = TRY(opt_string_map(j, "annotations", what));
  m.raw = std::string(bytes);
  return m;
}

Result<Index> parse_index(std::string_view bytes, std::string_view content_type, std::string_view what) {
  Json j = TRY(parse_document(bytes, kMaxManifestBytes, what));
  Index ix;
  ix.schema_version = TRY(schema_version(j, what));
  if (ix.schema_version != 2)
    return corrupt(what, fmt::format("unsupported schemaVersion {}", ix.schema_version));
  ix.media_type = TRY(opt_string(j, "mediaType", what));
  if (ix.media_type.empty()) {
    std::string_view ct = strip_params(content_type);
    ix.media_type = is_index_type(ct) ? std::string(ct) : std::string(media::kOciIndex);
  }
  if (!is_index_type(ix.media_type))
    return corrupt(what, fmt::format("media type \"{}\" is not an image index", ix.media_type));
  ix.artifact_type = TRY(opt_string(j, "artifactType", what));
  const Json* ms = member(j, "manifests");
  if (!ms) return corrupt(what, "missing \"manifests\"");
  if (!ms->is_array()) return corrupt(what, "\"manifests\" is not an array");
  if (ms->size() > kMaxIndexEntries)
    return fail(E2BIG, fmt::format("{}: {} entries is over the limit of {}", what, ms->size(), kMaxIndexEntries));
  for (size_t i = 0; i < ms->size(); ++i)
    ix.manifests.push_back(TRY(parse_descriptor((*ms)[i], fmt::format("{}: manifests[{}]", what, i))));
  if (const Json* s = member(j, "subject")) ix.subject = TRY(parse_descriptor(*s, fmt::format("{}: subject", what)));
  ix.annotations = TRY(opt_string_map(j, "annotations", what));
  ix.raw = std::string(bytes);
  return ix;
}

Result<ImageConfig> parse_image_config(std::string_view bytes, std::string_view what) {
  Json j = TRY(parse_document(bytes, kMaxConfigBytes, what));
  ImageConfig c;
  c.created = TRY(opt_string(j, "created", what));
  c.author = TRY(opt_string(j, "author", what));
  c.platform.architecture = TRY(req_string(j, "architecture", what));
  c.platform.os = TRY(req_string(j, "os", what));
  c.platform.variant = TRY(opt_string(j, "variant", what));
  c.platform.os_version = TRY(opt_string(j, "os.version", what));
  c.platform.os_features = TRY(opt_strings(j, "os.features", what));

  if (const Json* cfg = member(j, "config")) {
    if (!cfg->is_object()) return corrupt(what, "\"config\" is not an object");
    std::string where = fmt::format("{}: config", what);
    ContainerConfig& cc = c.config;
    cc.user = TRY(opt_string(*cfg, "User", where));
    cc.exposed_ports = TRY(opt_key_set(*cfg, "ExposedPorts", where));
    cc.env = TRY(opt_strings(*cfg, "Env", where));
    cc.has_entrypoint = cfg->contains("Entrypoint");
    cc.entrypoint = TRY(opt_strings(*cfg, "Entrypoint", where));
    cc.has_cmd = cfg->contains("Cmd");
    cc.cmd = TRY(opt_strings(*cfg, "Cmd", where));
    cc.volumes = TRY(opt_key_set(*cfg, "Volumes", where));
    cc.working_dir = TRY(opt_string(*cfg, "WorkingDir", where));
    cc.labels = TRY(opt_string_map(*cfg, "Labels", where));
    cc.stop_signal = TRY(opt_string(*cfg, "StopSignal", where));
    cc.args_escaped = TRY(opt_bool(*cfg, "ArgsEscaped", where));
    if (const Json* hc = member(*cfg, "Healthcheck")) cc.healthcheck = *hc;
    cc.on_build = TRY(opt_strings(*cfg, "OnBuild", where));
    cc.shell = TRY(opt_strings(*cfg, "Shell", where));
  }

  const Json* rootfs = member(j, "rootfs");
  if (!rootfs) return corrupt(what, "missing \"rootfs\"");
  if (!rootfs->is_object()) return corrupt(what, "\"rootfs\" is not an object");
  std::string where = fmt::format("{}: rootfs", what);
  c.rootfs_type = TRY(req_string(*rootfs, "type", where));
  if (c.rootfs_type != "layers") return corrupt(where, fmt::format("unsupported type \"{}\"", c.rootfs_type));
  const Json* ids = member(*rootfs, "diff_ids");
  if (ids && !ids->is_array()) return corrupt(where, "\"diff_ids\" is not an array");
  if (ids) {
    if (ids->size() > kMaxLayers)
      return fail(E2BIG, fmt::format("{}: {} layers is over the limit of {}", what, ids->size(), kMaxLayers));
    for (size_t i = 0; i < ids->size(); ++i) {
      const Json& e = (*ids)[i];
      if (!e.is_string()) return corrupt(where, fmt::format("diff_ids[{}] is not a string", i));
      auto d = Digest::parse(e.get<std::string>());
      if (!d) return corrupt(where, fmt::format("diff_ids[{}]: {}", i, d.error().msg));
      c.diff_ids.push_back(std::move(*d));
    }
  }

  if (const Json* hist = member(j, "history")) {
    if (!hist->is_array()) return corrupt(what, "\"history\" is not an array");
    for (size_t i = 0; i < hist->size(); ++i) {
      const Json& e = (*hist)[i];
      std::string hw = fmt::format("{}: history[{}]", what, i);
      if (!e.is_object()) return corrupt(hw, "not an object");
      History h;
      h.created = TRY(opt_string(e, "created", hw));
      h.created_by = TRY(opt_string(e, "created_by", hw));
      h.author = TRY(opt_string(e, "author", hw));
      h.comment = TRY(opt_string(e, "comment", hw));
      h.empty_layer = TRY(opt_bool(e, "empty_layer", hw));
      c.history.push_back(std::move(h));
    }
  }
  c.raw = std::string(bytes);
  return c;
}

// ---- serialisation (omitempty, keys in the order of the OCI spec's Go structs) ----

Json platform_json(const Platform& p) {
  Json j = Json::object();
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  if (!p.variant.empty()) j["variant"] = p.variant;
  if (!p.features.empty()) j["features"] = p.features;
  return j;
}

static Json string_map_json(const std::map<std::string, std::string>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

Json descriptor_json(const Descriptor& d) {
  Json j = Json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = string_map_json(d.annotations);
  if (!d.data.empty()) j["data"] = d.data;
  if (d.platform) j["platform"] = platform_json(*d.platform);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

std::string to_json(const Manifest& m) {
  Json j = Json::object();
  j["schemaVersion"] = m.schema_version;
  j["mediaType"] = m.media_type.empty() ? std::string(media::kOciManifest) : m.media_type;
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  j["config"] = descriptor_json(m.config);
  j["layers"] = Json::array();
  for (const auto& l : m.layers) j["layers"].push_back(descriptor_json(l));
  if (m.subject) j["subject"] = descriptor_json(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = string_map_json(m.annotations);
  return skiff::to_json(j);
}

std::string to_json(const Index& ix) {
  Json j = Json::object();
  j["schemaVersion"] = ix.schema_version;
  j["mediaType"] = ix.media_type.empty() ? std::string(media::kOciIndex) : ix.media_type;
  if (!ix.artifact_type.empty()) j["artifactType"] = ix.artifact_type;
  j["manifests"] = Json::array();
  for (const auto& d : ix.manifests) j["manifests"].push_back(descriptor_json(d));
  if (ix.subject) j["subject"] = descriptor_json(*ix.subject);
  if (!ix.annotations.empty()) j["annotations"] = string_map_json(ix.annotations);
  return skiff::to_json(j);
}

static Json key_set_json(const std::vector<std::string>& keys) {
  Json j = Json::object();
  for (const auto& k : keys) j[k] = Json::object();
  return j;
}

std::string to_json(const ImageConfig& c) {
  Json j = Json::object();
  if (!c.created.empty()) j["created"] = c.created;
  if (!c.author.empty()) j["author"] = c.author;
  j["architecture"] = c.platform.architecture;
  j["os"] = c.platform.os;
  if (!c.platform.os_version.empty()) j["os.version"] = c.platform.os_version;
  if (!c.platform.os_features.empty()) j["os.features"] = c.platform.os_features;
  if (!c.platform.variant.empty()) j["variant"] = c.platform.variant;
  const ContainerConfig& cc = c.config;
  Json cfg = Json::object();
  if (!cc.user.empty()) cfg["User"] = cc.user;
  if (!cc.exposed_ports.empty()) cfg["ExposedPorts"] = key_set_json(cc.exposed_ports);
  if (!cc.env.empty()) cfg["Env"] = cc.env;
  if (!cc.entrypoint.empty()) cfg["Entrypoint"] = cc.entrypoint;
  if (!cc.cmd.empty()) cfg["Cmd"] = cc.cmd;
  if (!cc.volumes.empty()) cfg["Volumes"] = key_set_json(cc.volumes);
  if (!cc.working_dir.empty()) cfg["WorkingDir"] = cc.working_dir;
  if (!cc.labels.empty()) cfg["Labels"] = string_map_json(cc.labels);
  if (!cc.stop_signal.empty()) cfg["StopSignal"] = cc.stop_signal;
  if (cc.args_escaped) cfg["ArgsEscaped"] = true;
  if (!cc.healthcheck.is_null()) cfg["Healthcheck"] = cc.healthcheck;
  if (!cc.on_build.empty()) cfg["OnBuild"] = cc.on_build;
  if (!cc.shell.empty()) cfg["Shell"] = cc.shell;
  j["config"] = cfg;
  Json rootfs = Json::object();
  rootfs["type"] = c.rootfs_type;
  rootfs["diff_ids"] = Json::array();
  for (const auto& d : c.diff_ids) rootfs["diff_ids"].push_back(d.str());
  j["rootfs"] = rootfs;
  if (!c.history.empty()) {
    Json hist = Json::array();
    for (const auto& h : c.history) {
      Json e = Json::object();
      if (!h.created.empty()) e["created"] = h.created;
      if (!h.created_by.empty()) e["created_by"] = h.created_by;
      if (!h.author.empty()) e["author"] = h.author;
      if (!h.comment.empty()) e["comment"] = h.comment;
      if (h.empty_layer) e["empty_layer"] = true;
      hist.push_back(std::move(e));
    }
    j["history"] = hist;
  }
  return skiff::to_json(j);
}

}  // namespace skiff::oci
