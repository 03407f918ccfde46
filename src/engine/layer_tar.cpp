// A stored layer as a tar stream, produced by a worker in the store's user namespace.
#include "skiff/engine/layer_tar.hpp"

#include <fcntl.h>

#include "changes.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/fd.hpp"
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

}  // namespace

Result<std::unique_ptr<image::LayerTar>> open_layer_tar(Engine& e, storage::Store& store,
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

}  // namespace skiff::engine
