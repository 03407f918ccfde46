// Layers: creation (streamed extraction in a worker, diff ID check, two-phase publication),
// metadata, removal, overlay lower-dir lists.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "skiff/storage/extract.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/userns.hpp"
#include "store_impl.hpp"
#include "tar_split.hpp"

namespace skiff::storage {

using namespace detail;

namespace detail {

Json layer_meta_json(const LayerInfo& l) {
  Json j = Json::object();
  j["chain_id"] = l.chain_id;
  j["diff_id"] = l.diff_id;
  j["parent"] = l.parent;
  j["size"] = l.size;
  j["tar_size"] = l.tar_size;
  j["entries"] = l.entries;
  j["depth"] = l.depth;
  j["link"] = l.link;
  j["content_digest"] = l.content_digest;
  if (l.content_format > 1) j["content_format"] = l.content_format;
  j["created"] = l.created_ns;
  j["complete"] = true;
  return j;
}

Result<LayerInfo> read_layer_meta(int rootfd, std::string_view hex) {
  std::string path = fmt::format("layers/{}/meta.json", hex);
  auto text = read_file_at(rootfd, path, 1 << 20);
  if (!text) {
    if (text.error().code == ENOENT || text.error().code == ENOTDIR)
      return fail(kNotFound, fmt::format("layer sha256:{} not found", hex));
    return text.error();
  }
  auto j = TRY(parse_json(*text, path));
  LayerInfo l;
  l.chain_id = json_str(j, "chain_id");
  l.diff_id = json_str(j, "diff_id");
  l.parent = json_str(j, "parent");
  l.size = uint64_t(json_int(j, "size"));
  l.tar_size = uint64_t(json_int(j, "tar_size"));
  l.entries = uint64_t(json_int(j, "entries"));
  l.depth = uint32_t(json_int(j, "depth", 1));
  l.link = json_str(j, "link");
  l.content_digest = json_str(j, "content_digest");
  l.content_format = int(json_int(j, "content_format", 1));
  l.created_ns = json_int(j, "created");
  if (!json_bool(j, "complete") || l.chain_id != digest_of(hex) || !valid_digest(l.diff_id) ||
      (!l.parent.empty() && !valid_digest(l.parent)) || l.link.empty() || l.link.find('/') != std::string::npos)
    return fail(kCorrupt, fmt::format("layer sha256:{}: incomplete or invalid meta.json", hex));
  return l;
}

}  // namespace detail

namespace {

// What the extraction worker reports back over the socket.
struct WorkerReport {
  ExtractStats stats;
  std::string content_digest;
};

std::string report_json(const ExtractStats& s, const std::string& digest) {
  Json j = Json::object();
  j["entries"] = s.entries;
  j["file_bytes"] = s.file_bytes;
  j["devices_skipped"] = s.devices_skipped;
  j["owners_squashed"] = s.owners_squashed;
  j["xattrs_skipped"] = s.xattrs_skipped;
  j["first_device"] = s.first_device;
  j["first_xattr"] = s.first_xattr;
  j["content_digest"] = digest;
  return to_json(j);
}

Result<WorkerReport> parse_report(std::string_view text) {
  auto j = TRY(parse_json(text, "extraction report"));
  WorkerReport r;
  r.stats.entries = uint64_t(json_int(j, "entries"));
  r.stats.file_bytes = uint64_t(json_int(j, "file_bytes"));
  r.stats.devices_skipped = uint64_t(json_int(j, "devices_skipped"));
  r.stats.owners_squashed = uint64_t(json_int(j, "owners_squashed"));
  r.stats.xattrs_skipped = uint64_t(json_int(j, "xattrs_skipped"));
  r.stats.first_device = json_str(j, "first_device");
  r.stats.first_xattr = json_str(j, "first_xattr");
  r.content_digest = json_str(j, "content_digest");
  if (!valid_digest(r.content_digest)) return fail(kCorrupt, "extraction report without a content digest");
  return r;
}

struct WorkerArgs {
  int sock, rootfd, parentfd, spoolfd;
  bool vfs;
  ExtractOptions opts;
  const Sha256* fresh;
};

// Runs in the worker (in the user namespace when rootless): extract, complete the vfs
// snapshot, restore directory times, digest the tree, report.
Status extract_worker(const WorkerArgs& a) {
  raise_nofile_limit();
  FdSource src(a.sock);
  auto tar = TRY(make_tar_reader(src));
  auto stats = TRY(extract_layer_tar(a.rootfd, *tar, a.opts));
  // The stream may go on after the end-of-archive records (block padding): read it all, so
  // the caller hashes every byte without meeting a closed socket.
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(a.sock, buf, sizeof buf);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read the layer stream");
    break;
  }
  if (a.vfs && a.parentfd >= 0) TRY(merge_parent_snapshot(a.parentfd, a.rootfd, a.spoolfd));
  TRY(apply_spooled_dir_times(a.rootfd, a.spoolfd));
  auto digest = TRY(layer_content_digest(a.rootfd, *a.fresh, a.spoolfd));
  TRY(write_all(a.sock, report_json(stats, digest)));
  return ok();
}

Status send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return fail_errno("send");
    }
    p += k;
    n -= size_t(k);
  }
  return ok();
}

