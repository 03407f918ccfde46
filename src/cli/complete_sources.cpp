// Dynamic completion candidates read straight from the store layout (see the header for the
// exact paths). Readers never lock; a few syscalls per object, no JSON parsing.
#include "complete_sources.hpp"
#include "skiff/util/running_index.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <unordered_set>

#include "skiff/oci/reference.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::cli {

std::string unescape_ref(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string escape_ref(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '/' || c == '%' || c <= 0x20 || c >= 0x7f) out += fmt::format("%{:02X}", c);
    else out += char(c);
  }
  return out;
}

std::vector<std::string> CompSource::short_name_refs(std::string_view name) {
  auto ref = oci::Reference::parse(name);
  if (!ref) return {};
  return {ref->str_with_default_tag()};
}

namespace {

// Calls fn(fd of the directory, name, name as C string) for every entry of dirfd/path except
// "." and "..".
template <class Fn>
void for_each_entry(int dirfd, const char* path, Fn&& fn) {
  auto d = Dir::open_at(dirfd, path);
  if (!d) return;
  while (struct dirent* e = d->next()) fn(d->fd(), std::string_view(e->d_name), e->d_name);
}


class StoreSource final : public CompSource {
 public:
  StoreSource(std::string graph_root, std::string run_root)
      : graph_(open(graph_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
        run_(open(run_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}

  std::vector<std::string> container_names(Which which, std::string_view prefix) override {
    std::vector<std::string> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "names/containers", [&](int dfd, std::string_view name, const char* cname) {
      if (!name.starts_with(prefix)) return;
      if (which != Which::All) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dfd, cname, buf, sizeof buf);
        if (n <= 0) return;
        std::string_view target(buf, size_t(n));
        std::string_view id = target.substr(target.rfind('/') + 1);
        if (!matches(which, id)) return;
      }
      out.emplace_back(name);
    });
    return out;
  }

  std::vector<std::string> container_ids(Which which, std::string_view prefix) override {
    std::vector<std::string> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "containers", [&](int, std::string_view id, const char*) {
      if (id.size() == 64 && is_hex(id) && id.starts_with(prefix) && matches(which, id)) out.emplace_back(id);
    });
    return out;
  }

  std::vector<ImageName> image_names() override {
    std::vector<ImageName> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "names/images", [&](int dfd, std::string_view esc, const char* cname) {
      std::string full = unescape_ref(esc);
      if (full.find('@') != std::string::npos) return;  // digest references: not repo:tag
      std::string fam = oci::familiar(full);
      std::string id;
      char buf[PATH_MAX];
      if (ssize_t n = readlinkat(dfd, cname, buf, sizeof buf); n > 0) {
        std::string_view target(buf, size_t(n));
        id = std::string(target.substr(target.rfind('/') + 1));
        if (id.size() > 64) id.resize(64);  // older layouts: <id>.json
      }
      out.push_back({std::move(full), std::move(fam), std::move(id)});
    });
    return out;
  }

  std::vector<std::string> image_ids() override {
    std::vector<std::string> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "images", [&](int, std::string_view id, const char*) {
      if (id.size() == 64 && is_hex(id)) out.emplace_back(id);
    });
    return out;
  }

  std::vector<std::string> volume_names(std::string_view prefix) override {
    std::vector<std::string> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "volumes", [&](int, std::string_view name, const char*) {
      if (name.starts_with(prefix)) out.emplace_back(name);
    });
    return out;
  }

  std::vector<std::string> pod_names(std::string_view prefix) override {
    std::vector<std::string> out;
    if (!graph_) return out;
    for_each_entry(graph_.get(), "pods", [&](int dfd, std::string_view id, const char* cid) {
      if (id.size() != 64) return;
      auto text = read_file_at(dfd, std::string(cid) + "/pod.json", 1 << 20);
      if (!text) return;
      auto j = parse_json(*text);
      if (!j) return;
      std::string name = json_str(*j, "Name");
      if (!name.empty() && name.starts_with(prefix)) out.push_back(name);
    });
    return out;
  }

  std::vector<std::string> network_names(std::string_view prefix) override {
    std::vector<std::string> out = CompSource::network_names(prefix);
    if (!graph_) return out;
    for_each_entry(graph_.get(), "networks", [&](int, std::string_view name, const char*) {
      if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && name[0] != '.' && name.starts_with(prefix))
        out.emplace_back(name.substr(0, name.size() - 5));
    });
    return out;
  }

 private:
  // Running: <run root>/c/<id12>/exit does not exist, .../monitor.json does, same boot. `exit` is
  // looked at first (one syscall for the usual exited container), and ids without a state
  // directory (never started) cost nothing: c/ is listed once.
  bool running(std::string_view id) {
    if (id.size() < 12 || !load_states()) return false;
    std::string id12(id.substr(0, 12));
    if (!state_dirs_.count(id12)) return false;
    return faccessat(states_.get(), (id12 + "/exit").c_str(), F_OK, AT_SYMLINK_NOFOLLOW) != 0 &&
           faccessat(states_.get(), (id12 + "/monitor.json").c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  }
  bool matches(Which which, std::string_view id) {
    if (which == Which::All) return true;
    return running(id) == (which == Which::Running);
  }
  // Opens <run root>/c and lists it, once; false when nothing can be running (no run root,
  // or it was set up before the last boot).
  bool load_states() {
    if (states_loaded_) return states_.valid();
    states_loaded_ = true;
    if (!run_) return false;
    auto recorded = read_file_at(run_.get(), "boot_id", 256);
    auto now = read_file("/proc/sys/kernel/random/boot_id", 256);
    if (recorded && now && trim(*recorded) != trim(*now)) return false;
    states_.reset(openat(run_.get(), "c", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!states_) return false;
    // The monitors' index of running containers (util/running_index.hpp): only its entries
    // need checking. A run root from before the index: every state directory.
    UniqueFd index(openat(run_.get(), kRunningIndexDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for_each_entry(index ? index.get() : states_.get(), ".", [&](int, std::string_view name, const char*) { state_dirs_.emplace(name); });
    return true;
  }

  UniqueFd graph_, run_, states_;
  bool states_loaded_ = false;
  std::unordered_set<std::string> state_dirs_;
};

}  // namespace

std::unique_ptr<CompSource> store_source(std::string graph_root, std::string run_root) {
  return std::make_unique<StoreSource>(std::move(graph_root), std::move(run_root));
}

}  // namespace skiff::cli
