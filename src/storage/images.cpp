// Images: records, names (tags and repo digests), listing, lookup, tag/untag, rmi.
#include <fcntl.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <thread>

#include "skiff/util/fs.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"
#include "store_impl.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::storage {

using namespace detail;

namespace detail {

Json image_record_json(const ImageRecord& r) {
  Json j = Json::object();
  j["id"] = r.id;
  j["created"] = r.created_ns;
  j["stored"] = r.stored_ns;
  j["size"] = r.size;
  j["top_layer"] = r.top_layer;
  j["manifest_digest"] = r.manifest_digest;
  j["manifest_media_type"] = r.manifest_media_type;
  j["parent"] = r.parent;
  Json layers = Json::array();
  for (auto& l : r.layers) {
    Json x = Json::object();
    x["diff_id"] = l.diff_id;
    x["chain_id"] = l.chain_id;
    x["digest"] = l.digest;
    x["media_type"] = l.media_type;
    x["compressed_size"] = l.compressed_size;
    x["size"] = l.size;
    layers.push_back(std::move(x));
  }
  j["layers"] = std::move(layers);
  return j;
}

Result<ImageRecord> read_image_record(int rootfd, std::string_view hex) {
  std::string path = fmt::format("images/{}/record.json", hex);
  auto text = read_file_at(rootfd, path, 4 << 20);
  if (!text) {
    if (text.error().code == ENOENT || text.error().code == ENOTDIR)
      return fail(kNotFound, fmt::format("No such image: sha256:{}", hex));
    return text.error();
  }
  auto j = TRY(parse_json(*text, path));
  ImageRecord r;
  r.id = json_str(j, "id");
  if (r.id != digest_of(hex)) return fail(kCorrupt, fmt::format("image sha256:{}: record names another ID", hex));
  r.created_ns = json_int(j, "created");
  r.stored_ns = json_int(j, "stored");
  r.size = uint64_t(json_int(j, "size"));
  r.top_layer = json_str(j, "top_layer");
  r.manifest_digest = json_str(j, "manifest_digest");
  r.manifest_media_type = json_str(j, "manifest_media_type");
  r.parent = json_str(j, "parent");
  const Json& layers = json_get(j, "layers");
  if (layers.is_array()) {
    for (auto& x : layers) {
      ImageLayer l;
      l.diff_id = json_str(x, "diff_id");
      l.chain_id = json_str(x, "chain_id");
      l.digest = json_str(x, "digest");
      l.media_type = json_str(x, "media_type");
      l.compressed_size = uint64_t(json_int(x, "compressed_size"));
      l.size = uint64_t(json_int(x, "size"));
      r.layers.push_back(std::move(l));
    }
  }
  return r;
}

// images/<hex>/summary: what listing needs, in one short line that parses without a JSON
// parser (500 records parse in well under a millisecond; record.json takes ~10 ms):
//   "1 <created_ns> <stored_ns> <size> <top_layer|-> <manifest_digest|-> <media_type|-> <parent|->"
// Written with record.json into the same staging slot and published by the same rename, and
// never modified afterwards, so the two cannot disagree. It is the target of a symlink (see
// write_summary_at).
std::string image_summary(const ImageRecord& r) {
  auto dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  return fmt::format("1 {} {} {} {} {} {} {}", r.created_ns, r.stored_ns, r.size, dash(r.top_layer),
                     dash(r.manifest_digest), dash(r.manifest_media_type), dash(r.parent));
}

Status write_summary_at(int dirfd, const std::string& path, const ImageRecord& r) {
  std::string line = image_summary(r);
  auto slash = path.rfind('/');
  std::string tmp = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + ".summary-" + random_hex(8);
  if (symlinkat(line.c_str(), dirfd, tmp.c_str()) < 0) return fail_errno(fmt::format("write `{}`", path));
  if (renameat(dirfd, tmp.c_str(), dirfd, path.c_str()) < 0) {
    int e = errno;
    (void)unlinkat(dirfd, tmp.c_str(), 0);
    return fail_errno(fmt::format("write `{}`", path), e);
  }
  return ok();
}

std::optional<std::string> read_summary_at(int dirfd, const std::string& path) {
  char buf[1024];
  ssize_t n = readlinkat(dirfd, path.c_str(), buf, sizeof buf);
  if (n < 0 && errno == EINVAL) {  // a regular file (a store written before)
    int fd = openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    n = read(fd, buf, sizeof buf);
    close(fd);
  }
  if (n <= 0 || size_t(n) >= sizeof buf) return std::nullopt;
  std::string_view line(buf, size_t(n));
  if (line.ends_with('\n')) line.remove_suffix(1);
  return std::string(line);
}

// Parses a summary line; false if it is not one (then the caller reads record.json).
bool parse_summary(std::string_view line, ImageRecord& r) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (i < line.size() && f.size() < 9) {
    size_t j = line.find_first_of(" \n", i);
    if (j == std::string_view::npos) j = line.size();
    f.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  if (f.size() != 8 || f[0] != "1") return false;
  auto num = [](std::string_view v, auto& out) {
    auto res = std::from_chars(v.data(), v.data() + v.size(), out);
    return res.ec == std::errc() && res.ptr == v.data() + v.size();
  };
  auto str = [](std::string_view v) { return v == "-" ? std::string() : std::string(v); };
  if (!num(f[1], r.created_ns) || !num(f[2], r.stored_ns) || !num(f[3], r.size)) return false;
  r.top_layer = str(f[4]);
  r.manifest_digest = str(f[5]);
  r.manifest_media_type = str(f[6]);
  r.parent = str(f[7]);
  return true;
}

std::string read_name(int rootfd, std::string_view name) {
  auto esc = escape_name(name);
  if (!esc) return {};
  char buf[256];
  ssize_t n = readlinkat(rootfd, ("names/images/" + *esc).c_str(), buf, sizeof buf);
  if (n <= 0 || size_t(n) >= sizeof buf) return {};
  std::string_view t(buf, size_t(n));
  if (t.substr(0, kNameTarget.size()) != kNameTarget) return {};
  std::string hex(t.substr(kNameTarget.size()));
  return valid_digest(digest_of(hex)) ? hex : std::string();
}

std::map<std::string, std::vector<std::string>> read_all_names(int rootfd) {
  std::map<std::string, std::vector<std::string>> out;
  auto d = Dir::open_at(rootfd, "names/images");
  if (!d) return out;
  char buf[256];
  while (struct dirent* e = d->next()) {
    if (e->d_name[0] == '.') continue;  // ".tmp-*"
    ssize_t k = readlinkat(d->fd(), e->d_name, buf, sizeof buf);
    if (k <= 0 || size_t(k) >= sizeof buf) continue;
    std::string_view t(buf, size_t(k));
    if (t.substr(0, kNameTarget.size()) != kNameTarget) continue;
    out[std::string(t.substr(kNameTarget.size()))].push_back(unescape_name(e->d_name));
  }
  return out;
}

Status set_name(int rootfd, std::string_view name, std::string_view hex) {
  auto esc = TRY(escape_name(name));
  std::string tmp = "names/images/.tmp-" + random_hex(8);
  std::string target = std::string(kNameTarget) + std::string(hex);
  if (symlinkat(target.c_str(), rootfd, tmp.c_str()) < 0) return fail_errno(fmt::format("name `{}`", name));
  if (renameat(rootfd, tmp.c_str(), rootfd, ("names/images/" + esc).c_str()) < 0) {
    int e = errno;
    (void)unlinkat(rootfd, tmp.c_str(), 0);
    return fail_errno(fmt::format("name `{}`", name), e);
  }
  return ok();
}

void split_names(const std::vector<std::string>& names, ImageRecord& r) {
  r.tags.clear();
  r.digests.clear();
  for (auto& n : names) (n.find('@') == std::string::npos ? r.tags : r.digests).push_back(n);
  std::sort(r.tags.begin(), r.tags.end());
  std::sort(r.digests.begin(), r.digests.end());
}

}  // namespace detail