// Discards a slot on every exit path that did not publish it.
struct SlotGuard {
  int rootfd;
  const IdMap& map;
  std::vector<StagingSlot> slots;
  ~SlotGuard() { (void)discard_slots(rootfd, map, slots); }
};

}  // namespace

struct StagedLayerImpl {
  int rootfd = -1;
  const IdMap* map = nullptr;
  std::vector<StagingSlot> slots;  // [0] is ours; later ones are torn predecessors (trash)
  std::string slot;
  UniqueFd slotfd;
  LayerInfo info;
  std::string existing;  // chain ID of an already complete layer (nothing staged)
  bool parent_known = true;
  std::vector<std::string> warnings;
  bool owners_squashed = false;
  ~StagedLayerImpl() {
    if (rootfd >= 0) (void)discard_slots(rootfd, *map, slots);
  }
};

void StagedLayerDeleter::operator()(StagedLayerImpl* p) const { delete p; }

bool StagedLayer::existing() const { return impl_ && !impl_->existing.empty(); }

const std::string& StagedLayer::chain_id() const {
  static const std::string none;
  if (!impl_) return none;
  return impl_->existing.empty() ? impl_->info.chain_id : impl_->existing;
}

Result<LayerInfo> Store::create_layer(std::string_view parent, std::string_view expected, ByteSource& tar) {
  auto staged = TRY(stage_layer(parent, expected, tar));
  return publish_layer(std::move(staged));
}

