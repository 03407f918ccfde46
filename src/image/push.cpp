// Push: every layer's blob (exists, mounted, the kept blob, or compressed now), then the
// config, then the manifest. See push.hpp.
#include "skiff/image/push.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "skiff/oci/image.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::image {

namespace {

// What a layer became in the destination.
struct PushedLayer {
  oci::Descriptor desc;
  std::string diff_id;  ///< of the tar that was pushed (differs from the store's only if regenerated differently)
};

// Copies to the blob file being kept, then forwards to `inner` (so the file is always ahead
// of what the reader got). A failed copy is only dropped (`copy_ok` goes false).
class TeeSink : public ByteSink {
 public:
  TeeSink(ByteSink& inner, int copy_fd, std::atomic<bool>& copy_ok) : inner_(inner), fd_(copy_fd), ok_(copy_ok) {}
  Status write(std::string_view d) override {
    if (ok_)
      if (auto st = write_all(fd_, d); !st) {
        log::debug("cannot keep the compressed blob: {}", st.error().msg);
        ok_ = false;
      }
    return inner_.write(d);
  }

 private:
  ByteSink& inner_;
  int fd_;
  std::atomic<bool>& ok_;
};

// What the upload reads of a blob being compressed: from the pipe, and after a rewind
// (the registry could not resume an upload) again from the copy in the blob file.
class ReplaySource : public ByteSource {
 public:
  ReplaySource(ByteSource& live, int copy_fd, std::atomic<bool>& copy_ok) : live_(live), fd_(copy_fd), ok_(copy_ok) {}
  Result<size_t> read(void* buf, size_t n) override {
    if (pos_ < piped_) {
      size_t want = size_t(std::min<uint64_t>(n, piped_ - pos_));
      ssize_t k = pread(fd_, buf, want, off_t(pos_));
      if (k < 0) return fail_errno("read the blob being pushed again");
      if (k == 0) return fail(kCorrupt, "the blob being pushed is shorter than what was sent");
      pos_ += uint64_t(k);
      return size_t(k);
    }
    size_t k = TRY(live_.read(buf, n));
    piped_ += k;
    pos_ += k;
    return k;
  }
  Status rewind() {
    if (!ok_ || fd_ < 0) return fail(kUnsupported, "the compressed blob was not kept: cannot send it again");
    pos_ = 0;
    return ok();
  }

 private:
  ByteSource& live_;
  int fd_;
  std::atomic<bool>& ok_;
  uint64_t pos_ = 0, piped_ = 0;
};

// The read end of the compressor's pipe: at EOF it waits for the compressor and reports its
// failure, so a layer whose tar failed half-way is never uploaded as complete.
class ProducerSource : public ByteSource {
 public:
  ProducerSource(int fd, std::future<Status>& done) : in_(fd), done_(done) {}
  Result<size_t> read(void* buf, size_t n) override {
    size_t k = TRY(in_.read(buf, n));
    if (k == 0) {
      if (!result_) result_ = done_.get();
      if (!*result_) return result_->error();
    }
    return k;
  }

 private:
  FdSource in_;
  std::future<Status>& done_;
  std::optional<Status> result_;
};

// Counts bytes read and reports them (throttled).
class ProgressSource : public ByteSource {
 public:
  ProgressSource(ByteSource& inner, std::function<void(uint64_t)> on) : inner_(inner), on_(std::move(on)) {}
  Result<size_t> read(void* buf, size_t n) override {
    size_t k = TRY(inner_.read(buf, n));
    count_ += k;
    int64_t now = now_ns();
    if (k && now - last_ > 100'000'000) {
      last_ = now;
      on_(count_);
    }
    return k;
  }

 private:
  ByteSource& inner_;
  std::function<void(uint64_t)> on_;
  uint64_t count_ = 0;
  int64_t last_ = 0;
};

std::string_view compressed_media_type(Compression c, bool docker) {
  if (c == Compression::Zstd) return oci::media::kOciLayerZstd;
  if (c == Compression::None) return oci::media::kOciLayer;
  return docker ? oci::media::kDockerLayerGzip : oci::media::kOciLayerGzip;
}

class Pusher {
 public:
  Pusher(storage::Store& store, registry::Client& client, const PushOptions& o, registry::PushTarget dst)
      : store_(store), client_(client), o_(o), dst_(std::move(dst)) {}

  Result<PushResult> run(const storage::ImageRecord& img);

 private:
  void status(const std::string& id, std::string text, uint64_t cur = 0, uint64_t total = 0) {
    if (!o_.progress) return;
    std::lock_guard<std::mutex> lk(mu_);
    o_.progress({PullEvent::LayerStatus, id, std::move(text), cur, total});
  }
  Result<PushedLayer> push_layer(const storage::ImageLayer& l, const std::string& id);
  Result<std::optional<PushedLayer>> send_blob(oci::Descriptor desc, UniqueFd kept, const std::string& diff_id,
                                               const std::string& id);
  Result<PushedLayer> push_generated(const storage::LayerInfo& info, const std::string& id);

