// A stored layer as a tar stream: the tar it was stored from, replayed from its recorded
// layout (Store::layer_tar), or, for a layer stored without one, a tar made anew from its
// directory by a worker in the store's user namespace.
#include "skiff/engine/layer_tar.hpp"

#include <fcntl.h>

#include <thread>

#include "changes.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

namespace {

class WorkerTar : public image::LayerTar {
 public:
  WorkerTar(UniqueFd read, UsernsWorker worker, std::string what)
      : read_(std::move(read)), src_(read_.get()), worker_(std::move(worker)), what_(std::move(what)) {}
  Result<size_t> read(void* buf, size_t n) override { return src_.read(buf, n); }
  Status finish() override {
    read_.reset();
    if (finished_) return ok();
    finished_ = true;
    return worker_.wait();
  }

 private:
  UniqueFd read_;
  FdSource src_;
  UsernsWorker worker_;
  std::string what_;
  bool finished_ = false;
};

Result<std::unique_ptr<image::LayerTar>> generate_layer_tar(Engine& e, storage::Store& store,
                                                            const storage::LayerInfo& layer);

// The layer's own tar, replayed from its recorded layout by Store::layer_tar in a thread that
// writes into a pipe: the very bytes its diff ID names (checked as they pass). A tar made anew
// from the layer's files can differ from it: a whiteout device made at extraction has the
// extraction's time, not that of the .wh. entry it came from, so a committed image whose
// container deleted a file was pushed with another diff ID, hence another config and image ID,
// whenever a second boundary fell between the deletion and the commit (image-push-commit's
// "same image ID after the round trip" flake). Layers stored without a layout (kNotFound
// before any byte) fall back to generate_layer_tar.
class ReplayTar : public image::LayerTar {
 public:
  static Result<std::unique_ptr<image::LayerTar>> open(Engine& e, storage::Store& store,
                                                       const storage::LayerInfo& layer) {
    auto out = std::unique_ptr<ReplayTar>(new ReplayTar(e, store, layer));
    auto pipe = TRY(make_pipe());
    out->read_ = std::move(pipe.read);
    out->src_ = FdSource(out->read_.get());
    out->thread_ = std::thread([t = out.get(), w = std::move(pipe.write)]() mutable {
      FdSink sink(w.get());
      t->status_ = t->store_.layer_tar(t->layer_.chain_id, sink);
      w.reset();
    });
    return std::unique_ptr<image::LayerTar>(std::move(out));
  }
  ~ReplayTar() override { (void)finish(); }

  Result<size_t> read(void* buf, size_t n) override {
    if (fallback_) return fallback_->read(buf, n);
    size_t k = TRY(src_.read(buf, n));
    if (k == 0 && got_ == 0) {
      // Nothing came: no recorded layout (or another early failure, reported by finish()).
      join();
      if (!status_ && status_.error().code == kNotFound) {
        log::debug("layer {}: {}; making its tar from its files", layer_.chain_id, status_.error().msg);
        fallback_ = TRY(generate_layer_tar(engine_, store_, layer_));
        status_ = ok();
        return fallback_->read(buf, n);
      }
      if (!status_) return status_.error();  // an empty stream is no tar: say why now
    }
    got_ += k;
    return k;
  }
  Status finish() override {
    read_.reset();  // a writer still blocked on a full pipe gets EPIPE
    join();
    if (fallback_) return fallback_->finish();
    return status_;
  }

 private:
  ReplayTar(Engine& e, storage::Store& store, const storage::LayerInfo& layer)
      : engine_(e), store_(store), layer_(layer), src_(-1) {}
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  Engine& engine_;
  storage::Store& store_;
  storage::LayerInfo layer_;
  UniqueFd read_;
  FdSource src_;
  std::thread thread_;
  Status status_ = ok();
  uint64_t got_ = 0;
  std::unique_ptr<image::LayerTar> fallback_;
};

}  // namespace

Result<std::unique_ptr<image::LayerTar>> open_layer_tar(Engine& e, storage::Store& store,
                                                        const storage::LayerInfo& layer) {
  return ReplayTar::open(e, store, layer);
}

namespace {

Result<std::unique_ptr<image::LayerTar>> generate_layer_tar(Engine& e, storage::Store& store,
                                                            const storage::LayerInfo& layer) {
  std::string dir = TRY(store.layer_diff_path(layer.chain_id));
  std::string parent_dir;
  bool vfs = store.driver() == storage::Driver::Vfs;
  if (vfs && !layer.parent.empty()) parent_dir = TRY(store.layer_diff_path(layer.parent));
  auto pipe = TRY(make_pipe());
  int wfd = pipe.write.get();
  auto work = [dir, parent_dir, wfd]() -> Status {
    storage::raise_nofile_limit();
    auto root = TRY(open_path(dir, O_RDONLY | O_DIRECTORY));
    FdSink sink(wfd);
    auto tw = TRY(make_tar_writer(sink));
    if (parent_dir.empty()) {
      // overlay, or a vfs base layer (a snapshot without markers: every entry is an addition).
      TRY(write_overlay_layer(root.get(), *tw));
    } else {
      auto parent = TRY(open_path(parent_dir, O_RDONLY | O_DIRECTORY));
      auto changes = TRY(vfs_changes(root.get(), parent.get()));
      TRY(write_vfs_layer(root.get(), changes, *tw));
    }
    return tw->finish();
  };
  {
    // The plugin is loaded before the fork: the worker never loads code itself.
    StringSink probe;
    (void)make_tar_writer(probe);
  }
  auto worker = TRY_CTX(start_in_userns(e.idmap(), work, {wfd}), "layer {}: read it", layer.chain_id);
  pipe.write.reset();
  return std::unique_ptr<image::LayerTar>(
      std::make_unique<WorkerTar>(std::move(pipe.read), std::move(worker), "layer " + layer.chain_id));
}

}  // namespace

}  // namespace skiff::engine