Result<StagedLayer> Store::stage_layer(std::string_view parent, std::string_view expected, ByteSource& tar) {
  int rootfd = root_.get();
  if (rootfd < 0 || !opts_.create) return fail(EROFS, fmt::format("store `{}` is not open for writing", opts_.graph_root));
  if (!expected.empty() && !valid_digest(expected)) return fail(kInvalid, fmt::format("invalid diff ID `{}`", expected));
  std::string what = expected.empty() ? std::string("new layer") : fmt::format("layer {}", expected);
  StagedLayer out;
  out.impl_.reset(new StagedLayerImpl());
  StagedLayerImpl& st = *out.impl_;
  LayerInfo pinfo;
  if (!parent.empty()) {
    if (!valid_digest(parent)) return fail(kInvalid, fmt::format("invalid parent chain ID `{}`", parent));
    auto p = layer_info(parent);
    if (p) {
      pinfo = *p;
      if (pinfo.depth >= kMaxDepth)
        return fail(kInvalid, fmt::format("{}: too many layers (at most {})", what, kMaxDepth));
    } else if (driver_ == Driver::Vfs) {
      return wrap(std::move(p).error(), fmt::format("{}: parent", what));
    } else {
      st.parent_known = false;  // overlay: being extracted in parallel; checked at publish
    }
  }
  if (!expected.empty()) {
    std::string chain = TRY(chain_id_of(parent, expected));
    if (layer_info(chain)) {
      st.existing = chain;
      return out;
    }
  }

  st.rootfd = rootfd;
  st.map = &map_;
  st.slots.push_back(TRY_CTX(new_slot(rootfd, "layer-", true), "{}", what));
  st.slot = st.slots.back().name;
  const std::string& slot = st.slot;
  st.slotfd = TRY(open_at(rootfd, slot, O_RDONLY | O_DIRECTORY));
  auto& slotfd = st.slotfd;
  if (mkdirat(slotfd.get(), "diff", 0755) < 0) return fail_errno(fmt::format("{}: mkdir `{}/diff`", what, slot));
  auto diff = TRY(open_at(slotfd.get(), "diff", O_RDONLY | O_DIRECTORY));
  auto spool = TRY(open_at(slotfd.get(), "spool", O_RDWR | O_CREAT | O_EXCL, 0600));
  auto split_fd = TRY(open_at(slotfd.get(), kTarSplitFile, O_WRONLY | O_CREAT | O_EXCL, 0600));
  TarSplitRecorder split(split_fd.get());
  UniqueFd parent_diff;
  if (driver_ == Driver::Vfs && !parent.empty())
    parent_diff = TRY(open_at(rootfd, fmt::format("layers/{}/diff", hex_of(parent)), O_RDONLY | O_DIRECTORY));
  auto fresh = TRY(Sha256::make());  // cloned in the worker: no OpenSSL lookups after fork()
  auto sp = TRY(make_socketpair(SOCK_STREAM));

  WorkerArgs args{sp.write.get(), diff.get(), parent_diff.get(), spool.get(), driver_ == Driver::Vfs, {}, &fresh};
  if (driver_ == Driver::Overlay)
    args.opts.whiteouts = map_.userns ? WhiteoutMode::OverlayUser : WhiteoutMode::OverlayTrusted;
  else
    args.opts.whiteouts = parent.empty() ? WhiteoutMode::Ignore : WhiteoutMode::VfsMarkers;
  args.opts.rootless = map_.userns;
  args.opts.single_id = map_.userns && map_.single;
  args.opts.uid_count = map_.uid_count();
  args.opts.gid_count = map_.gid_count();
  args.opts.spool_fd = spool.get();
  args.opts.fresh = &fresh;
  auto worker = TRY_CTX(start_in_userns(map_, [&] { return extract_worker(args); },
                                        {sp.write.get(), diff.get(), parent_diff.get(), spool.get()}),
                        "{}: start the extraction worker", what);
  sp.write.reset();

  // Pump: read, hash (the diff ID), forward. A worker that fails closes its end; we stop
  // sending and report its error.
  auto hash = TRY(Sha256::make());
  std::vector<char> buf(256 * 1024);
  uint64_t tar_size = 0;
  std::optional<Error> src_error;
  for (;;) {
    auto n = tar.read(buf.data(), buf.size());
    if (!n) {
      src_error = n.error();
      break;
    }
    if (*n == 0) break;
    hash.update(buf.data(), *n);
    tar_size += *n;
    if (auto s = split.feed(buf.data(), *n); !s) {
      src_error = wrap(std::move(s).error(), "record the tar layout");
      break;
    }
    if (!send_all(sp.read.get(), buf.data(), *n)) break;
  }
  (void)shutdown(sp.read.get(), SHUT_WR);
  auto report_text = read_all(sp.read.get(), 1 << 20);
  Status wst = worker.wait();
  if (!wst && (wst.error().code == ENOSPC || wst.error().code == EDQUOT)) {
    // Say where: the store's filesystem, not the source's.
    Error e = std::move(wst).error();
    e.msg += fmt::format(" (the store `{}` is out of space: free some with `skiff system prune` or `skiff rmi`, "
                         "or use a store on a larger filesystem with --root)",
                         opts_.graph_root);
    return wrap(std::move(e), what);
  }
  if (src_error && src_error->code != EPIPE) return wrap(*src_error, fmt::format("{}: read the layer", what));
  if (src_error && wst) return wrap(*src_error, fmt::format("{}: read the layer", what));
  if (!wst) return wrap(std::move(wst).error(), what);
  if (!report_text) return wrap(report_text.error(), fmt::format("{}: read the extraction report", what));
  std::string diff_id = "sha256:" + hash.hex();
  if (!expected.empty() && diff_id != expected)
    return fail(kCorrupt, fmt::format("{}: diff ID mismatch: the uncompressed stream hashes to {}", what, diff_id));
  auto report = TRY_CTX(parse_report(*report_text), "{}", what);
  TRY_CTX(split.finish(), "{}: record the tar layout", what);
  if (opts_.sync && fsync(split_fd.get()) < 0) return fail_errno(fmt::format("{}: fsync the tar layout", what));
  split_fd.reset();

  LayerInfo& info = st.info;
  info.chain_id = TRY(chain_id_of(parent, diff_id));
  info.diff_id = diff_id;
  info.parent = std::string(parent);
  info.size = report.stats.file_bytes;
  info.tar_size = tar_size;
  info.entries = report.stats.entries;
  info.depth = parent.empty() ? 1 : pinfo.depth + 1;
  info.content_digest = report.content_digest;
  info.content_format = kContentFormat;
  info.created_ns = now_ns();
  st.warnings = report.stats.warnings();
  st.owners_squashed = report.stats.owners_squashed;

  // Durable before visible: publish_layer's rename makes it visible.
  (void)unlinkat(slotfd.get(), "spool", 0);
  if (opts_.sync && syncfs(diff.get()) < 0) return fail_errno(fmt::format("layer {}: syncfs", info.chain_id));
  return out;
}

