// diff, commit and import: a container's layer as changes, as a new image, and a tarball as
// a one-layer image.
//
// commit --pause: Docker freezes the container's cgroup while it reads the layer. skiff has
// no cgroup freezer yet (rootless hosts like ours have no delegated cgroup at all), so the
// flag is accepted and the layer of a running container is read as it is at that moment:
// a file being written during the commit may be caught half-written.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "changes.hpp"
#include "skiff/engine/fsops.hpp"
#include "skiff/image/config_changes.hpp"
#include "skiff/oci/image.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/storage/store.hpp"
#include "layer_stream.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

namespace {

// The container's layer, opened in the worker: overlay upper + lowers (topmost first), or
// vfs root + image snapshot.
struct LayerFds {
  UniqueFd upper, root, image;
  std::vector<UniqueFd> lowers;
  std::vector<int> lower_fds() const {
    std::vector<int> v;
    for (auto& f : lowers) v.push_back(f.get());
    return v;
  }
};

Result<LayerFds> open_layer(const Engine& e, const ContainerRecord& r, const std::string& snapshot) {
  LayerFds f;
  std::string cdir = e.container_dir(r.id);
  if (r.driver == storage::Driver::Overlay) {
    f.upper = TRY(open_path(cdir + "/upper", O_RDONLY | O_DIRECTORY));
    auto cwd = TRY(open_path(r.extra.overlay_cwd.empty() ? e.graph() : r.extra.overlay_cwd, O_RDONLY | O_DIRECTORY));
    for (auto& d : r.extra.layer_dirs) f.lowers.push_back(TRY(open_at(cwd.get(), d, O_RDONLY | O_DIRECTORY)));
  } else {
    f.root = TRY(open_path(cdir + "/rootfs", O_RDONLY | O_DIRECTORY));
    f.image = TRY(open_path(snapshot, O_RDONLY | O_DIRECTORY));
  }
  return f;
}

// What diff and commit need before they start: the container, its lock when it is stopped
// (start and rm wait; a running container is read as it runs), the vfs image snapshot.
struct Prepared {
  Container c;
  FileLock lock;
  std::string snapshot;
};

Result<Prepared> prepare(Engine& e, const std::string& ref) {
  Prepared p;
  p.c = TRY(find_container(e, ref));
  if (!p.c.rec.driver || p.c.rec.image_id.empty())
    return fail(kUnsupported, fmt::format("container {} runs from a --rootfs directory: it has no image layers to compare with",
                                          p.c.rec.id));
  if (p.c.state.status != RunState::Running) {
    p.lock = TRY(e.lock_container(p.c.rec.id));
    p.c = TRY(find_container(e, p.c.rec.id));
    const ContainerState& s = p.c.state;
    if (s.status == RunState::Running) p.lock.release();
    else if (s.status == RunState::Removing) return fail(kConflict, fmt::format("container {} is being removed", p.c.rec.id));
  }
  if (p.c.rec.driver == storage::Driver::Vfs) {
    storage::Store* store = TRY(e.store(false));
    std::string top = p.c.rec.extra.top_layer;
    p.snapshot = TRY_CTX(store->layer_diff_path(top), "container {}: its image's top layer", p.c.rec.id);
  }
  return p;
}

// The runtime config of the new image: the container's (Docker commits container.Config),
// what only the image carries (ExposedPorts, Healthcheck, OnBuild, Shell), then the changes.
Result<Json> commit_runtime_config(const ContainerRecord& r, const Json& parent_config, const std::vector<std::string>& changes) {
  const Json cc = to_json(r.config);  // Docker's shape: commit copies Docker's fields
  Json out = Json::object();
  auto copy_from = [&](const Json& src, const char* key) {
    const Json& v = json_get(src, key);
    if (!v.is_null() && !(v.is_string() && v.get<std::string>().empty()) && !(v.is_object() && v.empty()))
      out[key] = v;
  };
  copy_from(cc, "User");
  copy_from(parent_config, "ExposedPorts");
  copy_from(cc, "Env");
  copy_from(cc, "Cmd");
  copy_from(parent_config, "Healthcheck");
  copy_from(parent_config, "ArgsEscaped");
  copy_from(cc, "Volumes");
  copy_from(cc, "WorkingDir");
  copy_from(cc, "Entrypoint");
  copy_from(parent_config, "OnBuild");
  copy_from(cc, "Labels");
  std::string stop = json_str(cc, "StopSignal");
  if (!json_str(parent_config, "StopSignal").empty() || (!stop.empty() && stop != "SIGTERM")) out["StopSignal"] = stop;
  copy_from(parent_config, "Shell");
  TRY(image::apply_changes(out, changes));
  // Docker's merge(): with neither Entrypoint nor Cmd left, the container's Cmd comes back.
  if (strings_of(json_get(out, "Entrypoint")).empty() && strings_of(json_get(out, "Cmd")).empty() &&
      !strings_of(json_get(cc, "Cmd")).empty())
    out["Cmd"] = cc["Cmd"];
  return out;
}

Result<std::string> normalized_name(const std::string& reference) {
  if (reference.empty()) return std::string();
  auto ref = TRY(oci::Reference::parse(reference));
  if (ref.digest()) return fail(kInvalid, "refusing to create a tag with a digest reference");
  return ref.str_with_default_tag();
}

// Streams the container's layer tar from a worker into the store. Returns the new layer, or
// nullopt when the layer is empty (nothing is stored then).
Result<std::optional<storage::LayerInfo>> store_layer(Engine& e, storage::Store& store, const Prepared& p,
                                                      const std::string& parent_chain) {
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  const ContainerRecord& r = p.c.rec;
  auto work = [&e, &r, &p, wfd]() -> Status {
    storage::raise_nofile_limit();
    auto fds = TRY(open_layer(e, r, p.snapshot));
    FdSink sink(wfd);
    auto tw = TRY(make_tar_writer(sink));
    if (r.driver == storage::Driver::Overlay) {
      TRY(write_overlay_layer(fds.upper.get(), *tw));
    } else {
      auto changes = TRY(vfs_changes(fds.root.get(), fds.image.get()));
      TRY(write_vfs_layer(fds.root.get(), changes, *tw));
    }
    return tw->finish();
  };
  {
    // The plugin is loaded before the fork: the worker never loads code itself.
    StringSink probe;
    (void)make_tar_writer(probe);
  }
  auto worker = TRY_CTX(start_in_userns(e.idmap(), work, {wfd}), "container {}: read its layer", r.id);
  pipe.write.reset();
  FdSource src(pipe.read.get());
  std::optional<storage::LayerInfo> layer;
  Status st = [&]() -> Status {
    layer = TRY(store_layer_stream(store, parent_chain, src));
    return ok();
  }();
  pipe.read.reset();
  Status wst = worker.wait();
  // A store that failed (a full disk) closes the pipe: the worker's "Broken pipe" is only the
  // echo of it. Otherwise the worker's error is the cause (the store saw a cut stream).
  if (!st && (wst || wst.error().code == EPIPE))
    return wrap(std::move(st).error(), fmt::format("container {}: store its layer", r.id));
  if (!wst) return wrap(std::move(wst).error(), fmt::format("container {}: read its layer", r.id));
  if (!st) return wrap(std::move(st).error(), fmt::format("container {}: store its layer", r.id));
  return layer;
}

}  // namespace