namespace {

// "host/repo:tag" → "host/repo"; "host/repo@sha256:…" → "host/repo".
std::string repo_of(std::string_view ref) {
  ref = ref.substr(0, ref.find('@'));
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) ref = ref.substr(0, colon);
  return std::string(ref);
}

bool is_digest_ref(std::string_view ref) { return ref.find('@') != std::string_view::npos; }

// Docker's isSingleReference: all references in one repository and at most one tag.
bool is_single_reference(const std::vector<std::string>& refs) {
  if (refs.size() <= 1) return refs.size() == 1;
  std::set<std::string> repos;
  std::string single;
  for (auto& r : refs) {
    if (is_digest_ref(r)) {
      repos.insert(repo_of(r));
    } else if (single.empty()) {
      repos.insert(repo_of(r));
      single = r;
    } else {
      return false;
    }
  }
  if (single.empty()) single = refs[0];
  return repos.size() == 1 && repos.count(repo_of(single));
}

std::string short_id(std::string_view id) {
  if (id.substr(0, 7) == "sha256:") id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

// What remove_image needs to know about the other images.
struct OtherImages {
  std::set<std::string> chains;  // chain IDs their layers use
  bool has_child = false;        // one of them names the image as its parent
};

// Reads the chain IDs and the parent out of a record.json without a JSON parser (rmi reads
// every other image's record: 500 of them parse in ~10 ms, scan in ~1). Sound on our records:
// inside a JSON string every '"' is escaped, so `"chain_id":"` can only be a key.
void scan_record(std::string_view text, std::string_view id, OtherImages& o) {
  constexpr std::string_view kChain = "\"chain_id\":\"", kParent = "\"parent\":\"";
  for (size_t p = text.find(kChain); p != std::string_view::npos; p = text.find(kChain, p + 1)) {
    std::string_view d = text.substr(p + kChain.size(), 71);
    if (valid_digest(d)) o.chains.emplace(d);
  }
  size_t p = text.find(kParent);
  if (p != std::string_view::npos && text.substr(p + kParent.size(), 71) == id) o.has_child = true;
}

// From the summaries (one readlinkat per image, not four system calls and a scan of
// record.json): each other image's parent and top layer; the layers below a top layer are
// found through the layers' parents, each layer read once however many images share it. An
// image whose summary or chain cannot be read is scanned from its record.json instead.
OtherImages scan_others(int rootfd, std::string_view hex) {
  OtherImages o;
  std::string id = digest_of(hex);
  auto names = list_dir_at(rootfd, "images");
  if (!names) return o;
  auto scan_full = [&](const std::string& n) {
    auto text = read_file_at(rootfd, fmt::format("images/{}/record.json", n), 4 << 20);
    if (text) scan_record(*text, id, o);
  };
  std::vector<std::pair<std::string, std::string>> tops;  // image hex, top layer
  for (auto& n : *names) {
    if (n == hex || !valid_digest(digest_of(n))) continue;
    ImageRecord r;
    auto line = read_summary_at(rootfd, "images/" + n + "/summary");
    if (!line || !parse_summary(*line, r)) {
      scan_full(n);
      continue;
    }
    if (r.parent == id) o.has_child = true;
    if (!r.top_layer.empty()) tops.emplace_back(n, r.top_layer);
  }
  for (auto& [n, top] : tops) {
    std::string c = top;
    while (!c.empty() && o.chains.insert(c).second) {
      auto meta = read_layer_meta(rootfd, hex_of(c));
      if (!meta) {
        scan_full(n);  // a damaged chain: the record names every layer
        break;
      }
      c = meta->parent;
    }
  }
  return o;
}

struct Conflict {
  std::string message;
  bool used = false;  // a container uses the image
};

// Docker's checkImageDeleteConflict. `soft` enables the soft conflicts; `active_ref` the
// "referenced in multiple repositories" one.
std::optional<Conflict> delete_conflict(std::string_view hex, const std::vector<ContainerUse>& users, bool has_child,
                                        size_t refs, bool soft, bool active_ref) {
  auto msg = [&](bool hard, std::string_view why) {
    return fmt::format("conflict: unable to delete {} ({} be forced) - {}", short_id(hex), hard ? "cannot" : "must", why);
  };
  if (has_child) return Conflict{msg(true, "image has dependent child images"), false};
  for (auto& u : users)
    if (u.running)
      return Conflict{msg(true, fmt::format("image is being used by running container {}", short_id(u.container_id))), true};
  if (soft && active_ref && refs > 0) return Conflict{msg(false, "image is referenced in multiple repositories"), false};
  if (soft)
    for (auto& u : users)
      if (!u.running)
        return Conflict{msg(false, fmt::format("image is being used by stopped container {}", short_id(u.container_id))), true};
  return std::nullopt;
}

// Resolves a key to an image hex: exact name first, then the ID forms.
Result<std::pair<std::string, std::string>> resolve(int rootfd, std::string_view key) {
  std::string k(key);
  if (rootfd < 0) return fail(kNotFound, fmt::format("No such image: {}", k));
  if (!k.empty() && k.find_first_of("/:@") != std::string::npos && !k.starts_with("sha256:")) {
    std::string hex = read_name(rootfd, k);
    if (!hex.empty() && read_image_record(rootfd, hex)) return std::make_pair(hex, k);
  }
  std::string prefix = k.starts_with("sha256:") ? k.substr(7) : k;
  if (prefix.empty() || prefix.size() > 64 || !is_hex(prefix) || to_lower(prefix) != prefix) {
    // A plain word ("busybox") may still be a name stored as given.
    std::string hex = read_name(rootfd, k);
    if (!hex.empty() && read_image_record(rootfd, hex)) return std::make_pair(hex, k);
    return fail(kNotFound, fmt::format("No such image: {}", k));
  }
  if (prefix.size() == 64) {
    if (read_image_record(rootfd, prefix)) return std::make_pair(prefix, std::string());
    return fail(kNotFound, fmt::format("No such image: {}", k));
  }
  std::string found;
  if (auto names = list_dir_at(rootfd, "images")) {
    for (auto& n : *names) {
      if (n.compare(0, prefix.size(), prefix) != 0) continue;
      if (!found.empty()) return fail(kConflict, fmt::format("short image ID `{}` is ambiguous", k));
      found = n;
    }
  }
  if (found.empty() || !read_image_record(rootfd, found)) {
    std::string hex = read_name(rootfd, k);  // a name made only of hex digits
    if (!hex.empty() && read_image_record(rootfd, hex)) return std::make_pair(hex, k);
    return fail(kNotFound, fmt::format("No such image: {}", k));
  }
  return std::make_pair(found, std::string());
}

Status require_writable(const StoreOptions& o, int rootfd) {
  if (rootfd < 0 || !o.create) return fail(EROFS, fmt::format("store `{}` is not open for writing", o.graph_root));
  return ok();
}

}  // namespace