Status Store::layer_tar(std::string_view chain_id, ByteSink& out) const {
  auto l = TRY(layer_info(chain_id));
  int rootfd = root_.get();
  std::string hex = hex_of(l.chain_id);
  std::string what = fmt::format("layer {}", l.chain_id);
  auto split = open_at(rootfd, fmt::format("layers/{}/{}", hex, kTarSplitFile), O_RDONLY);
  if (!split) {
    if (split.error().code == ENOENT)
      return fail(kNotFound, fmt::format("{}: its tar layout was not recorded (stored by an older skiff): remove "
                                         "the image and pull or load it again",
                                         what));
    return wrap(std::move(split).error(), what);
  }
  auto diff = TRY_CTX(open_at(rootfd, fmt::format("layers/{}/diff", hex), O_RDONLY | O_DIRECTORY), "{}", what);
  auto sp = TRY(make_socketpair(SOCK_STREAM));
  int wfd = sp.write.get(), dfd = diff.get(), sfd = split->get();
  auto worker = TRY_CTX(start_in_userns(map_,
                                        [&]() -> Status {
                                          FdSink sink(wfd);
                                          return reassemble_tar(dfd, sfd, sink);
                                        },
                                        {wfd, dfd, sfd}),
                        "{}: start the worker", what);
  sp.write.reset();
  auto hash = TRY(Sha256::make());
  std::vector<char> buf(256 * 1024);
  uint64_t total = 0;
  std::optional<Error> sink_error;
  for (;;) {
    auto n = read_some(sp.read.get(), buf.data(), buf.size());
    if (!n) {
      sink_error = n.error();
      break;
    }
    if (*n == 0) break;
    hash.update(buf.data(), *n);
    total += *n;
    if (auto s = out.write(std::string_view(buf.data(), *n)); !s) {
      sink_error = s.error();
      break;
    }
  }
  sp.read.reset();
  Status wst = worker.wait();
  if (sink_error) return *sink_error;
  if (!wst) return wrap(std::move(wst).error(), what);
  std::string got = "sha256:" + hash.hex();
  if (got != l.diff_id || total != l.tar_size)
    return fail(kCorrupt, fmt::format("{}: its files changed since it was stored (the tar hashes to {}, not {}): "
                                      "run `skiff system check`",
                                      what, got, l.diff_id));
  return ok();
}

