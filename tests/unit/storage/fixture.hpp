#pragma once
// Shared helpers for the storage tests: temp directories, a raw tar builder (so hostile
// archives can say anything, including what a well-behaved writer would refuse), tree
// listings to prove nothing outside a root changed, and store fixtures.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/idmap.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/stream.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::test {

inline bool is_root() { return geteuid() == 0; }

/// The error message of a failed Result ("" on success), for BOOST_*_MESSAGE.
template <class R>
std::string why(const R& r) {
  return r ? std::string() : r.error().msg;
}

/// Boost.Test preconditions: a test that cannot run here is reported as skipped.
struct RootOnly {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r(is_root());
    r.message() << "needs root (run as root)";
    return r;
  }
};
struct RootlessOnly {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r(!is_root());
    r.message() << "needs a non-root user with a subuid range (run as skiff-test)";
    return r;
  }
};

/// The id mapping tests use: the current user's (rootful: none).
inline IdMap test_idmap() {
  auto m = idmap_for_current_user();
  BOOST_REQUIRE_MESSAGE(bool(m), why(m));
  return *m;
}

/// A temporary directory, removed (as the store owner, in a user namespace when rootless, so
/// subordinate-id files go too) at the end of the test.
class TempDir {
 public:
  TempDir() {
    const char* t = getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/skiff-test-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    BOOST_REQUIRE(p);
    path_ = p;
  }
  ~TempDir() {
    if (path_.empty()) return;
    auto map = idmap_for_current_user();
    if (map && map->userns) (void)run_in_userns(*map, [&] { return remove_tree(path_); });
    (void)remove_tree(path_);
  }
  const std::string& path() const { return path_; }
  std::string sub(std::string_view s) const { return path_ + "/" + std::string(s); }

 private:
  std::string path_;
};

/// Builds tar bytes by hand: ustar headers, PAX records where asked or needed.
class RawTar {
 public:
  struct Hdr {
    std::string name;
    char type = '0';
    uint32_t mode = 0644;
    uint32_t uid = 0, gid = 0;
    std::string data;
    std::string link;
    uint32_t major = 0, minor = 0;
    int64_t mtime = 1700000000;
    std::vector<std::pair<std::string, std::string>> pax;  // extra PAX records
  };

  RawTar& add(Hdr h) {
    std::vector<std::pair<std::string, std::string>> pax = h.pax;
    if (h.name.size() > 99) pax.emplace_back("path", h.name);
    if (h.link.size() > 99) pax.emplace_back("linkpath", h.link);
    if (!pax.empty()) {
      std::string body;
      for (auto& [k, v] : pax) body += record(k, v);
      header("PaxHeader", 'x', 0644, 0, 0, body.size(), "", 0, 0, h.mtime);
      data(body);
    }
    header(h.name.substr(0, 99), h.type, h.mode, h.uid, h.gid, h.data.size(), h.link.substr(0, 99), h.major,
           h.minor, h.mtime);
    data(h.data);
    return *this;
  }
  RawTar& file(std::string name, std::string content = "", uint32_t mode = 0644, uint32_t uid = 0, uint32_t gid = 0) {
    return add(Hdr{std::move(name), '0', mode, uid, gid, std::move(content)});
  }
  RawTar& dir(std::string name, uint32_t mode = 0755, int64_t mtime = 1700000000) {
    Hdr h{std::move(name), '5', mode};
    h.mtime = mtime;
    return add(std::move(h));
  }
  RawTar& symlink(std::string name, std::string target) {
    Hdr h{std::move(name), '2', 0777};
    h.link = std::move(target);
    return add(std::move(h));
  }
  RawTar& hardlink(std::string name, std::string target) {
    Hdr h{std::move(name), '1', 0644};
    h.link = std::move(target);
    return add(std::move(h));
  }
  RawTar& device(std::string name, char type, uint32_t maj, uint32_t min) {
    Hdr h{std::move(name), type, 0600};
    h.major = maj;
    h.minor = min;
    return add(std::move(h));
  }
  /// End-of-archive: two zero records.
  std::string finish() const { return bytes_ + std::string(1024, '\0'); }
  const std::string& bytes() const { return bytes_; }