Result<ImageRecord> Store::create_image(const NewImage& img) {
  int rootfd = root_.get();
  TRY(require_writable(opts_, rootfd));
  std::string id = TRY(sha256_digest(img.config));
  std::string hex = hex_of(id);
  std::string what = fmt::format("image {}", id);
  if (img.layers.size() > kMaxDepth) return fail(kInvalid, fmt::format("{}: too many layers", what));
  for (auto& n : img.names) TRY_CTX(escape_name(n), "{}", what);

  ImageRecord r;
  r.id = id;
  r.created_ns = img.created_ns;
  r.stored_ns = now_ns();
  r.manifest_digest = img.manifest_digest;
  r.manifest_media_type = img.manifest_media_type;
  r.parent = img.parent;
  std::string chain;
  for (auto& l : img.layers) {
    ImageLayer x = l;
    chain = TRY_CTX(chain_id_of(chain, l.diff_id), "{}", what);
    if (!x.chain_id.empty() && x.chain_id != chain)
      return fail(kInvalid, fmt::format("{}: layer {} has chain ID {}, expected {}", what, l.diff_id, x.chain_id, chain));
    x.chain_id = chain;
    auto meta = TRY_CTX(layer_info(chain), "{}", what);
    x.size = meta.size;
    r.size += meta.size;
    r.layers.push_back(std::move(x));
  }
  r.top_layer = chain;

  std::vector<StagingSlot> trash;
  trash.push_back(TRY_CTX(new_slot(rootfd, "img-", true), "{}", what));
  const std::string slot = trash.back().name;
  bool published = false;
  auto publish = [&]() -> Status {
    auto slotfd = TRY(open_at(rootfd, slot, O_RDONLY | O_DIRECTORY));
    // The summary symlink first: the directory fsyncs of the files after it make it durable.
    TRY(write_summary_at(slotfd.get(), "summary", r));
    TRY(write_file_atomic_at(slotfd.get(), "config", img.config, 0600, opts_.sync));
    TRY(write_file_atomic_at(slotfd.get(), "manifest", img.manifest, 0600, opts_.sync));
    TRY(write_file_atomic_at(slotfd.get(), "record.json", to_json(image_record_json(r)), 0600, opts_.sync));
    auto lock = TRY(lock_store(rootfd));
    for (auto& l : r.layers)
      if (!has_layer(l.chain_id)) return fail(kNotFound, fmt::format("layer {} is missing (removed meanwhile?)", l.chain_id));
    if (!read_image_record(rootfd, hex)) {
      std::string dst = "images/" + hex;
      if (faccessat(rootfd, dst.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        TRY(move_to_trash(rootfd, dst, trash));  // a torn leftover
      if (renameat(rootfd, slot.c_str(), rootfd, dst.c_str()) < 0) return fail_errno("publish");
      published = true;
      if (opts_.sync) (void)fsync_dir_at(rootfd, "images");
    }
    for (auto& n : img.names) TRY(set_name(rootfd, n, hex));
    if (opts_.sync && !img.names.empty()) (void)fsync_dir_at(rootfd, "names/images");
    return ok();
  };
  Status st = publish();
  if (published) {
    // The slot's directory became the image; only its lock file is left.
    (void)unlinkat(rootfd, (slot + ".lock").c_str(), 0);
    trash.erase(trash.begin());
  }
  (void)discard_slots(rootfd, map_, trash);
  if (!st) return wrap(std::move(st).error(), what);
  auto out = TRY(read_image_record(rootfd, hex));
  auto names = read_all_names(rootfd);
  split_names(names[hex], out);
  return out;
}

Result<std::vector<ImageRecord>> Store::list_images() const {
  std::vector<ImageRecord> out;
  int rootfd = root_.get();
  if (rootfd < 0) return out;
  auto dirs = list_dir_at(rootfd, "images");
  if (!dirs) return dirs.error().code == ENOENT ? Result<std::vector<ImageRecord>>(out) : dirs.error();
  out.reserve(dirs->size());
  auto images = TRY(open_at(rootfd, "images", O_RDONLY | O_DIRECTORY));
  // The names (a readlinkat each) are read by a second thread while this one reads the
  // summaries (a readlinkat each): with many images it is mostly system time, and the two
  // halves overlap on two cores. Few images are not worth a thread.
  std::map<std::string, std::vector<std::string>> names;
  std::thread name_reader;
  if (dirs->size() >= 64) name_reader = std::thread([&] { names = read_all_names(rootfd); });
  else names = read_all_names(rootfd);
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join{name_reader};
  std::vector<std::pair<std::string, ImageRecord>> found;  // hex, record without names
  found.reserve(dirs->size());
  for (auto& hex : *dirs) {
    if (!valid_digest(digest_of(hex))) continue;
    ImageRecord r;
    auto line = read_summary_at(images.get(), hex + "/summary");
    if (line && parse_summary(*line, r)) {
      r.id = digest_of(hex);
    } else {
      auto full = read_image_record(rootfd, hex);
      if (!full) continue;  // being created or removed right now, or damaged (system check says)
      r = std::move(*full);
    }
    found.emplace_back(hex, std::move(r));
  }
  if (name_reader.joinable()) name_reader.join();
  for (auto& [hex, r] : found) {
    if (auto it = names.find(hex); it != names.end()) split_names(it->second, r);
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const ImageRecord& a, const ImageRecord& b) {
    if (a.created_ns != b.created_ns) return a.created_ns > b.created_ns;
    return a.id < b.id;
  });
  return out;
}

Result<ImageRecord> Store::lookup_image(std::string_view ref_or_id, bool with_names) const {
  auto [hex, by_name] = TRY(resolve(root_.get(), ref_or_id));
  auto r = TRY(read_image_record(root_.get(), hex));
  if (!with_names) return r;
  auto names = read_all_names(root_.get());
  split_names(names[hex], r);
  return r;
}

Result<std::string> Store::image_config(std::string_view id) const {
  auto [hex, by_name] = TRY(resolve(root_.get(), id));
  return read_file_at(root_.get(), fmt::format("images/{}/config", hex));
}

Result<std::string> Store::image_manifest(std::string_view id) const {
  auto [hex, by_name] = TRY(resolve(root_.get(), id));
  return read_file_at(root_.get(), fmt::format("images/{}/manifest", hex));
}

Result<std::string> Store::tag_image(std::string_view id, std::string_view name) {
  int rootfd = root_.get();
  TRY(require_writable(opts_, rootfd));
  TRY(escape_name(name));
  auto lock = TRY(lock_store(rootfd));
  auto [hex, by_name] = TRY(resolve(rootfd, id));
  std::string prev = read_name(rootfd, name);
  TRY(set_name(rootfd, name, hex));
  if (opts_.sync) (void)fsync_dir_at(rootfd, "names/images");
  return prev.empty() || prev == hex ? std::string() : digest_of(prev);
}

Status Store::untag_image(std::string_view name) {
  int rootfd = root_.get();
  TRY(require_writable(opts_, rootfd));
  auto esc = TRY(escape_name(name));
  auto lock = TRY(lock_store(rootfd));
  if (unlinkat(rootfd, ("names/images/" + esc).c_str(), 0) < 0) {
    if (errno == ENOENT) return fail(kNotFound, fmt::format("No such image: {}", name));
    return fail_errno(fmt::format("untag `{}`", name));
  }
  return ok();
}

Result<std::vector<RemoveEvent>> Store::remove_image(std::string_view key, const RemoveOptions& opts) {
  int rootfd = root_.get();
  if (rootfd < 0) return fail(kNotFound, fmt::format("No such image: {}", key));
  TRY(require_writable(opts_, rootfd));
  std::vector<RemoveEvent> ev;
  std::vector<StagingSlot> trash, image_trash;
  {
    auto lock = TRY(lock_store(rootfd));
    auto [hex, by_name] = TRY(resolve(rootfd, key));
    std::string id = digest_of(hex);
    auto rec = TRY(read_image_record(rootfd, hex));
    auto all_names = read_all_names(rootfd);
    std::vector<std::string> refs = all_names[hex];
    std::sort(refs.begin(), refs.end());
    std::vector<ContainerUse> users;
    if (opts_.hooks.image_users) users = TRY(opts_.hooks.image_users(id));
    auto others = scan_others(rootfd, hex);

    auto untag = [&](const std::string& ref) -> Status {
      auto esc = TRY(escape_name(ref));
      if (unlinkat(rootfd, ("names/images/" + esc).c_str(), 0) < 0 && errno != ENOENT)
        return fail_errno(fmt::format("untag `{}`", ref));
      ev.push_back(RemoveEvent{false, ref});
      refs.erase(std::remove(refs.begin(), refs.end(), ref), refs.end());
      return ok();
    };

    bool removed_repo_ref = false;
    if (!by_name.empty()) {
      if (!users.empty() && is_single_reference(refs) && !opts.force)
        return fail(kConflict, fmt::format("conflict: unable to remove repository reference \"{}\" (must force) - "
                                           "container {} is using its referenced image {}",
                                           opts.as_typed.empty() ? by_name : opts.as_typed,
                                           short_id(users[0].container_id), short_id(hex)));
      TRY(untag(by_name));
      if (!is_digest_ref(by_name)) {
        // The repository's last tag went: its digest references go with it (Docker does so).
        std::string repo = repo_of(by_name);
        bool tag_left = std::any_of(refs.begin(), refs.end(),
                                    [&](const std::string& r) { return !is_digest_ref(r) && repo_of(r) == repo; });
        if (!tag_left) {
          auto copy = refs;
          for (auto& r : copy)
            if (is_digest_ref(r) && repo_of(r) == repo) TRY(untag(r));
        }
      }
      if (!refs.empty()) return ev;
      removed_repo_ref = true;
    } else if (is_single_reference(refs)) {
      if (auto c = delete_conflict(hex, users, others.has_child, refs.size(), !opts.force, false))
        return fail(kConflict, c->message);
      auto copy = refs;
      for (auto& r : copy) TRY(untag(r));
    }

    if (auto c = delete_conflict(hex, users, others.has_child, refs.size(), !opts.force, true)) {
      bool dangling = refs.empty() && !others.has_child;
      if (removed_repo_ref && (!dangling || c->used)) return ev;  // untagged; the image stays
      return fail(kConflict, c->message);
    }
    auto copy = refs;
    for (auto& r : copy) TRY(untag(r));
    if (opts_.sync) (void)fsync_dir_at(rootfd, "names/images");

    // The image, its layers no one else needs, then (unless --no-prune) its untagged parent
    // chain as Docker's imageDeleteHelper prunes it: quietly, stopping at the first parent
    // that has a name, another child, or a container (running or not).
    for (;;) {
      TRY_CTX(move_to_trash(rootfd, "images/" + hex, image_trash), "image {}", id);
      ev.push_back(RemoveEvent{true, id});
      for (auto it = rec.layers.rbegin(); it != rec.layers.rend(); ++it) {
        if (others.chains.count(it->chain_id)) break;
        if (opts_.hooks.layer_in_use && opts_.hooks.layer_in_use(it->chain_id)) break;
        auto meta = read_layer_meta(rootfd, hex_of(it->chain_id));
        if (!meta) continue;  // already gone (system check reports such images)
        TRY(unpublish_layer(rootfd, *meta, trash));
        ev.push_back(RemoveEvent{true, it->chain_id});
      }
      if (!opts.prune || !valid_digest(rec.parent)) break;
      std::string phex = hex_of(rec.parent);
      if (auto n = all_names.find(phex); n != all_names.end() && !n->second.empty()) break;
      auto prec = read_image_record(rootfd, phex);
      if (!prec) break;  // not local (pulled images have no local parent)
      auto pothers = scan_others(rootfd, phex);  // the child is in the trash already
      if (pothers.has_child) break;
      if (opts_.hooks.image_users) {
        auto u = opts_.hooks.image_users(rec.parent);
        if (!u || !u->empty()) break;
      }
      hex = phex;
      id = rec.parent;
      rec = std::move(*prec);
      others = std::move(pothers);
    }
  }
  // Out of sight already; deleting the files needs no lock. The image directory holds only our
  // own files: no worker for it.
  (void)discard_own_slots(rootfd, image_trash);
  (void)discard_slots(rootfd, map_, trash);
  return ev;
}

Status Store::remove_layer(std::string_view chain_id) {
  int rootfd = root_.get();
  TRY(require_writable(opts_, rootfd));
  std::vector<StagingSlot> trash;
  {
    auto lock = TRY(lock_store(rootfd));
    auto l = TRY(layer_info(chain_id));
    if (auto images = list_dir_at(rootfd, "images"))
      for (auto& n : *images)
        if (auto r = read_image_record(rootfd, n))
          for (auto& x : r->layers)
            if (x.chain_id == l.chain_id)
              return fail(kConflict, fmt::format("layer {} is used by image {}", l.chain_id, r->id));
    if (opts_.hooks.layer_in_use && opts_.hooks.layer_in_use(l.chain_id))
      return fail(kConflict, fmt::format("layer {} is used by a container", l.chain_id));
    auto layers = TRY(list_layers());
    for (auto& c : layers)
      if (c.parent == l.chain_id)
        return fail(kConflict, fmt::format("layer {} has a child layer {}", l.chain_id, c.chain_id));
    TRY(unpublish_layer(rootfd, l, trash));
  }
  return discard_slots(rootfd, map_, trash);
}

Result<std::vector<std::string>> Store::remove_unused_layers(std::string_view top_chain_id) {
  int rootfd = root_.get();
  TRY(require_writable(opts_, rootfd));
  std::vector<std::string> removed;
  std::vector<StagingSlot> trash;
  {
    auto lock = TRY(lock_store(rootfd));
    auto others = scan_others(rootfd, "");
    std::string cur(top_chain_id);
    while (!cur.empty()) {
      if (others.chains.count(cur)) break;
      if (opts_.hooks.layer_in_use && opts_.hooks.layer_in_use(cur)) break;
      auto l = layer_info(cur);
      if (!l) break;
      TRY(unpublish_layer(rootfd, *l, trash));
      removed.push_back(cur);
      cur = l->parent;
    }
  }
  (void)discard_slots(rootfd, map_, trash);
  return removed;
}

}  // namespace skiff::storage