namespace {
// Replays the first bytes read from `inner` (to look at them), then reads on.
class PeekSource : public ByteSource {
 public:
  PeekSource(ByteSource& inner, std::string head) : inner_(inner), head_(std::move(head)) {}
  Result<size_t> read(void* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return inner_.read(buf, n);
  }

 private:
  ByteSource& inner_;
  std::string head_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::string> read_head(ByteSource& src, size_t limit) {
  std::string out(limit, '\0');
  size_t got = 0;
  while (got < limit) {
    size_t n = TRY(src.read(out.data() + got, limit - got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return out;
}

Result<std::optional<storage::LayerInfo>> store_layer_stream(storage::Store& store, const std::string& parent_chain,
                                                             ByteSource& src) {
  // An empty tar is 1024 zero bytes: look at the first 10 KiB before storing anything.
  auto head = TRY(read_head(src, 10240));
  if (head.size() < 10240 && std::all_of(head.begin(), head.end(), [](char c) { return c == 0; })) return std::nullopt;
  PeekSource all(src, std::move(head));
  return std::optional<storage::LayerInfo>(TRY(store.create_layer(parent_chain, "", all)));
}

Result<std::vector<Change>> container_changes(Engine& e, const std::string& ref) {
  auto p = TRY(prepare(e, ref));
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  const ContainerRecord& r = p.c.rec;
  auto work = [&e, &r, &p, wfd]() -> Status {
    storage::raise_nofile_limit();
    auto fds = TRY(open_layer(e, r, p.snapshot));
    auto changes = r.driver == storage::Driver::Overlay ? TRY(overlay_changes(fds.upper.get(), fds.lower_fds()))
                                         : TRY(vfs_changes(fds.root.get(), fds.image.get()));
    std::string out;
    for (auto& c : changes) {
      out += c.letter();
      out += c.path;
      out += '\0';
      if (out.size() > (1 << 20)) {
        TRY(write_all(wfd, out));
        out.clear();
      }
    }
    return write_all(wfd, out);
  };
  auto worker = TRY_CTX(start_in_userns(e.idmap(), work, {wfd}), "container {}", r.id);
  pipe.write.reset();
  auto text = read_all(pipe.read.get(), size_t(1) << 30);
  TRY_CTX(worker.wait(), "container {}: compare its layer", r.id);
  if (!text) return text.error();
  std::vector<Change> out;
  size_t i = 0;
  while (i < text->size()) {
    size_t end = text->find('\0', i);
    if (end == std::string::npos) break;
    char k = (*text)[i];
    out.push_back({k == 'A' ? Change::Added : k == 'D' ? Change::Deleted : Change::Modified, text->substr(i + 1, end - i - 1)});
    i = end + 1;
  }
  return out;
}

Result<CommitResult> commit_container(Engine& e, const std::string& ref, const CommitOptions& o) {
  std::string name = TRY(normalized_name(o.reference));
  storage::Store* store = TRY(e.store(true));
  auto p = TRY(prepare(e, ref));
  const ContainerRecord& r = p.c.rec;
  auto img = TRY_CTX(store->lookup_image(r.image_id), "container {}: its image", r.id);
  auto parent = TRY(parse_json(TRY(store->image_config(img.id)), "image config"));
  Json runtime = TRY(commit_runtime_config(r, json_get(parent, "config"), o.changes));

  auto layer = TRY(store_layer(e, *store, p, img.top_layer));
  p.lock.release();  // the layer is stored: the container may start again

  int64_t now = now_ns();
  std::string created = format_rfc3339nano(now);
  Json cfg = Json::object();
  cfg["created"] = created;
  if (!o.author.empty()) cfg["author"] = o.author;
  cfg["architecture"] = json_str(parent, "architecture");
  if (!json_str(parent, "variant").empty()) cfg["variant"] = parent["variant"];
  cfg["os"] = json_str(parent, "os", "linux");
  if (json_get(parent, "os.version").is_string()) cfg["os.version"] = parent["os.version"];
  if (json_get(parent, "os.features").is_array()) cfg["os.features"] = parent["os.features"];
  cfg["config"] = runtime;
  // Docker's commit records the container and its config (image inspect's Container and
  // ContainerConfig).
  cfg["container"] = r.id;
  cfg["container_config"] = to_json(r.config);
  Json rootfs = Json::object();
  rootfs["type"] = "layers";
  Json diff_ids = json_get(json_get(parent, "rootfs"), "diff_ids").is_array() ? parent["rootfs"]["diff_ids"] : Json::array();
  if (layer) diff_ids.push_back(layer->diff_id);
  rootfs["diff_ids"] = diff_ids;
  cfg["rootfs"] = rootfs;
  Json history = json_get(parent, "history").is_array() ? parent["history"] : Json::array();
  Json h = Json::object();
  h["created"] = created;
  if (!o.author.empty()) h["author"] = o.author;
  h["created_by"] = join(r.config.cmd, " ");
  if (!o.message.empty()) h["comment"] = o.message;
  if (!layer) h["empty_layer"] = true;
  history.push_back(h);
  cfg["history"] = history;

  storage::NewImage ni;
  ni.config = skiff::to_json(cfg);
  ni.layers = img.layers;
  if (layer) {
    storage::ImageLayer l;
    l.diff_id = layer->diff_id;
    l.chain_id = layer->chain_id;
    ni.layers.push_back(l);
  }
  if (!name.empty()) ni.names.push_back(name);
  ni.created_ns = now;
  ni.parent = img.id;
  auto rec = TRY(store->create_image(ni));
  return CommitResult{rec.id, !layer.has_value()};
}

Result<std::string> import_image(Engine& e, ByteSource& tar, const ImportOptions& o) {
  std::string name = TRY(normalized_name(o.reference));
  oci::Platform plat = oci::Platform::host();
  if (!o.platform.empty()) plat = TRY(oci::Platform::parse(o.platform));
  Json runtime = Json::object();
  TRY(image::apply_changes(runtime, o.changes));
  storage::Store* store = TRY(e.store(true));
  auto plain = TRY(make_auto_decompressor(tar));
  auto layer = TRY_CTX(store->create_layer("", "", *plain), "import {}", o.source);

  int64_t now = now_ns();
  std::string created = format_rfc3339nano(now);
  std::string msg = o.message.empty() ? "Imported from " + o.source : o.message;
  Json cfg = Json::object();
  cfg["created"] = created;
  cfg["comment"] = msg;
  cfg["architecture"] = plat.architecture;
  if (!plat.variant.empty()) cfg["variant"] = plat.variant;
  cfg["os"] = plat.os.empty() ? "linux" : plat.os;
  cfg["config"] = runtime;
  Json rootfs = Json::object();
  rootfs["type"] = "layers";
  rootfs["diff_ids"] = Json::array({layer.diff_id});
  cfg["rootfs"] = rootfs;
  Json h = Json::object();
  h["created"] = created;
  h["comment"] = msg;
  cfg["history"] = Json::array({h});

  storage::NewImage ni;
  ni.config = skiff::to_json(cfg);
  storage::ImageLayer l;
  l.diff_id = layer.diff_id;
  l.chain_id = layer.chain_id;
  ni.layers.push_back(l);
  if (!name.empty()) ni.names.push_back(name);
  ni.created_ns = now;
  auto rec = TRY(store->create_image(ni));
  return rec.id;
}

}  // namespace skiff::engine
