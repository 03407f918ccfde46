// save and load: image archives (docker-archive, oci-archive) and layouts (oci-dir, docker-dir).
#include "skiff/image/archive.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>

#include "skiff/oci/image.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::image {

namespace {

constexpr std::string_view kUncompressedDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";
constexpr std::string_view kContainerdName = "io.containerd.image.name";

std::string hex_of(std::string_view digest) {
  size_t c = digest.find(':');
  return std::string(c == std::string_view::npos ? digest : digest.substr(c + 1));
}

// ---- output: a tar stream or a directory ----------------------------------------------------

class Out {
 public:
  virtual ~Out() = default;
  virtual Status dir(const std::string& name) = 0;
  virtual Status file(const std::string& name, std::string_view data) = 0;
  /// A file of exactly `size` bytes that `fill` writes.
  virtual Status stream(const std::string& name, uint64_t size, const std::function<Status(ByteSink&)>& fill) = 0;
  virtual Status finish() = 0;
};

class TarDataSink : public ByteSink {
 public:
  explicit TarDataSink(TarWriter& w) : w_(w) {}
  Status write(std::string_view d) override { return w_.write_data(d); }

 private:
  TarWriter& w_;
};

class TarOut : public Out {
 public:
  explicit TarOut(std::unique_ptr<TarWriter> w) : w_(std::move(w)) {}
  Status dir(const std::string& name) override {
    TarEntry e;
    e.path = name + "/";
    e.type = TarType::Dir;
    e.mode = 0755;
    return w_->add(e);
  }
  Status file(const std::string& name, std::string_view data) override {
    TRY(w_->add(file_entry(name, data.size())));
    return w_->write_data(data);
  }
  Status stream(const std::string& name, uint64_t size, const std::function<Status(ByteSink&)>& fill) override {
    TRY(w_->add(file_entry(name, size)));
    TarDataSink sink(*w_);
    return fill(sink);
  }
  Status finish() override { return w_->finish(); }

