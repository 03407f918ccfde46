// `system check [--repair]`: verify what a crash, a disk error or an edit may have broken.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <map>
#include <set>

#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/userns.hpp"
#include "store_impl.hpp"

namespace skiff::storage {

using namespace detail;

namespace {

// Recomputes the content digest of each layer in a worker (rootless: inside the user
// namespace, where the files are readable and their owners read as the image's). The worker
// writes "hex digest" or "hex !error" lines to a pipe; we read them as they come.
Result<std::map<std::string, std::string>> content_digests(int rootfd, const IdMap& map,
                                                           const std::vector<std::pair<std::string, int>>& hexes) {
  std::map<std::string, std::string> out;
  if (hexes.empty()) return out;
  auto fresh = TRY(Sha256::make());
  auto pipe = TRY(make_pipe());
  auto work = [&]() -> Status {
    raise_nofile_limit();
    for (auto& [hex, format] : hexes) {
      std::string line;
      auto fd = open_at(rootfd, fmt::format("layers/{}/diff", hex), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (!fd) {
        line = fmt::format("{} !{}\n", hex, fd.error().msg);
      } else {
        auto d = layer_content_digest(fd->get(), fresh, -1, format);
        line = d ? fmt::format("{} {}\n", hex, *d) : fmt::format("{} !{}\n", hex, d.error().msg);
      }
      TRY(write_all(pipe.write.get(), line));
    }
    return ok();
  };
  auto worker = TRY(start_in_userns(map, work, {rootfd, pipe.write.get()}));
  pipe.write.reset();
  auto text = read_all(pipe.read.get(), 64u << 20);
  TRY(worker.wait());
  if (!text) return text.error();
  for (auto& line : split(*text, '\n')) {
    auto [hex, rest] = split_once(line, ' ');
    if (rest) out[hex] = *rest;
  }
  return out;
}

}  // namespace

Result<CheckReport> Store::check(const CheckOptions& o) {
  CheckReport rep;
  int rootfd = root_.get();
  if (rootfd < 0) return rep;
  if (o.repair && !opts_.create)
    return fail(EROFS, fmt::format("store `{}`: open it for writing to repair", opts_.graph_root));
  FileLock lock;
  if (o.repair) lock = TRY(lock_store(rootfd));
  auto problem = [&](std::string object, std::string what, bool repaired) {
    rep.problems.push_back(CheckProblem{std::move(object), std::move(what), repaired});
  };

  // 1. Staging leftovers: slots whose lock nobody holds.
  if (auto names = list_dir_at(rootfd, "staging")) {
    std::set<std::string> all(names->begin(), names->end());
    for (auto& n : *names) {
      bool is_lock = n.size() > 5 && n.compare(n.size() - 5, 5, ".lock") == 0;
      std::string slot = is_lock ? n.substr(0, n.size() - 5) : n;
      if (!is_lock && all.count(n + ".lock")) continue;  // judged through its lock file
      bool free = true;
      if (is_lock) {
        auto fd = open_at(rootfd, "staging/" + n, O_RDWR | O_NOFOLLOW);
        free = fd && flock(fd->get(), LOCK_EX | LOCK_NB) == 0;  // released when fd closes
      }
      if (free) {
        problem("staging/" + slot, "left over by an interrupted operation", o.repair);
        rep.problems.back().leftover = true;
      }
    }
    if (o.repair) TRY(sweep_staging(rootfd, map_));
  }

  // 2. Layers: meta, parents, links, content.
  std::map<std::string, LayerInfo> layers;  // hex → meta, for the readable ones
  std::set<std::string> bad;                // hex of layers to remove
  std::vector<std::string> torn;            // layer dirs without usable meta
  if (auto names = list_dir_at(rootfd, "layers")) {
    for (auto& hex : *names) {
      ++rep.layers;
      auto l = read_layer_meta(rootfd, hex);
      if (!l) {
        problem("layer sha256:" + hex, "incomplete (no valid meta.json): " + l.error().msg, o.repair);
        torn.push_back(hex);
      } else {
        layers.emplace(hex, std::move(*l));
      }
    }
  }
  if (o.verify_content) {
    std::vector<std::pair<std::string, int>> todo;
    for (auto& [hex, l] : layers)
      if (!bad.count(hex)) todo.emplace_back(hex, l.content_format);
    auto digests = TRY(content_digests(rootfd, map_, todo));
    for (auto& [hex, format] : todo) {
      auto& l = layers[hex];
      auto it = digests.find(hex);
      std::string got = it == digests.end() ? "!not checked" : it->second;
      if (got != l.content_digest) {
        problem("layer " + l.chain_id,
                got.starts_with("!") ? "content unreadable: " + got.substr(1)
                                     : fmt::format("content modified (recorded {}, found {})", l.content_digest, got),
                o.repair);
        bad.insert(hex);
      }
    }
  }
  for (bool changed = true; changed;) {  // a layer whose parent is gone or bad is bad too
    changed = false;
    for (auto& [hex, l] : layers) {
      if (bad.count(hex) || l.parent.empty()) continue;
      std::string ph = hex_of(l.parent);
      if (!layers.count(ph) || bad.count(ph)) {
        problem("layer " + l.chain_id, "parent layer " + l.parent + " is missing or damaged", o.repair);
        bad.insert(hex);
        changed = true;
      }
    }
  }
  for (auto& [hex, l] : layers) {
    if (bad.count(hex)) continue;
    char buf[512];
    ssize_t n = readlinkat(rootfd, ("l/" + l.link).c_str(), buf, sizeof buf);
    std::string want = fmt::format("{}{}/diff", kLinkTarget, hex);
    if (n < 0 || std::string_view(buf, size_t(n)) != want) {
      problem("layer " + l.chain_id, fmt::format("link l/{} missing or wrong", l.link), o.repair);
      if (o.repair) {
        (void)unlinkat(rootfd, ("l/" + l.link).c_str(), 0);
        if (symlinkat(want.c_str(), rootfd, ("l/" + l.link).c_str()) < 0)
          return fail_errno(fmt::format("layer {}: recreate l/{}", l.chain_id, l.link));
      }
    }
  }
  if (auto links = list_dir_at(rootfd, "l")) {
    for (auto& n : *links) {
      char buf[512];
      ssize_t k = readlinkat(rootfd, ("l/" + n).c_str(), buf, sizeof buf);
      std::string_view t = k > 0 ? std::string_view(buf, size_t(k)) : std::string_view();
      std::string hex = t.starts_with(kLinkTarget) && t.size() > kLinkTarget.size() + 5
                            ? std::string(t.substr(kLinkTarget.size(), t.size() - kLinkTarget.size() - 5))
                            : std::string();
      auto it = layers.find(hex);
      if (it == layers.end() || it->second.link != n) {
        problem("link l/" + n, "points to no layer", o.repair);
        if (o.repair) (void)unlinkat(rootfd, ("l/" + n).c_str(), 0);
      }
    }
  }

  // 3. Images: record, config digest, layers.
  std::map<std::string, ImageRecord> images;
  std::set<std::string> bad_images;
  std::vector<std::string> torn_images;
  if (auto names = list_dir_at(rootfd, "images")) {
    for (auto& hex : *names) {
      ++rep.images;
      auto r = read_image_record(rootfd, hex);
      if (!r) {
        problem("image sha256:" + hex, "incomplete (no valid record.json): " + r.error().msg, o.repair);
        torn_images.push_back(hex);
        continue;
      }
      auto config = read_file_at(rootfd, fmt::format("images/{}/config", hex));
      auto digest = config ? sha256_digest(*config) : Result<std::string>(config.error());
      if (!digest || *digest != r->id) {
        problem("image " + r->id, digest ? "config does not hash to the image ID" : "config unreadable: " + digest.error().msg,
                o.repair);
        bad_images.insert(hex);
      }
      auto summary = read_summary_at(rootfd, fmt::format("images/{}/summary", hex));
      if (!summary || *summary != image_summary(*r)) {
        problem("image " + r->id, "listing summary missing or out of date", o.repair);
        if (o.repair) TRY(write_summary_at(rootfd, fmt::format("images/{}/summary", hex), *r));
      }
      for (auto& l : r->layers) {
        std::string lh = hex_of(l.chain_id);
        if (!layers.count(lh) || bad.count(lh)) {
          problem("image " + r->id, fmt::format("layer {} is missing or damaged", l.chain_id), o.repair);
          bad_images.insert(hex);
          break;
        }
      }
      images.emplace(hex, std::move(*r));
    }
  }

  // 4. Names pointing nowhere (or at images about to be removed).
  auto names = read_all_names(rootfd);
  for (auto& [hex, list] : names) {
    if (images.count(hex) && !bad_images.count(hex)) continue;
    for (auto& n : list) {
      if (!images.count(hex)) problem("name " + n, "points to a missing image", o.repair);
      if (o.repair)
        if (auto esc = escape_name(n)) (void)unlinkat(rootfd, ("names/images/" + *esc).c_str(), 0);
    }
  }

  // 5. Layers no good image uses, older than the grace period (younger ones may belong to a
  //    pull in progress).
  std::set<std::string> used;
  for (auto& [hex, r] : images)
    if (!bad_images.count(hex))
      for (auto& l : r.layers) used.insert(hex_of(l.chain_id));
  int64_t now = now_ns();
  std::set<std::string> unused;
  for (auto& [hex, l] : layers) {
    if (bad.count(hex) || used.count(hex)) continue;
    if (opts_.hooks.layer_in_use && opts_.hooks.layer_in_use(l.chain_id)) continue;
    if (now - l.created_ns < o.unreferenced_grace_ns) continue;
    unused.insert(hex);
  }
  // A kept layer's ancestors stay (a young unused layer keeps its old parent, for instance).
  for (auto& [hex, l] : layers) {
    if (bad.count(hex) || unused.count(hex)) continue;
    for (std::string p = l.parent; !p.empty();) {
      auto it = layers.find(hex_of(p));
      if (it == layers.end()) break;
      unused.erase(it->first);
      p = it->second.parent;
    }
  }
  for (auto& hex : unused) {
    problem("layer " + layers[hex].chain_id, "not used by any image", o.repair);
    bad.insert(hex);
  }

  if (!o.repair) return rep;
  std::vector<StagingSlot> trash;
  for (auto& hex : bad_images) TRY(move_to_trash(rootfd, "images/" + hex, trash));
  for (auto& hex : torn_images) TRY(move_to_trash(rootfd, "images/" + hex, trash));
  for (auto& hex : bad) TRY(unpublish_layer(rootfd, layers[hex], trash));
  for (auto& hex : torn) TRY(move_to_trash(rootfd, "layers/" + hex, trash));
  lock.release();
  TRY(discard_slots(rootfd, map_, trash));
  return rep;
}

}  // namespace skiff::storage