  storage::Store& store_;
  registry::Client& client_;
  const PushOptions& o_;
  registry::PushTarget dst_;
  /// Repositories of the destination's registry to mount each blob from: those of the images
  /// in the store that have the blob (the image pushed, the image a commit was made from…).
  std::map<std::string, std::vector<std::string>> mount_from_;
  bool docker_ = true;                   ///< the manifest will be Docker schema 2
  std::mutex mu_;
};

// The destination already has the blob, or gets it by mount or from the kept file; nullopt
// when none of that works (the layer must be read back and compressed).
Result<std::optional<PushedLayer>> Pusher::send_blob(oci::Descriptor desc, UniqueFd kept, const std::string& diff_id,
                                                      const std::string& id) {
  if (auto have = TRY(client_.stat_blob(dst_, desc.digest))) {
    status(id, "Layer already exists");
    if (desc.size <= 0) desc.size = int64_t(*have);
    return std::optional<PushedLayer>(PushedLayer{desc, diff_id});
  }
  auto it = mount_from_.find(desc.digest.str());
  for (const auto& from : it == mount_from_.end() ? std::vector<std::string>{} : it->second) {
    if (TRY(client_.mount_blob(dst_, desc.digest, from))) {
      status(id, "Mounted from " + from);
      return std::optional<PushedLayer>(PushedLayer{desc, diff_id});
    }
  }
  if (!kept.valid()) return std::optional<PushedLayer>();
  status(id, "Pushing", 0, uint64_t(desc.size));
  FdSource file(kept.get());
  ProgressSource src(file, [&](uint64_t n) { status(id, "Pushing", n, uint64_t(desc.size)); });
  auto rewind = [&]() -> Status {
    if (lseek(kept.get(), 0, SEEK_SET) < 0) return fail_errno("rewind the kept blob");
    return ok();
  };
  auto up = TRY(client_.upload_blob(dst_, src, desc.digest, {}, rewind));
  desc.size = int64_t(up.size);
  status(id, "Pushed");
  return std::optional<PushedLayer>(PushedLayer{desc, diff_id});
}

Result<PushedLayer> Pusher::push_layer(const storage::ImageLayer& l, const std::string& id) {
  // The blob the layer was pulled as (the image's manifest names it).
  if (!l.digest.empty()) {
    oci::Descriptor d;
    d.digest = TRY(oci::Digest::parse(l.digest));
    d.media_type = l.media_type;
    d.size = int64_t(l.compressed_size);
    UniqueFd kept;
    if (auto fd = store_.open_layer_blob(l.chain_id, l.digest)) kept = std::move(*fd);
    if (auto done = TRY(send_blob(d, std::move(kept), l.diff_id, id))) return std::move(*done);
  }
  // Another blob kept with the layer (pulled for another image, or compressed by an earlier
  // push): cheaper than compressing again, and the same digest as last time.
  if (auto blob = store_.kept_layer_blob(l.chain_id); blob && *blob != l.digest) {
    if (auto fd = store_.open_layer_blob(l.chain_id, *blob)) {
      struct stat st;
      char head[4] = {};
      if (fstat(fd->get(), &st) == 0 && pread(fd->get(), head, sizeof head, 0) == ssize_t(sizeof head)) {
        oci::Descriptor d;
        d.digest = TRY(oci::Digest::parse(*blob));
        d.size = st.st_size;
        d.media_type = compressed_media_type(detect_compression(std::string_view(head, 4)), docker_);
        if (auto done = TRY(send_blob(d, std::move(*fd), l.diff_id, id))) return std::move(*done);
      }
    }
  }
  auto info = TRY(store_.layer_info(l.chain_id));
  return push_generated(info, id);
}

Result<PushedLayer> Pusher::push_generated(const storage::LayerInfo& info, const std::string& id) {
  if (!o_.open_layer_tar)
    return fail(kUnsupported, fmt::format("layer {}: no blob to push and no way to read the layer", info.chain_id));
  status(id, "Pushing", 0, info.tar_size);
  auto tar = TRY_CTX(o_.open_layer_tar(info), "layer {}", info.chain_id);
  auto pipe = TRY(make_pipe());
  UniqueFd blob;
  if (auto tmp = store_.blob_tempfile()) blob = std::move(*tmp);
  std::atomic<bool> blob_ok{blob.valid()};
  Sha256 diff_hash = TRY(Sha256::make());
  std::promise<Status> done_p;
  std::future<Status> done = done_p.get_future();
  uint64_t tar_bytes = 0;
  std::thread compressor([&] {
    Status st = [&]() -> Status {
      FdSink out(pipe.write.get());
      TeeSink tee(out, blob.get(), blob_ok);
      // gzip level 1: several times faster than the default 6 for a few percent more bytes (the
      // upload waits for the compressor: it is the slowest stage of a push).
      auto z = TRY(make_compressor(tee, o_.compression, o_.compression == Compression::Gzip ? 1 : -1));
      HashingSource hashed(*tar, diff_hash);
      ProgressSource counted(hashed, [&](uint64_t n) { status(id, "Pushing", n, info.tar_size); });
      TRY(copy_stream(counted, *z));
      TRY(z->close());
      tar_bytes = hashed.count();
      return ok();
    }();
    pipe.write.reset();
    done_p.set_value(std::move(st));
  });
  ProducerSource live(pipe.read.get(), done);
  ReplaySource src(live, blob.get(), blob_ok);
  auto up = client_.upload_blob(dst_, src, std::nullopt, {}, [&] { return src.rewind(); });
  pipe.read.reset();  // unblocks a compressor still writing after an upload failure
  compressor.join();
  Status tar_st = tar->finish();
  if (!up) {
    // The upload's failure is the cause; the worker then only saw its pipe close (EPIPE).
    Error e = std::move(up).error();
    if (!tar_st && tar_st.error().code != EPIPE)
      e.msg += fmt::format(" (reading layer {}: {})", info.chain_id, tar_st.error().msg);
    return e;
  }
  if (!tar_st) return wrap(std::move(tar_st).error(), fmt::format("layer {}: read it", info.chain_id));
  PushedLayer out;
  out.desc.digest = up->digest;
  out.desc.size = int64_t(up->size);
  out.desc.media_type = compressed_media_type(o_.compression, docker_);
  out.diff_id = "sha256:" + diff_hash.hex();
  if (out.diff_id == info.diff_id) {
    if (blob_ok)
      if (auto st = store_.keep_layer_blob(info.chain_id, up->digest.str(), blob.get()); !st)
        log::debug("{}", st.error().msg);
  } else {
    log::debug("layer {}: read back as {} ({} bytes); the pushed config names that", info.chain_id, out.diff_id,
               tar_bytes);
  }
  status(id, "Pushed");
  return out;
}

Result<PushResult> Pusher::run(const storage::ImageRecord& img) {
  const oci::Reference& dest = dst_.ref;
  std::string config = TRY(store_.image_config(img.id));
  std::string manifest_bytes = store_.image_manifest(img.id).value_or("");
  std::optional<oci::Manifest> stored;
  if (!manifest_bytes.empty())
    if (auto m = oci::parse_manifest(manifest_bytes, img.manifest_media_type, "stored manifest")) stored = std::move(*m);
  docker_ = o_.compression != Compression::Zstd && (!stored || stored->is_docker());
  {
    std::set<std::string> wanted;
    for (const auto& l : img.layers)
      if (!l.digest.empty()) wanted.insert(l.digest);
    auto repos_of = [&](const storage::ImageRecord& r) {
      std::vector<std::string> out;
      for (const auto* names : {&r.tags, &r.digests})
        for (const auto& n : *names)
          if (auto ref = oci::Reference::parse(n); ref && ref->domain() == dest.domain() && ref->path() != dest.path() &&
                                                   std::find(out.begin(), out.end(), ref->path()) == out.end())
            out.push_back(ref->path());
      return out;
    };
    auto add = [&](const storage::ImageRecord& full, const std::vector<std::string>& repos) {
      for (const auto& l : full.layers)
        if (wanted.count(l.digest))
          for (const auto& repo : repos) {
            auto& v = mount_from_[l.digest];
            if (std::find(v.begin(), v.end(), repo) == v.end()) v.push_back(repo);
          }
    };
    add(img, repos_of(img));  // the image's own names first
    if (!wanted.empty())
      if (auto all = store_.list_images())
        for (const auto& r : *all) {
          if (r.id == img.id) continue;
          auto repos = repos_of(r);
          if (repos.empty()) continue;
          if (auto full = store_.lookup_image(r.id, false)) add(*full, repos);
        }
  }

  if (o_.progress) o_.progress({PullEvent::Message, "", fmt::format("The push refers to repository [{}]", dest.name())});
  const auto& layers = img.layers;
  std::vector<std::string> ids;
  for (const auto& l : layers) ids.push_back(l.diff_id.size() > 19 ? l.diff_id.substr(7, 12) : l.diff_id);
  for (size_t i = layers.size(); i-- > 0;) status(ids[i], "Preparing");
  for (size_t i = layers.size(); i-- > 0;) status(ids[i], "Waiting");

  std::vector<std::optional<Result<PushedLayer>>> results(layers.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (;;) {
      size_t i = next++;
      if (i >= layers.size() || failed) return;
      auto r = push_layer(layers[i], ids[i]);
      if (!r) failed = true;
      results[i] = std::move(r);
    }
  };
  std::vector<std::thread> threads;
  size_t nthreads = std::min<size_t>(std::max(o_.parallel, 1), layers.size());
  for (size_t t = 1; t < nthreads; ++t) threads.emplace_back(worker);
  if (nthreads > 0) worker();
  for (auto& t : threads) t.join();
  std::vector<PushedLayer> pushed;
  for (auto& r : results) {
    if (r && !*r) return std::move(*r).error();
    if (!r) return fail(kInvalid, "push stopped");
    pushed.push_back(std::move(**r));
  }

  // The config: rewritten only if a layer's tar came back different.
  bool diff_changed = false;
  for (size_t i = 0; i < layers.size(); ++i) diff_changed |= pushed[i].diff_id != layers[i].diff_id;
  if (diff_changed) {
    Json cfg = TRY(parse_json(config, "image config"));
    Json ids_json = Json::array();
    for (auto& p : pushed) ids_json.push_back(p.diff_id);
    cfg["rootfs"]["diff_ids"] = ids_json;
    config = to_json(cfg);
  }
  oci::Digest config_digest = TRY(oci::Digest::parse(TRY(sha256_digest(config))));
  if (!TRY(client_.stat_blob(dst_, config_digest))) {
    StringSource src(config);
    TRY_CTX(client_.upload_blob(dst_, src, config_digest), "image config");
  }

  // The manifest: the stored bytes when they name exactly these blobs.
  bool same = stored && !diff_changed && stored->config.digest == config_digest &&
              stored->layers.size() == pushed.size();
  for (size_t i = 0; same && i < pushed.size(); ++i)
    same = stored->layers[i].digest == pushed[i].desc.digest && stored->layers[i].media_type == pushed[i].desc.media_type;
  std::string media_type;
  if (same) {
    media_type = stored->media_type.empty() ? img.manifest_media_type : stored->media_type;
  } else {
    bool docker = docker_;
    for (auto& p : pushed)
      if (p.desc.media_type.find("vnd.oci.") != std::string::npos) docker = false;
    media_type = docker ? oci::media::kDockerManifest : oci::media::kOciManifest;
    Json m = Json::object();
    m["schemaVersion"] = 2;
    m["mediaType"] = media_type;
    Json c = Json::object();
    c["mediaType"] = docker ? oci::media::kDockerConfig : oci::media::kOciConfig;
    c["size"] = config.size();
    c["digest"] = config_digest.str();
    m["config"] = c;
    Json ls = Json::array();
    for (auto& p : pushed) {
      std::string mt = p.desc.media_type;
      if (docker && mt == oci::media::kOciLayerGzip) mt = oci::media::kDockerLayerGzip;
      if (!docker && mt == oci::media::kDockerLayerGzip) mt = oci::media::kOciLayerGzip;
      Json l = Json::object();
      l["mediaType"] = mt;
      l["size"] = p.desc.size;
      l["digest"] = p.desc.digest.str();
      ls.push_back(l);
    }
    m["layers"] = ls;
    // Docker writes its manifests indented by three spaces, c/image compact.
    manifest_bytes = docker ? to_json_pretty(m, 3) : to_json(m);
  }
  oci::Digest d = TRY(client_.put_manifest(dst_, media_type, manifest_bytes));
  PushResult res;
  res.digest = d.str();
  res.size = manifest_bytes.size();
  res.tag = dest.digest() ? "" : dest.tag_or_default();
  return res;
}

}  // namespace

Result<PushResult> push(storage::Store& store, const storage::ImageRecord& img, const oci::Reference& dest,
                        const PushOptions& o) {
  if (dest.is_short()) return fail(kInvalid, fmt::format("push {}: the destination must be fully qualified", dest.str()));
  auto transport = TRY(registry::make_http_transport());
  auto env = registry::ConfigEnv::from_process();
  auto conf = TRY(registry::load_registries_conf(env));
  registry::PushTarget dst;
  dst.ref = dest.digest() ? dest : dest.with_default_tag();
  if (const auto* e = conf.find_registry(dst.ref.name()); e && e->blocked)
    return fail(EACCES, fmt::format("registry {} is blocked in `{}`", dst.ref.domain(), e->origin));
  registry::Client client(*transport, env, std::move(conf), o.client);
  Pusher p(store, client, o, dst);
  return TRY_CTX(p.run(img), "push {}", dst.ref.str());
}

}  // namespace skiff::image
