// Pull: resolve, fetch the manifest and config, then stream every missing layer from the
// registry into the store; finally publish the image record and its names.
#include "skiff/image/pull.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "skiff/registry/config.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::image {

namespace {

// A sink that reports progress (throttled) and forwards to the pipe.
class CountingSink : public ByteSink {
 public:
  CountingSink(ByteSink& inner, const std::function<void(uint64_t)>& on) : inner_(inner), on_(on) {}
  Status write(std::string_view d) override {
    TRY(inner_.write(d));
    count_ += d.size();
    int64_t now = now_ns();
    if (now - last_ > 100'000'000) {
      last_ = now;
      on_(count_);
    }
    return ok();
  }

 private:
  ByteSink& inner_;
  const std::function<void(uint64_t)>& on_;
  uint64_t count_ = 0;
  int64_t last_ = 0;
};

// Forwards to `inner` and copies to the blob file being kept; a failure to keep the copy
// (disk full) only drops the copy.
class TeeSink : public ByteSink {
 public:
  TeeSink(ByteSink& inner, UniqueFd& copy) : inner_(inner), copy_(copy) {}
  Status write(std::string_view d) override {
    if (copy_.valid())
      if (auto st = write_all(copy_.get(), d); !st) {
        log::debug("cannot keep the layer's compressed blob: {}", st.error().msg);
        copy_.reset();
      }
    return inner_.write(d);
  }

 private:
  ByteSink& inner_;
  UniqueFd& copy_;
};

struct Job {
  size_t index = 0;
  std::string parent_chain, chain, diff_id, short_id;
  oci::Descriptor desc;
  UniqueFd blob;  ///< the compressed bytes as downloaded (kept with the layer once published)
};

class Puller {
 public:
  Puller(storage::Store& store, registry::Client& client, const PullOptions& o) : store_(store), client_(client), o_(o) {}
  Result<PullResult> pull_one(const oci::Reference& ref);

 private:
  void emit(PullEvent ev) {
    if (!o_.progress) return;
    std::lock_guard<std::mutex> lk(progress_mu_);
    o_.progress(ev);
  }
  // Streams one layer: a download thread writes the blob into a pipe; this thread reads it,
  // decompresses it, and hands the tar stream to the store.
  Result<storage::StagedLayer> stage(const registry::PullSource& src, Job& j);
  // Keeps the downloaded blob with the published layer (best effort).
  void keep_blob(Job& j) {
    if (!j.blob.valid()) return;
    if (auto st = store_.keep_layer_blob(j.chain, j.desc.digest.str(), j.blob.get()); !st)
      log::debug("{}", st.error().msg);
    j.blob.reset();
  }