Result<LayerInfo> Store::publish_layer(StagedLayer&& staged) {
  if (!staged.impl_) return fail(EINVAL, "publish an empty staged layer");
  std::unique_ptr<StagedLayerImpl, StagedLayerDeleter> owned = std::move(staged.impl_);
  StagedLayerImpl& st = *owned;
  if (!st.existing.empty()) return layer_info(st.existing);
  int rootfd = root_.get();
  LayerInfo info = st.info;
  const std::string& parent = info.parent;
  std::string what = fmt::format("layer {}", info.chain_id);
  if (!st.parent_known) {
    auto p = TRY_CTX(layer_info(parent), "{}: parent", what);
    info.depth = p.depth + 1;
    if (info.depth > kMaxDepth) return fail(kInvalid, fmt::format("{}: too many layers (at most {})", what, kMaxDepth));
  }
  const std::string& slot = st.slot;
  std::string hex = hex_of(info.chain_id);
  {
    auto lock = TRY_CTX(lock_store(rootfd), "{}", what);
    if (auto existing = layer_info(info.chain_id)) return existing;  // lost a race: use theirs
    if (!parent.empty() && !has_layer(parent))
      return fail(kNotFound, fmt::format("{}: parent layer {} was removed meanwhile", what, parent));
    // A directory without a complete meta.json is a leftover (a crash of an older version, a
    // disk error): it must not block this layer forever. Out of sight, deleted with the slot.
    if (faccessat(rootfd, ("layers/" + hex).c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0)
      TRY_CTX(move_to_trash(rootfd, "layers/" + hex, st.slots), "{}", what);
    for (int attempt = 0;; ++attempt) {
      info.link = random_hex(8);
      TRY_CTX(write_file_atomic_at(st.slotfd.get(), "meta.json", to_json(layer_meta_json(info)), 0600, opts_.sync),
              "{}", what);
      std::string target = fmt::format("{}{}/diff", kLinkTarget, hex);
      if (symlinkat(target.c_str(), rootfd, ("l/" + info.link).c_str()) == 0) break;
      if (errno != EEXIST || attempt > 8) return fail_errno(fmt::format("{}: create link `l/{}`", what, info.link));
    }
    if (renameat(rootfd, slot.c_str(), rootfd, ("layers/" + hex).c_str()) < 0) {
      int e = errno;
      (void)unlinkat(rootfd, ("l/" + info.link).c_str(), 0);
      return fail_errno(fmt::format("{}: publish", what), e);
    }
    if (opts_.sync) {
      (void)fsync_dir_at(rootfd, "layers");
      (void)fsync_dir_at(rootfd, "l");
    }
  }
  // Published: the slot's directory is now the layer; only its lock file remains.
  (void)unlinkat(rootfd, (slot + ".lock").c_str(), 0);
  st.slots.erase(st.slots.begin());  // the rest (a torn predecessor) is discarded

  for (auto& w : st.warnings) {
    bool single = st.owners_squashed && w.find("only one id is mapped") != std::string::npos;
    if (single) {
      if (warned_single_.exchange(true)) continue;
    }
    emit_warning(opts_, fmt::format("{}: {}", what, w));
  }
  return info;
}

bool Store::has_layer(std::string_view chain_id) const { return bool(layer_info(chain_id)); }

Result<LayerInfo> Store::layer_info(std::string_view chain_id) const {
  if (!valid_digest(chain_id)) return fail(kInvalid, fmt::format("invalid layer ID `{}`", chain_id));
  if (!root_.valid()) return fail(kNotFound, fmt::format("layer {} not found", chain_id));
  return read_layer_meta(root_.get(), hex_of(chain_id));
}

Result<std::vector<LayerInfo>> Store::list_layers() const {
  std::vector<LayerInfo> out;
  if (!root_.valid()) return out;
  auto names = list_dir_at(root_.get(), "layers");
  if (!names) return names.error().code == ENOENT ? Result<std::vector<LayerInfo>>(out) : names.error();
  for (auto& n : *names)
    if (auto l = read_layer_meta(root_.get(), n)) out.push_back(std::move(*l));
  return out;
}

Result<std::string> Store::layer_diff_path(std::string_view chain_id) const {
  auto l = TRY(layer_info(chain_id));
  return fmt::format("{}/layers/{}/diff", opts_.graph_root, hex_of(l.chain_id));
}

Result<std::vector<std::string>> Store::overlay_lowers(std::string_view chain_id) const {
  std::vector<std::string> out;
  std::string cur(chain_id);
  while (!cur.empty()) {
    auto l = TRY(layer_info(cur));
    out.push_back("l/" + l.link);
    if (out.size() > kMaxDepth) return fail(kCorrupt, fmt::format("layer {}: chain too long", chain_id));
    cur = l.parent;
  }
  return out;
}

Result<std::string> Store::overlay_lowerdir(std::string_view chain_id) const {
  auto v = TRY(overlay_lowers(chain_id));
  std::string s;
  for (auto& x : v) {
    if (!s.empty()) s += ':';
    s += x;
  }
  return s;
}

namespace detail {

// Moves a layer out of sight (into a staging slot) and removes its l/ link; the caller
// deletes the slot's tree later. Call with the store lock held.
Status move_to_trash(int rootfd, const std::string& path, std::vector<StagingSlot>& trash) {
  auto slot = TRY(new_slot(rootfd, "rm-", false));
  if (renameat(rootfd, path.c_str(), rootfd, slot.name.c_str()) < 0) {
    int e = errno;
    (void)unlinkat(rootfd, (slot.name + ".lock").c_str(), 0);
    return fail_errno(fmt::format("remove `{}`", path), e);
  }
  trash.push_back(std::move(slot));
  return ok();
}

Status unpublish_layer(int rootfd, const LayerInfo& l, std::vector<StagingSlot>& trash) {
  TRY_CTX(move_to_trash(rootfd, "layers/" + hex_of(l.chain_id), trash), "layer {}", l.chain_id);
  (void)unlinkat(rootfd, ("l/" + l.link).c_str(), 0);
  return ok();
}

}  // namespace detail

}  // namespace skiff::storage