 private:
  static std::string record(const std::string& k, const std::string& v) {
    size_t base = k.size() + v.size() + 3;  // ' ', '=', '\n'
    size_t len = base + std::to_string(base).size();
    if (std::to_string(len).size() != std::to_string(base).size()) ++len;
    return std::to_string(len) + " " + k + "=" + v + "\n";
  }
  static void octal(char* dst, size_t width, uint64_t v) {
    std::string s = fmt::format("{:0{}o}", v, width - 1);
    memcpy(dst, s.data(), width - 1);
    dst[width - 1] = '\0';
  }
  void header(const std::string& name, char type, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size,
              const std::string& link, uint32_t maj, uint32_t min, int64_t mtime) {
    char h[512] = {};
    memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
    octal(h + 100, 8, mode);
    octal(h + 108, 8, uid);
    octal(h + 116, 8, gid);
    octal(h + 124, 12, size);
    octal(h + 136, 12, uint64_t(mtime));
    h[156] = type;
    memcpy(h + 157, link.data(), std::min<size_t>(link.size(), 100));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    octal(h + 329, 8, maj);
    octal(h + 337, 8, min);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::string cs = fmt::format("{:06o}", sum);
    memcpy(h + 148, cs.data(), 6);
    h[154] = '\0';
    h[155] = ' ';
    bytes_.append(h, 512);
  }
  void data(const std::string& d) {
    bytes_ += d;
    if (d.size() % 512) bytes_.append(512 - d.size() % 512, '\0');
  }
  std::string bytes_;
};

/// "relative/path type mode uid:gid size [target]" for every entry under `dir` except
/// `skip` (a name directly under `dir`), sorted: compares trees before and after.
inline void list_tree(const std::string& dir, const std::string& rel, const std::string& skip,
                      std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || (rel.empty() && n == skip)) continue;
    std::string p = dir + "/" + n, r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (lstat(p.c_str(), &st) < 0) continue;
    std::string line = fmt::format("{} {:o} {}:{} {} {}", r, st.st_mode, st.st_uid, st.st_gid,
                                   S_ISDIR(st.st_mode) ? 0 : st.st_size, st.st_nlink);
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t k = readlink(p.c_str(), buf, sizeof buf);
      if (k > 0) line += " -> " + std::string(buf, size_t(k));
    } else if (S_ISREG(st.st_mode)) {
      auto c = read_file(p);
      line += " " + (c ? *c : std::string("?"));
    }
    out.push_back(line);
    if (S_ISDIR(st.st_mode)) list_tree(p, r, skip, out);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
}
inline std::vector<std::string> tree_of(const std::string& dir, const std::string& skip = "") {
  std::vector<std::string> out;
  list_tree(dir, "", skip, out);
  std::sort(out.begin(), out.end());
  return out;
}

/// A ByteSource that fails the test if read (for "returned without reading" checks).
class UnreadableSource : public ByteSource {
 public:
  Result<size_t> read(void*, size_t) override {
    read_ = true;
    return fail(EIO, "must not be read");
  }
  bool read_ = false;
};

/// Opens (creating) a store in `dir` with the given driver ("" = probe), sync off for speed.
/// Warnings land in `warnings` when given.
inline std::unique_ptr<storage::Store> open_store(const std::string& dir, const std::string& driver = "",
                                                  storage::StoreHooks hooks = {},
                                                  std::vector<std::string>* warnings = nullptr) {
  storage::StoreOptions o;
  o.graph_root = dir;
  o.driver_override = driver;
  o.create = true;
  o.sync = false;
  o.hooks = std::move(hooks);
  if (!o.hooks.warn)
    o.hooks.warn = [warnings](std::string_view m) {
      if (warnings) warnings->emplace_back(m);
    };
  auto s = storage::Store::open(std::move(o));
  BOOST_REQUIRE_MESSAGE(bool(s), why(s));
  return std::move(*s);
}

/// "sha256:…" of `data`.
inline std::string digest(std::string_view data) {
  auto d = sha256_digest(data);
  BOOST_REQUIRE(d);
  return *d;
}

/// Creates a layer from raw tar bytes, checking its diff ID.
inline Result<storage::LayerInfo> add_layer(storage::Store& s, const std::string& parent, const std::string& tar) {
  StringSource src(tar);
  return s.create_layer(parent, digest(tar), src);
}

}  // namespace skiff::test