 private:
  static TarEntry file_entry(const std::string& name, uint64_t size) {
    TarEntry e;
    e.path = name;
    e.type = TarType::File;
    e.mode = 0644;
    e.size = size;
    return e;
  }
  std::unique_ptr<TarWriter> w_;
};

class DirOut : public Out {
 public:
  explicit DirOut(UniqueFd fd) : fd_(std::move(fd)) {}
  Status dir(const std::string& name) override {
    if (mkdirat(fd_.get(), name.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}`", name));
    return ok();
  }
  Status file(const std::string& name, std::string_view data) override {
    auto fd = TRY(open_at(fd_.get(), name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
    return write_all(fd.get(), data);
  }
  Status stream(const std::string& name, uint64_t, const std::function<Status(ByteSink&)>& fill) override {
    auto fd = TRY(open_at(fd_.get(), name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
    FdSink sink(fd.get());
    return fill(sink);
  }
  Status finish() override {
    if (fsync(fd_.get()) < 0) return fail_errno("fsync");
    return ok();
  }

 private:
  UniqueFd fd_;
};

Json descriptor(std::string_view media_type, std::string_view digest, uint64_t size) {
  Json d = Json::object();
  d["mediaType"] = media_type;
  d["digest"] = digest;
  d["size"] = size;
  return d;
}

struct SavedLayer {
  std::string diff_id, chain_id;
  uint64_t size = 0;
};

struct SavedImage {
  std::string id, config;
  std::vector<SavedLayer> layers;
};

Result<SavedImage> saved_image(storage::Store& store, const std::string& id) {
  auto rec = TRY(store.lookup_image(id, false));
  if (rec.manifest_media_type == oci::media::kOciIndex || rec.manifest_media_type == oci::media::kDockerManifestList)
    return fail(kInvalid, fmt::format("image {} is a manifest list: save the images it lists", rec.id));
  SavedImage s;
  s.id = rec.id;
  s.config = TRY(store.image_config(rec.id));
  for (auto& l : rec.layers) {
    auto info = TRY(store.layer_info(l.chain_id));
    s.layers.push_back({info.diff_id, info.chain_id, info.tar_size});
  }
  return s;
}

Status write_layout(storage::Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, Out& out) {
  if (items.empty()) return fail(kUsage, "no image to save");
  if (format == ArchiveFormat::DockerDir) {
    if (items.size() > 1) return fail(kInvalid, "docker-dir holds one image: save several images as docker-archive");
    auto img = TRY(saved_image(store, items[0].image_id));
    TRY(out.file("version", "Directory Transport Version: 1.1\n"));
    Json m = Json::object();
    m["schemaVersion"] = 2;
    m["mediaType"] = oci::media::kDockerManifest;
    m["config"] = descriptor(oci::media::kDockerConfig, img.id, img.config.size());
    m["layers"] = Json::array();
    std::set<std::string> done;
    for (auto& l : img.layers) {
      m["layers"].push_back(descriptor(kUncompressedDockerLayer, l.diff_id, l.size));
      if (!done.insert(l.diff_id).second) continue;
      TRY(out.stream(hex_of(l.diff_id), l.size, [&](ByteSink& s) { return store.layer_tar(l.chain_id, s); }));
    }
    TRY(out.file(hex_of(img.id), img.config));
    TRY(out.file("manifest.json", to_json(m)));
    return out.finish();
  }

  bool docker = format == ArchiveFormat::DockerArchive;
  TRY(out.dir("blobs"));
  TRY(out.dir("blobs/sha256"));
  TRY(out.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  std::set<std::string> written;
  Json index = Json::object();
  index["schemaVersion"] = 2;
  index["mediaType"] = oci::media::kOciIndex;
  index["manifests"] = Json::array();
  Json docker_manifest = Json::array();
  auto blob = [&](const std::string& digest, std::string_view data) -> Status {
    if (!written.insert(digest).second) return ok();
    return out.file("blobs/sha256/" + hex_of(digest), data);
  };
  for (auto& item : items) {
    auto img = TRY(saved_image(store, item.image_id));
    Json m = Json::object();
    m["schemaVersion"] = 2;
    m["mediaType"] = oci::media::kOciManifest;
    m["config"] = descriptor(oci::media::kOciConfig, img.id, img.config.size());
    m["layers"] = Json::array();
    Json layer_paths = Json::array();
    for (auto& l : img.layers) {
      m["layers"].push_back(descriptor(oci::media::kOciLayer, l.diff_id, l.size));
      layer_paths.push_back("blobs/sha256/" + hex_of(l.diff_id));
      if (!written.insert(l.diff_id).second) continue;
      TRY(out.stream("blobs/sha256/" + hex_of(l.diff_id), l.size,
                     [&](ByteSink& s) { return store.layer_tar(l.chain_id, s); }));
    }
    TRY(blob(img.id, img.config));
    std::string mraw = to_json(m);
    std::string mdigest = TRY(sha256_digest(mraw));
    TRY(blob(mdigest, mraw));
    Json repo_tags = Json::array();
    for (auto& n : item.names) {
      auto ref = TRY(oci::Reference::parse(n));
      Json d = descriptor(oci::media::kOciManifest, mdigest, mraw.size());
      d["annotations"] = Json::object();
      d["annotations"][std::string(kContainerdName)] = ref.str_with_default_tag();
      d["annotations"][std::string(kRefName)] = docker ? ref.tag_or_default() : ref.str_with_default_tag();
      index["manifests"].push_back(d);
      repo_tags.push_back(ref.familiar());
    }
    if (item.names.empty()) index["manifests"].push_back(descriptor(oci::media::kOciManifest, mdigest, mraw.size()));
    Json dm = Json::object();
    dm["Config"] = "blobs/sha256/" + hex_of(img.id);
    dm["RepoTags"] = repo_tags.empty() ? Json(nullptr) : repo_tags;
    dm["Layers"] = layer_paths;
    docker_manifest.push_back(dm);
  }
  TRY(out.file("index.json", to_json(index)));
  if (docker) {
    TRY(out.file("manifest.json", to_json(docker_manifest)));
  }
  return out.finish();
}

// ---- load -----------------------------------------------------------------------------------

// Lexical components of an archive path; absolute paths and ".." are refused.
Result<std::vector<std::string>> archive_components(std::string_view path, std::string_view what) {
  if (!path.empty() && path[0] == '/')
    return fail(kInvalid, fmt::format("archive entry `{}` is an absolute path: {} refused", path, what));
  std::vector<std::string> out;
  for (auto& c : split(path, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") return fail(kInvalid, fmt::format("archive entry `{}` escapes the archive (`..`): {} refused", path, what));
    out.push_back(c);
  }
  return out;
}

Status unpack(TarReader& tar, int rootfd) {
  TarEntry e;
  std::vector<char> buf(256 * 1024);
  uint64_t entries = 0;
  for (;;) {
    if (!TRY(tar.next(e))) break;
    if (++entries > 1000000) return fail(kInvalid, "the archive has too many entries");
    auto comps = TRY(archive_components(e.path, "entry"));
    if (comps.empty()) continue;
    std::string rel = join(comps, "/");
    switch (e.type) {
      case TarType::Dir:
        TRY_CTX(mkdir_p_in_root(rootfd, rel, 0700), "archive entry `{}`", e.path);
        break;
      case TarType::File: {
        auto [pfd, last] = TRY_CTX(open_parent_in_root(rootfd, rel, true, 0700), "archive entry `{}`", e.path);
        (void)unlinkat(pfd.get(), last.c_str(), 0);
        auto fd = TRY_CTX(open_at(pfd.get(), last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600),
                          "archive entry `{}`", e.path);
        for (;;) {
          auto n = TRY_CTX(tar.read_data(buf.data(), buf.size()), "archive entry `{}`", e.path);
          if (n == 0) break;
          TRY(write_all(fd.get(), std::string_view(buf.data(), n)));
        }
        break;
      }
      case TarType::Symlink: {
        if (!e.link_target.empty() && e.link_target[0] == '/')
          return fail(kInvalid, fmt::format("archive entry `{}` is a symlink to an absolute path (`{}`): refused",
                                            e.path, e.link_target));
        std::vector<std::string> full(comps.begin(), comps.end() - 1);
        for (auto& c : split(e.link_target, '/')) {
          if (c.empty() || c == ".") continue;
          if (c == "..") {
            if (full.empty())
              return fail(kInvalid, fmt::format("archive entry `{}` is a symlink out of the archive (`{}`): refused",
                                                e.path, e.link_target));
            full.pop_back();
          } else {
            full.push_back(c);
          }
        }
        auto [pfd, last] = TRY_CTX(open_parent_in_root(rootfd, rel, true, 0700), "archive entry `{}`", e.path);
        (void)unlinkat(pfd.get(), last.c_str(), 0);
        if (symlinkat(e.link_target.c_str(), pfd.get(), last.c_str()) < 0)
          return fail_errno(fmt::format("archive entry `{}`", e.path));
        break;
      }
      default:
        return fail(kInvalid, fmt::format("archive entry `{}`: {} entries do not belong in an image archive", e.path,
                                          e.type == TarType::Hardlink ? "hard link" : "device, FIFO or other special"));
    }
  }
  return ok();
}

struct Unpacked {
  int rootfd;
  Result<UniqueFd> open(std::string_view path, std::string_view what) const {
    auto comps = TRY(archive_components(path, what));
    auto fd = open_in_root(rootfd, "/" + join(comps, "/"), O_RDONLY);
    if (!fd) {
      if (fd.error().code == ENOENT || fd.error().code == ENOTDIR)
        return fail(kCorrupt, fmt::format("the archive names {} `{}` but does not contain it", what, path));
      return wrap(std::move(fd).error(), fmt::format("{} `{}`", what, path));
    }
    struct stat st;
    if (fstat(fd->get(), &st) < 0 || !S_ISREG(st.st_mode))
      return fail(kCorrupt, fmt::format("{} `{}` in the archive is not a regular file", what, path));
    return fd;
  }
  bool exists(std::string_view path) const { return faccessat(rootfd, std::string(path).c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0; }
  Result<std::string> read(std::string_view path, std::string_view what, size_t limit) const {
    auto fd = TRY(open(path, what));
    struct stat st;
    if (fstat(fd.get(), &st) == 0 && uint64_t(st.st_size) > limit)
      return fail(kInvalid, fmt::format("{} `{}` is too large ({} bytes)", what, path, st.st_size));
    return read_all(fd.get(), limit);
  }
  // Hashes the file: "sha256:<hex>" and its size.
  Result<std::pair<std::string, uint64_t>> digest(std::string_view path, std::string_view what) const {
    auto fd = TRY(open(path, what));
    auto h = TRY(Sha256::make());
    std::vector<char> buf(256 * 1024);
    uint64_t total = 0;
    for (;;) {
      auto n = TRY(read_some(fd.get(), buf.data(), buf.size()));
      if (n == 0) break;
      h.update(buf.data(), n);
      total += n;
    }
    return std::make_pair("sha256:" + h.hex(), total);
  }
};

struct PlanLayer {
  std::string path, diff_id, digest, media_type;
  uint64_t size = 0;
};

struct PlanImage {
  std::string what;  // for messages
  std::string config, manifest, manifest_digest, manifest_media_type;
  std::vector<PlanLayer> layers;
  std::vector<std::string> names;
};

// "blobs/sha256/<hex>" or "<hex>.json": the digest a path claims, or "".
std::string claimed_digest(std::string_view path) {
  auto comps = split(path, '/');
  std::string last = comps.empty() ? "" : comps.back();
  if (last.ends_with(".json")) last.resize(last.size() - 5);
  if (comps.size() >= 2 && comps[comps.size() - 2] != "sha256" && !path.ends_with(".json")) return "";
  if (last.size() != 64 || last.find_first_not_of("0123456789abcdef") != std::string::npos) return "";
  return "sha256:" + last;
}

Status check_digest(const Unpacked& u, const std::string& path, const std::string& want, std::string_view what,
                    int64_t size = -1) {
  auto [got, n] = TRY(u.digest(path, what));
  if (got != want)
    return fail(kCorrupt, fmt::format("{} `{}`: digest mismatch: the archive's file hashes to {}, not {}", what, path, got, want));
  if (size >= 0 && uint64_t(size) != n)
    return fail(kCorrupt, fmt::format("{} `{}`: size mismatch: {} bytes, the manifest says {}", what, path, n, size));
  return ok();
}

Result<std::string> normalise_name(std::string_view name) {
  auto ref = TRY_CTX(oci::Reference::parse(name), "image name `{}` in the archive", name);
  if (ref.digest() && ref.tag().empty()) return fail(kInvalid, fmt::format("image name `{}` in the archive has no tag", name));
  return ref.str_with_default_tag();
}

Result<std::vector<PlanImage>> plan_docker(const Unpacked& u) {
  auto text = TRY(u.read("manifest.json", "manifest", 16u << 20));
  auto j = TRY(parse_json(text, "manifest.json"));
  if (!j.is_array()) return fail(kCorrupt, "manifest.json in the archive is not a list of images");
  std::vector<PlanImage> out;
  for (auto& m : j) {
    if (!m.is_object() || !json_get(m, "Config").is_string() || !json_get(m, "Layers").is_array())
      return fail(kCorrupt, "manifest.json in the archive: an entry without Config or Layers");
    PlanImage p;
    std::string cpath = m["Config"].get<std::string>();
    p.what = fmt::format("image config `{}`", cpath);
    p.config = TRY(u.read(cpath, "image config", oci::kMaxConfigBytes));
    if (auto want = claimed_digest(cpath); !want.empty()) {
      auto got = TRY(sha256_digest(p.config));
      if (got != want)
        return fail(kCorrupt, fmt::format("image config `{}`: digest mismatch: it hashes to {}", cpath, got));
    }
    auto cfg = TRY_CTX(oci::parse_image_config(p.config), "image config `{}`", cpath);
    auto& layers = m["Layers"];
    if (layers.size() != cfg.diff_ids.size())
      return fail(kCorrupt, fmt::format("image config `{}`: {} diff IDs but manifest.json lists {} layers", cpath,
                                        cfg.diff_ids.size(), layers.size()));
    for (size_t i = 0; i < layers.size(); ++i) {
      if (!layers[i].is_string()) return fail(kCorrupt, "manifest.json in the archive: a layer path is not a string");
      PlanLayer l;
      l.path = layers[i].get<std::string>();
      l.diff_id = cfg.diff_ids[i].str();
      TRY(u.open(l.path, "layer"));  // present?
      if (auto want = claimed_digest(l.path); !want.empty()) TRY(check_digest(u, l.path, want, "layer"));
      p.layers.push_back(std::move(l));
    }
    if (auto& tags = json_get(m, "RepoTags"); tags.is_array())
      for (auto& t : tags)
        if (t.is_string()) p.names.push_back(TRY(normalise_name(t.get<std::string>())));
    out.push_back(std::move(p));
  }
  return out;
}

std::string blob_path(const oci::Digest& d) { return fmt::format("blobs/{}/{}", d.algorithm, d.hex); }

Result<std::vector<PlanImage>> plan_oci(const Unpacked& u) {
  auto text = TRY(u.read("index.json", "index", oci::kMaxManifestBytes));
  auto index = TRY_CTX(oci::parse_index(text, oci::media::kOciIndex), "index.json in the archive");
  std::map<std::string, size_t> by_digest;
  std::vector<PlanImage> out;
  for (auto& desc0 : index.manifests) {
    oci::Descriptor desc = desc0;
    if (desc.digest.algorithm != "sha256") return fail(kInvalid, fmt::format("unsupported digest {}", desc.digest.str()));
    std::string name;
    if (auto it = desc0.annotations.find(std::string(kContainerdName)); it != desc0.annotations.end()) {
      name = it->second;
    } else if (auto it2 = desc0.annotations.find(std::string(kRefName)); it2 != desc0.annotations.end()) {
      // A full reference (Podman, skopeo with a name); a bare tag ("latest") names no repository.
      if (it2->second.find_first_of("/:") != std::string::npos) name = it2->second;
    }
    std::string raw = TRY(u.read(blob_path(desc.digest), "manifest", oci::kMaxManifestBytes));
    if (TRY(sha256_digest(raw)) != desc.digest.str())
      return fail(kCorrupt, fmt::format("manifest {}: digest mismatch", desc.digest.str()));
    auto kind = TRY(oci::classify_manifest(raw, desc.media_type, "manifest " + desc.digest.str()));
    if (kind == oci::DocumentKind::kIndex) {
      auto inner = TRY(oci::parse_index(raw, desc.media_type));
      desc = TRY(oci::select_platform(inner, oci::Platform::host()));
      raw = TRY(u.read(blob_path(desc.digest), "manifest", oci::kMaxManifestBytes));
      if (TRY(sha256_digest(raw)) != desc.digest.str())
        return fail(kCorrupt, fmt::format("manifest {}: digest mismatch", desc.digest.str()));
    }
    std::string key = desc.digest.str();
    if (auto it = by_digest.find(key); it != by_digest.end()) {
      if (!name.empty()) out[it->second].names.push_back(TRY(normalise_name(name)));
      continue;
    }
    auto m = TRY_CTX(oci::parse_manifest(raw, desc.media_type), "manifest {}", key);
    PlanImage p;
    p.what = "manifest " + key;
    p.manifest = raw;
    p.manifest_digest = key;
    p.manifest_media_type = m.media_type.empty() ? std::string(oci::media::kOciManifest) : m.media_type;
    p.config = TRY(u.read(blob_path(m.config.digest), "image config", oci::kMaxConfigBytes));
    if (TRY(sha256_digest(p.config)) != m.config.digest.str())
      return fail(kCorrupt, fmt::format("image config {}: digest mismatch", m.config.digest.str()));
    auto cfg = TRY_CTX(oci::parse_image_config(p.config), "image config {}", m.config.digest.str());
    if (cfg.diff_ids.size() != m.layers.size())
      return fail(kCorrupt, fmt::format("manifest {}: {} layers but the config has {} diff IDs", key, m.layers.size(),
                                        cfg.diff_ids.size()));
    for (size_t i = 0; i < m.layers.size(); ++i) {
      auto& ld = m.layers[i];
      if (!oci::is_layer_media_type(ld.media_type))
        return fail(kInvalid, fmt::format("manifest {}: layer {} has media type {}", key, ld.digest.str(), ld.media_type));
      PlanLayer l;
      l.path = blob_path(ld.digest);
      l.diff_id = cfg.diff_ids[i].str();
      l.digest = ld.digest.str();
      l.media_type = ld.media_type;
      l.size = uint64_t(ld.size);
      TRY(check_digest(u, l.path, l.digest, "layer", ld.size));
      p.layers.push_back(std::move(l));
    }
    if (!name.empty()) p.names.push_back(TRY(normalise_name(name)));
    by_digest[key] = out.size();
    out.push_back(std::move(p));
  }
  return out;
}

Result<LoadedImage> store_image(storage::Store& store, const Unpacked& u, const PlanImage& p,
                                std::vector<std::string>& created) {
  storage::NewImage ni;
  ni.config = p.config;
  ni.manifest = p.manifest;
  ni.manifest_digest = p.manifest_digest;
  ni.manifest_media_type = p.manifest_media_type;
  ni.names = p.names;
  auto cfg = TRY(oci::parse_image_config(p.config));
  ni.created_ns = parse_rfc3339(cfg.created).value_or(0);
  std::string parent;
  for (auto& l : p.layers) {
    std::string chain = TRY(storage::chain_id_of(parent, l.diff_id));
    if (!store.has_layer(chain)) {
      auto fd = TRY(u.open(l.path, "layer"));
      FdSource raw(fd.get());
      auto tar = TRY_CTX(make_auto_decompressor(raw), "layer `{}`", l.path);
      TRY_CTX(store.create_layer(parent, l.diff_id, *tar), "layer `{}` of the archive", l.path);
      created.push_back(chain);
    }
    storage::ImageLayer il;
    il.diff_id = l.diff_id;
    il.chain_id = chain;
    il.digest = l.digest;
    il.media_type = l.media_type;
    il.compressed_size = l.size;
    ni.layers.push_back(std::move(il));
    parent = chain;
  }
  auto rec = TRY(store.create_image(ni));
  return LoadedImage{rec.id, p.names};
}

// Removes what killed loads left in `base`: skiff-load-<x>.lock files of ours that nobody holds,
// with their directories.
void sweep_stale_unpacks(const std::string& base) {
  auto names = list_dir(base);
  if (!names) return;
  for (auto& n : *names) {
    if (!n.starts_with("skiff-load-") || !n.ends_with(".lock")) continue;
    std::string lock = base + "/" + n;
    int fd = open(lock.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::string dir = lock.substr(0, lock.size() - 5);
      struct stat dst;
      if (lstat(dir.c_str(), &dst) == 0 && S_ISDIR(dst.st_mode) && dst.st_uid == geteuid()) (void)remove_tree(dir);
      (void)unlink(lock.c_str());
    }
    close(fd);
  }
}

}  // namespace

Result<ArchiveFormat> parse_archive_format(std::string_view s) {
  if (s == "docker-archive" || s.empty()) return ArchiveFormat::DockerArchive;
  if (s == "oci-archive") return ArchiveFormat::OciArchive;
  if (s == "oci-dir") return ArchiveFormat::OciDir;
  if (s == "docker-dir") return ArchiveFormat::DockerDir;
  return fail(kInvalid, fmt::format("unknown format \"{}\": use docker-archive, oci-archive, oci-dir or docker-dir", s));
}

Status save_archive(storage::Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, ByteSink& out) {
  if (!is_tar_format(format)) return fail(kInvalid, "save_archive: not a tar format");
  auto w = TRY(make_tar_writer(out));
  TarOut tout(std::move(w));
  return write_layout(store, items, format, tout);
}

Status save_dir(storage::Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, const std::string& dir) {
  if (is_tar_format(format)) return fail(kInvalid, "save_dir: not a directory format");
  if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno(fmt::format("create directory `{}`", dir));
  auto names = TRY_CTX(list_dir(dir), "`{}`", dir);
  if (!names.empty()) return fail(kConflict, fmt::format("directory `{}` is not empty", dir));
  auto fd = TRY(open_path(dir, O_RDONLY | O_DIRECTORY));
  DirOut out(std::move(fd));
  return write_layout(store, items, format, out);
}

Result<std::vector<LoadedImage>> load_archive(storage::Store& store, ByteSource& in, const LoadOptions& o) {
  std::string base = o.tmp_dir;
  if (base.empty()) {
    const char* t = getenv("TMPDIR");
    base = t && *t ? t : "/var/tmp";
  }
  sweep_stale_unpacks(base);
  // skiff-load-<random>.lock, held while skiff-load-<random>/ is in use: a load killed half-way
  // leaves both, and the next load removes them (sweep_stale_unpacks).
  std::string tmpl = base + "/skiff-load-XXXXXX.lock";
  int lfd = mkstemps(tmpl.data(), 5);
  if (lfd < 0) return fail_errno(fmt::format("create a temporary file in `{}`", base));
  UniqueFd lock_fd(lfd);
  if (flock(lfd, LOCK_EX) < 0) return fail_errno("lock the temporary directory");
  std::string dir = tmpl.substr(0, tmpl.size() - 5);
  struct Cleanup {
    std::string lock, dir;
    bool made = false;
    ~Cleanup() {
      if (made) (void)remove_tree(dir);
      (void)unlink(lock.c_str());
    }
  } cleanup{tmpl, dir};
  if (mkdir(dir.c_str(), 0700) < 0) return fail_errno(fmt::format("create the temporary directory `{}`", dir));
  cleanup.made = true;
  std::string tmpl_dir = dir;
  auto rootfd = TRY(open_path(tmpl_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));

  auto tar_src = TRY(make_auto_decompressor(in));
  auto tar = TRY(make_tar_reader(*tar_src));
  TRY_CTX(unpack(*tar, rootfd.get()), "invalid archive");
  Unpacked u{rootfd.get()};

  std::vector<PlanImage> plan;
  if (u.exists("manifest.json")) {
    plan = TRY_CTX(plan_docker(u), "invalid archive");
  } else if (u.exists("index.json")) {
    plan = TRY_CTX(plan_oci(u), "invalid archive");
  } else {
    return fail(kInvalid, "invalid archive: neither manifest.json (docker-archive) nor index.json (oci-archive) found: "
                          "not an image archive");
  }
  if (plan.empty()) return fail(kInvalid, "invalid archive: it holds no image");

  std::vector<LoadedImage> loaded;
  std::vector<std::string> created;
  for (auto& p : plan) {
    auto r = store_image(store, u, p, created);
    if (!r) {
      // Nothing half-stored: remove the layers this load created that no image uses.
      for (auto it = created.rbegin(); it != created.rend(); ++it) (void)store.remove_unused_layers(*it);
      return std::move(r).error();
    }
    loaded.push_back(std::move(*r));
  }
  return loaded;
}

}  // namespace skiff::image