  storage::Store& store_;
  registry::Client& client_;
  const PullOptions& o_;
  std::mutex progress_mu_;
};

Result<storage::StagedLayer> Puller::stage(const registry::PullSource& src, Job& j) {
  auto pipe = TRY(make_pipe());
  if (auto tmp = store_.blob_tempfile()) j.blob = std::move(*tmp);
  else log::debug("layer {}: its compressed blob will not be kept: {}", j.desc.digest.str(), tmp.error().msg);
  Result<uint64_t> fetched = uint64_t(0);
  std::function<void(uint64_t)> on_bytes = [&](uint64_t n) {
    emit({PullEvent::LayerDownloading, j.short_id, "", n, uint64_t(j.desc.size)});
  };
  std::thread downloader([&] {
    FdSink fd_sink(pipe.write.get());
    TeeSink tee(fd_sink, j.blob);
    CountingSink counting(tee, on_bytes);
    fetched = client_.fetch_blob(src, j.desc, counting);
    pipe.write.reset();  // EOF for the extractor (also after an error: it then fails too)
  });
  FdSource raw(pipe.read.get());
  auto staged = [&]() -> Result<storage::StagedLayer> {
    auto tar = TRY_CTX(make_auto_decompressor(raw), "layer {}", j.desc.digest.str());
    return store_.stage_layer(j.parent_chain, j.diff_id, *tar);
  }();
  pipe.read.reset();  // unblocks a downloader still writing after an extraction failure
  downloader.join();
  if (staged && staged->existing()) {
    // Another process completed the layer since we looked: the store did not read the
    // stream, so the download ended with EPIPE on purpose.
    j.blob.reset();  // and the copy is incomplete
    emit({PullEvent::LayerExists, j.short_id, "", 0, 0});
    return staged;
  }
  // The network error explains the rest, unless the store failed first (a full disk) and the
  // download only met the pipe it closed.
  if (!fetched && (staged || fetched.error().code != EPIPE)) {
    j.blob.reset();
    return std::move(fetched).error();
  }
  if (!staged) return std::move(staged).error();
  emit({PullEvent::LayerDone, j.short_id, "", uint64_t(j.desc.size), uint64_t(j.desc.size)});
  return staged;
}

Result<PullResult> Puller::pull_one(const oci::Reference& ref) {
  oci::Platform platform = o_.platform ? *o_.platform : oci::Platform::host();
  auto img = TRY(client_.resolve_image(ref, platform));
  const oci::ImageConfig& cfg = img.config;
  const auto& layers = img.manifest.layers;
  if (cfg.diff_ids.size() != layers.size())
    return fail(kCorrupt, fmt::format("{}: the manifest has {} layers but the config {} diff IDs", ref.str(),
                                      layers.size(), cfg.diff_ids.size()));
  PullResult res;
  res.image_id = TRY(sha256_digest(cfg.raw));
  res.digest = img.digest.str();
  res.name = ref.digest() && ref.tag().empty() ? ref.str() : ref.str_with_default_tag();
  res.familiar = ref.familiar();
  emit({PullEvent::Message, "", fmt::format("{}: Pulling from {}", ref.tag_or_digest(), ref.path())});

  // A blob that is not a tar layer (a Helm chart, a WASM module, an artifact of some other
  // tool) must not be applied as one: refuse the image before anything is downloaded. The
  // compression itself is read from the blob's first bytes, as before.
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string& mt = layers[i].media_type;
    if (mt.empty() || oci::is_layer_media_type(mt)) continue;
    return fail(kUnsupported,
                fmt::format("{}: layer {} ({}) has media type `{}`, which is not a container image layer "
                            "(skiff applies OCI and Docker layers: tar, tar+gzip or tar+zstd)",
                            ref.str(), i + 1, layers[i].digest.str(), mt));
  }

  std::vector<Job> jobs;
  std::string parent;
  std::vector<storage::ImageLayer> image_layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    Job j;
    j.index = i;
    j.parent_chain = parent;
    j.diff_id = cfg.diff_ids[i].str();
    j.chain = TRY(storage::chain_id_of(parent, j.diff_id));
    j.desc = layers[i];
    j.short_id = layers[i].digest.short_hex();
    parent = j.chain;
    storage::ImageLayer il;
    il.diff_id = j.diff_id;
    il.chain_id = j.chain;
    il.digest = layers[i].digest.str();
    il.media_type = layers[i].media_type;
    il.compressed_size = uint64_t(layers[i].size);
    image_layers.push_back(il);
    if (store_.has_layer(j.chain)) {
      emit({PullEvent::LayerExists, j.short_id, "", 0, 0});
      continue;
    }
    emit({PullEvent::LayerWaiting, j.short_id, "", 0, uint64_t(layers[i].size)});
    jobs.push_back(std::move(j));
  }
  bool had_image = store_.lookup_image(res.image_id).has_value();

  if (!jobs.empty()) {
    if (store_.driver() == storage::Driver::Vfs) {
      // A vfs layer is its parent's snapshot plus the diff: one after another.
      for (auto& j : jobs) {
        auto staged = TRY(stage(img.source, j));
        TRY(store_.publish_layer(std::move(staged)));
        keep_blob(j);
      }
    } else {
      // overlay: extract up to `parallel` layers at once, publish in chain order.
      std::mutex mu;
      std::condition_variable cv;
      size_t running = 0, next_publish = 0;
      bool failed = false;
      std::optional<Error> first_error;
      std::vector<std::thread> threads;
      int limit = o_.parallel > 0 ? o_.parallel : 1;
      for (size_t k = 0; k < jobs.size(); ++k) {
        {
          std::unique_lock<std::mutex> lk(mu);
          cv.wait(lk, [&] { return running < size_t(limit) || failed; });
          if (failed) break;
          ++running;
        }
        threads.emplace_back([&, k] {
          auto staged = stage(img.source, jobs[k]);
          std::unique_lock<std::mutex> lk(mu);
          --running;
          cv.notify_all();
          if (!staged) {
            if (!first_error) first_error = std::move(staged).error();
            failed = true;
            cv.notify_all();
            return;
          }
          cv.wait(lk, [&] { return next_publish == k || failed; });
          if (failed) return;
          lk.unlock();
          auto pub = store_.publish_layer(std::move(*staged));
          lk.lock();
          if (!pub) {
            if (!first_error) first_error = std::move(pub).error();
            failed = true;
          } else {
            ++next_publish;
            lk.unlock();
            keep_blob(jobs[k]);
            lk.lock();
          }
          cv.notify_all();
        });
      }
      for (auto& t : threads) t.join();
      if (first_error) return *first_error;
    }
  }

  storage::NewImage ni;
  ni.config = cfg.raw;
  ni.manifest = img.manifest.raw;
  ni.manifest_digest = img.manifest_digest.str();
  ni.manifest_media_type = img.manifest.media_type;
  ni.layers = std::move(image_layers);
  if (!ref.digest()) ni.names.push_back(ref.str_with_default_tag());
  ni.names.push_back(ref.name() + "@" + img.digest.str());
  ni.created_ns = parse_rfc3339(cfg.created).value_or(0);
  TRY(store_.create_image(ni));
  res.downloaded = !had_image || !jobs.empty();
  return res;
}

Result<std::unique_ptr<registry::Client>> make_client(const PullOptions& o, std::unique_ptr<registry::HttpTransport>& t,
                                                      registry::ConfigEnv& env) {
  t = TRY(registry::make_http_transport());
  env = registry::ConfigEnv::from_process();
  auto conf = TRY(registry::load_registries_conf(env));
  return std::make_unique<registry::Client>(*t, env, std::move(conf), o.client);
}

}  // namespace

Result<PullResult> pull(storage::Store& store, const std::string& ref_text, const PullOptions& o) {
  auto ref = TRY(oci::Reference::parse(ref_text));
  std::unique_ptr<registry::HttpTransport> transport;
  registry::ConfigEnv env;
  auto client = TRY(make_client(o, transport, env));
  Puller p(store, *client, o);
  if (!ref.is_short()) return p.pull_one(ref.digest() ? ref : ref.with_default_tag());
  auto res = TRY(registry::resolve_short_name(client->registries_conf(), ref, false));
  if (!res.description.empty() && o.progress) o.progress({PullEvent::Message, "", res.description});
  std::vector<std::string> errors;
  for (size_t i = 0; i < res.candidates.size(); ++i) {
    const auto& cand = res.candidates[i];
    if (res.candidates.size() > 1 && o.progress)
      o.progress({PullEvent::Message, "", fmt::format("Trying to pull {}...", cand.str())});
    auto r = p.pull_one(cand);
    if (r) return r;
    if (res.candidates.size() == 1) return std::move(r).error();
    errors.push_back(fmt::format("{}: {}", cand.str(), r.error().msg));
  }
  return fail(kNotFound, fmt::format("unable to pull {}: {}", ref_text, join(errors, "; ")));
}

Result<std::vector<std::string>> list_tags(const std::string& repository, const PullOptions& o) {
  auto ref = TRY(oci::Reference::parse(repository));
  std::unique_ptr<registry::HttpTransport> transport;
  registry::ConfigEnv env;
  auto client = TRY(make_client(o, transport, env));
  auto sources = TRY(registry::pull_sources(client->registries_conf(), ref));
  return client->list_tags(sources.back());
}

}  // namespace skiff::image
