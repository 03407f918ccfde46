// cgroupfs: the container's cgroup on v1/hybrid and v2 hosts (see cgroup.hpp).
#include "skiff/runtime/cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::runtime::cgroup {

namespace {

// The v1 controllers a container gets a cgroup in (when mounted).
constexpr const char* kV1Controllers[] = {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices", "freezer"};

Status write_at(const std::string& dir, const std::string& file, const std::string& value) {
  std::string p = dir + "/" + file;
  int fd = open(p.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) return fail_errno(fmt::format("open `{}`", p));
  ssize_t n = write(fd, value.data(), value.size());
  int e = errno;
  close(fd);
  if (n < 0) return Error{e, fmt::format("write {} to `{}`: {}", value, p, strerror(e))};
  return ok();
}

std::string read_trim(const std::string& p) {
  auto t = read_file(p, 1 << 20);
  return t ? std::string(trim(*t)) : std::string();
}

int64_t num(const Json& l, const char* k) {
  auto it = l.find(k);
  if (it == l.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}
bool has(const Json& l, const char* k) { return l.is_object() && l.contains(k) && !l[k].is_null(); }

// The v1 directories of a path: one per distinct mount.
std::vector<std::pair<std::string, std::string>> v1_dirs(const Host& h, const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> seen;
  for (const char* c : kV1Controllers) {
    auto it = h.v1.find(c);
    if (it == h.v1.end()) continue;
    if (std::find(seen.begin(), seen.end(), it->second) != seen.end()) continue;
    seen.push_back(it->second);
    out.emplace_back(c, it->second + "/" + path);
  }
  return out;
}

std::string v1_dir(const Host& h, const char* ctrl, const std::string& path) {
  auto it = h.v1.find(ctrl);
  return it == h.v1.end() ? std::string() : it->second + "/" + path;
}

// Throttle lists: [{"Path": "/dev/sda", "Rate": N}] → "maj:min N" lines.
Result<std::vector<std::string>> device_lines(const Json& l, const char* key, const char* field) {
  std::vector<std::string> out;
  if (!has(l, key) || !l[key].is_array()) return out;
  for (auto& d : l[key]) {
    std::string dev = TRY(device_number(json_str(d, "Path")));
    out.push_back(fmt::format("{} {}", dev, d.value(field, int64_t(0))));
  }
  return out;
}

// Creates each missing level of `path` under `root`; cpuset levels get their parent's
// cpus/mems (an empty cpuset cannot take tasks).
Status make_dirs(const std::string& root, const std::string& path, bool cpuset) {
  std::string cur = root;
  for (auto& part : split(path, '/')) {
    if (part.empty()) continue;
    std::string parent = cur;
    cur += "/" + part;
    if (mkdir(cur.c_str(), 0755) < 0) {
      if (errno != EEXIST) return fail_errno(fmt::format("create the cgroup `{}`", cur));
    }
    if (cpuset)
      for (const char* f : {"cpuset.cpus", "cpuset.mems"})
        if (read_trim(cur + "/" + f).empty()) TRY(write_at(cur, f, read_trim(parent + "/" + f)));
  }
  return ok();
}

Status apply_v1(const Host& h, const std::string& path, const Json& l) {
  if (!l.is_object()) return ok();
  std::string mem = v1_dir(h, "memory", path);
  if (!mem.empty()) {
    if (has(l, "Memory") || has(l, "MemorySwap")) {
      int64_t m = num(l, "Memory"), sw = num(l, "MemorySwap");
      std::string mv = m > 0 ? std::to_string(m) : "-1";
      std::string sv = sw > 0 ? std::to_string(sw) : (sw == 0 && m > 0) ? std::to_string(2 * m) : "-1";
      bool memsw = path_exists(mem + "/memory.memsw.limit_in_bytes");
      // The swap limit may never be below the memory limit: raise it first when growing.
      auto st = write_at(mem, "memory.limit_in_bytes", mv);
      if (!st && memsw) {
        TRY(write_at(mem, "memory.memsw.limit_in_bytes", sv));
        TRY(write_at(mem, "memory.limit_in_bytes", mv));
      } else {
        TRY(std::move(st));
        if (memsw) TRY(write_at(mem, "memory.memsw.limit_in_bytes", sv));
      }
    }
    if (has(l, "MemoryReservation")) {
      int64_t r = num(l, "MemoryReservation");
      TRY(write_at(mem, "memory.soft_limit_in_bytes", r > 0 ? std::to_string(r) : "-1"));
    }
    if (has(l, "MemorySwappiness") && num(l, "MemorySwappiness") >= 0)
      TRY(write_at(mem, "memory.swappiness", std::to_string(num(l, "MemorySwappiness"))));
    if (has(l, "OomKillDisable") && l["OomKillDisable"].is_boolean())
      TRY(write_at(mem, "memory.oom_control", l["OomKillDisable"].get<bool>() ? "1" : "0"));
  }
  std::string cpu = v1_dir(h, "cpu", path);
  if (!cpu.empty()) {
    if (has(l, "CpuShares") && num(l, "CpuShares") > 0) TRY(write_at(cpu, "cpu.shares", std::to_string(num(l, "CpuShares"))));
    if (has(l, "NanoCpus")) {
      int64_t n = num(l, "NanoCpus");
      TRY(write_at(cpu, "cpu.cfs_period_us", "100000"));
      TRY(write_at(cpu, "cpu.cfs_quota_us", n > 0 ? std::to_string(n / 10000) : "-1"));
    }
    if (has(l, "CpuPeriod") && num(l, "CpuPeriod") > 0) TRY(write_at(cpu, "cpu.cfs_period_us", std::to_string(num(l, "CpuPeriod"))));
    if (has(l, "CpuQuota")) {
      int64_t q = num(l, "CpuQuota");
      TRY(write_at(cpu, "cpu.cfs_quota_us", q > 0 ? std::to_string(q) : "-1"));
    }
    if (has(l, "CpuRealtimePeriod") && num(l, "CpuRealtimePeriod") > 0)
      TRY(write_at(cpu, "cpu.rt_period_us", std::to_string(num(l, "CpuRealtimePeriod"))));
    if (has(l, "CpuRealtimeRuntime") && num(l, "CpuRealtimeRuntime") != 0) {
      // The parent must hold at least the child's share of real-time time.
      auto slash = path.rfind('/');
      if (slash != std::string::npos) {
        std::string parent = v1_dir(h, "cpu", path.substr(0, slash));
        (void)write_at(parent, "cpu.rt_runtime_us", std::to_string(num(l, "CpuRealtimeRuntime")));
      }
      TRY(write_at(cpu, "cpu.rt_runtime_us", std::to_string(num(l, "CpuRealtimeRuntime"))));
    }
  }
  std::string cs = v1_dir(h, "cpuset", path);
  if (!cs.empty()) {
    if (has(l, "CpusetCpus") && !json_str(l, "CpusetCpus").empty()) TRY(write_at(cs, "cpuset.cpus", json_str(l, "CpusetCpus")));
    if (has(l, "CpusetMems") && !json_str(l, "CpusetMems").empty()) TRY(write_at(cs, "cpuset.mems", json_str(l, "CpusetMems")));
  }
  std::string pids = v1_dir(h, "pids", path);
  if (!pids.empty() && has(l, "PidsLimit")) {
    int64_t p = num(l, "PidsLimit");
    TRY(write_at(pids, "pids.max", p > 0 ? std::to_string(p) : "max"));
  }
  std::string blk = v1_dir(h, "blkio", path);
  if (!blk.empty()) {
    std::string wfile = path_exists(blk + "/blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
    if (has(l, "BlkioWeight") && num(l, "BlkioWeight") > 0) TRY(write_at(blk, wfile, std::to_string(num(l, "BlkioWeight"))));
    std::string wdev = path_exists(blk + "/blkio.weight_device") ? "blkio.weight_device" : "blkio.bfq.weight_device";
    for (auto& line : TRY(device_lines(l, "BlkioWeightDevice", "Weight"))) TRY(write_at(blk, wdev, line));
    const std::pair<const char*, const char*> kThrottle[] = {
        {"BlkioDeviceReadBps", "blkio.throttle.read_bps_device"},
        {"BlkioDeviceWriteBps", "blkio.throttle.write_bps_device"},
        {"BlkioDeviceReadIOps", "blkio.throttle.read_iops_device"},
        {"BlkioDeviceWriteIOps", "blkio.throttle.write_iops_device"}};
    for (auto& [k, f] : kThrottle)
      for (auto& line : TRY(device_lines(l, k, "Rate"))) TRY(write_at(blk, f, line));
  }
  std::string dev = v1_dir(h, "devices", path);
  if (!dev.empty() && has(l, "DeviceRules") && l["DeviceRules"].is_array()) {
    auto& rules = l["DeviceRules"];
    if (!rules.empty() && rules[0] == "a") {
      TRY(write_at(dev, "devices.allow", "a"));
    } else {
      TRY(write_at(dev, "devices.deny", "a"));
      for (auto& r : rules)
        if (r.is_string()) TRY(write_at(dev, "devices.allow", r.get<std::string>()));
    }
  }
  return ok();
}

Status apply_v2(const Host& h, const std::string& path, const Json& l) {
  if (!l.is_object()) return ok();
  std::string d = h.unified + "/" + path;
  if (has(l, "Memory") || has(l, "MemorySwap")) {
    int64_t m = num(l, "Memory"), sw = num(l, "MemorySwap");
    TRY(write_at(d, "memory.max", m > 0 ? std::to_string(m) : "max"));
    if (path_exists(d + "/memory.swap.max")) {
      std::string sv = sw > 0 ? std::to_string(std::max<int64_t>(0, sw - m)) : (sw == 0 && m > 0) ? std::to_string(m) : "max";
      TRY(write_at(d, "memory.swap.max", sv));
    }
  }
  if (has(l, "MemoryReservation")) {
    int64_t r = num(l, "MemoryReservation");
    TRY(write_at(d, "memory.low", r > 0 ? std::to_string(r) : "0"));
  }
  if (has(l, "CpuShares") && num(l, "CpuShares") > 0)
    TRY(write_at(d, "cpu.weight", std::to_string(shares_to_weight(uint64_t(num(l, "CpuShares"))))));
  if (has(l, "NanoCpus") || has(l, "CpuQuota") || has(l, "CpuPeriod")) {
    int64_t n = num(l, "NanoCpus"), q = num(l, "CpuQuota"), p = num(l, "CpuPeriod");
    if (n > 0) {
      p = 100000;
      q = n / 10000;
    }
    if (p <= 0) p = 100000;
    TRY(write_at(d, "cpu.max", fmt::format("{} {}", q > 0 ? std::to_string(q) : "max", p)));
  }
  if (has(l, "CpusetCpus") && !json_str(l, "CpusetCpus").empty()) TRY(write_at(d, "cpuset.cpus", json_str(l, "CpusetCpus")));
  if (has(l, "CpusetMems") && !json_str(l, "CpusetMems").empty()) TRY(write_at(d, "cpuset.mems", json_str(l, "CpusetMems")));
  if (has(l, "PidsLimit")) {
    int64_t p = num(l, "PidsLimit");
    TRY(write_at(d, "pids.max", p > 0 ? std::to_string(p) : "max"));
  }
  if (has(l, "BlkioWeight") && num(l, "BlkioWeight") > 0) {
    if (path_exists(d + "/io.bfq.weight")) TRY(write_at(d, "io.bfq.weight", std::to_string(num(l, "BlkioWeight"))));
    else TRY(write_at(d, "io.weight", fmt::format("default {}", blkio_to_io_weight(uint64_t(num(l, "BlkioWeight"))))));
  }
  for (auto& line : TRY(device_lines(l, "BlkioWeightDevice", "Weight"))) {
    auto [dev, w] = split_once(line, ' ');
    if (path_exists(d + "/io.bfq.weight")) TRY(write_at(d, "io.bfq.weight", line));
    else TRY(write_at(d, "io.weight", fmt::format("{} {}", dev, blkio_to_io_weight(parse_uint(w.value_or("")).value_or(100)))));
  }
  const std::pair<const char*, const char*> kIo[] = {
      {"BlkioDeviceReadBps", "rbps"}, {"BlkioDeviceWriteBps", "wbps"}, {"BlkioDeviceReadIOps", "riops"}, {"BlkioDeviceWriteIOps", "wiops"}};
  for (auto& [k, key] : kIo)
    for (auto& line : TRY(device_lines(l, k, "Rate"))) {
      auto [dev, rate] = split_once(line, ' ');
      TRY(write_at(d, "io.max", fmt::format("{} {}={}", dev, key, rate.value_or("max"))));
    }
  // Device rules need an eBPF program on v2; none is attached (the container's /dev holds only
  // the nodes it was given).
  return ok();
}

}  // namespace

Host parse_host(const std::string& mountinfo) {
  Host h;
  for (auto& line : split(mountinfo, '\n')) {
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    auto left = split(line.substr(0, sep), ' ');
    auto right = split(line.substr(sep + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    const std::string& mnt = left[4];
    if (left[3] != "/") continue;  // a bind of a sub-tree (a container's view): not a root
    if (right[0] == "cgroup2") {
      if (h.unified.empty()) h.unified = mnt;
    } else if (right[0] == "cgroup") {
      for (auto& opt : split(right[2], ','))
        for (const char* c : kV1Controllers)
          if (opt == c && !h.v1.count(c)) h.v1[c] = mnt;
    }
  }
  if (!h.v1.empty()) {
    h.version = Version::V1;
    for (auto& [c, m] : h.v1) {
      (void)m;
      h.controllers.push_back(c);
    }
  } else if (!h.unified.empty()) {
    h.version = Version::V2;
    h.controllers = split(std::string(trim(read_file(h.unified + "/cgroup.controllers").value_or(""))), ' ');
    h.controllers.erase(std::remove(h.controllers.begin(), h.controllers.end(), std::string()), h.controllers.end());
  }
  return h;
}

const Host& host() {
  static const Host h = parse_host(read_file("/proc/self/mountinfo", 4 << 20).value_or(""));
  return h;
}

std::string version_name(const Host& h) {
  return h.version == Version::V1 ? "v1" : h.version == Version::V2 ? "v2" : "";
}

bool usable(const Host& h, bool rootless) {
  if (h.version == Version::None) return false;
  if (!rootless) return true;
  return h.version == Version::V2 && !delegated_parent(h).empty();
}

std::string delegated_parent(const Host& h) {
  if (h.version != Version::V2) return "";
  // Our own cgroup (0::/path), or its parent when we are its only process.
  auto self = read_file("/proc/self/cgroup");
  if (!self) return "";
  std::string rel;
  for (auto& line : split(*self, '\n'))
    if (line.starts_with("0::")) rel = line.substr(3);
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  for (int up = 0; up < 2 && !rel.empty(); ++up) {
    std::string dir = h.unified + "/" + rel;
    if (access((dir + "/cgroup.procs").c_str(), W_OK) == 0 && access((dir + "/cgroup.subtree_control").c_str(), W_OK) == 0) {
      auto ctl = split(std::string(trim(read_file(dir + "/cgroup.controllers").value_or(""))), ' ');
      bool memory = std::find(ctl.begin(), ctl.end(), "memory") != ctl.end();
      bool pids = std::find(ctl.begin(), ctl.end(), "pids") != ctl.end();
      if (memory && pids) return rel;
    }
    auto slash = rel.rfind('/');
    if (slash == std::string::npos) break;
    rel = rel.substr(0, slash);
  }
  return "";
}

std::string container_path(const std::string& parent, const std::string& id) {
  std::string p = parent.empty() ? "skiff" : parent;
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p.empty() ? id : p + "/" + id;
}

Status check_parent(const std::string& parent) {
  for (auto& part : split(parent, '/'))
    if (part == ".." || part == ".")
      return fail(kInvalid, fmt::format("invalid --cgroup-parent \"{}\": it must not contain \".\" or \"..\"", parent));
  if (parent.find('\n') != std::string::npos) return fail(kInvalid, "invalid --cgroup-parent: newline");
  return ok();
}

Result<UniqueFd> create(const Host& h, const std::string& path, const Json& limits) {
  if (h.version == Version::V1) {
    for (auto& [ctrl, dir] : v1_dirs(h, path)) {
      (void)dir;
      TRY(make_dirs(h.v1.at(ctrl), path, ctrl == std::string("cpuset")));
    }
    TRY_CTX(apply_v1(h, path, limits), "set the container's cgroup limits");
    return UniqueFd();
  }
  if (h.version != Version::V2) return fail(kUnsupported, "no cgroup hierarchy is mounted");
  // Enable the controllers at every level above the container (v2's no-internal-process rule
  // keeps processes out of these intermediate cgroups).
  std::string want;
  auto avail = split(std::string(trim(read_file(h.unified + "/cgroup.controllers").value_or(""))), ' ');
  for (const char* c : {"cpu", "cpuset", "io", "memory", "pids"})
    if (std::find(avail.begin(), avail.end(), c) != avail.end()) want += std::string(want.empty() ? "" : " ") + "+" + c;
  std::string cur = h.unified;
  auto parts = split(path, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    if (!want.empty()) (void)write_at(cur, "cgroup.subtree_control", want);
    cur += "/" + parts[i];
    if (mkdir(cur.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno(fmt::format("create the cgroup `{}`", cur));
  }
  TRY_CTX(apply_v2(h, path, limits), "set the container's cgroup limits");
  return TRY_CTX(open_path(cur, O_RDONLY | O_DIRECTORY), "open the container's cgroup");
}

Status enter(const Host& h, const std::string& path, pid_t pid) {
  std::string p = std::to_string(pid);
  if (h.version == Version::V2) return write_at(h.unified + "/" + path, "cgroup.procs", p);
  for (auto& [ctrl, dir] : v1_dirs(h, path)) {
    (void)ctrl;
    TRY(write_at(dir, "cgroup.procs", p));
  }
  return ok();
}

Result<std::vector<UniqueFd>> open_tasks(const Host& h, const std::string& path) {
  std::vector<UniqueFd> out;
  for (auto& [ctrl, dir] : v1_dirs(h, path)) {
    (void)ctrl;
    out.push_back(TRY_CTX(open_path(dir + "/tasks", O_WRONLY), "open the container's cgroup"));
  }
  return out;
}

Status apply(const Host& h, const std::string& path, const Json& limits) {
  if (h.version == Version::V1) return apply_v1(h, path, limits);
  if (h.version == Version::V2) return apply_v2(h, path, limits);
  return fail(kUnsupported, "no cgroup hierarchy is mounted");
}

Status destroy(const Host& h, const std::string& path) {
  std::vector<std::string> dirs;
  if (h.version == Version::V1)
    for (auto& [c, d] : v1_dirs(h, path)) {
      (void)c;
      dirs.push_back(d);
    }
  else if (h.version == Version::V2)
    dirs.push_back(h.unified + "/" + path);
  Status last = ok();
  for (auto& d : dirs) {
    // The container's last processes may still be exiting (pid 1's death kills the rest).
    for (int i = 0;; ++i) {
      if (rmdir(d.c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY || i >= 200) {
        last = fail_errno(fmt::format("remove the cgroup `{}`", d));
        break;
      }
      struct timespec ts{0, 5'000'000};
      nanosleep(&ts, nullptr);
    }
  }
  return last;
}

int sweep_stale(const Host& h, const std::string& parent, int min_age_s) {
  std::vector<std::string> roots;
  if (h.version == Version::V1) {
    for (auto& [c, d] : v1_dirs(h, parent)) {
      (void)c;
      roots.push_back(d);
    }
  } else if (h.version == Version::V2) {
    roots.push_back(h.unified + "/" + parent);
  }
  int removed = 0;
  time_t now = time(nullptr);
  for (auto& root : roots) {
    auto names = list_dir(root);
    if (!names) continue;
    for (auto& n : *names) {
      if (n.size() != 64 || n.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
      std::string d = root + "/" + n;
      struct stat st;
      if (stat(d.c_str(), &st) < 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < min_age_s) continue;
      if (!trim(read_file(d + "/cgroup.procs").value_or("x")).empty()) continue;
      if (rmdir(d.c_str()) == 0) ++removed;
    }
  }
  return removed;
}

bool oom_killed(const Host& h, const std::string& path) {
  std::string text;
  if (h.version == Version::V1) {
    std::string mem = v1_dir(h, "memory", path);
    if (mem.empty()) return false;
    text = read_file(mem + "/memory.oom_control").value_or("");
  } else if (h.version == Version::V2) {
    text = read_file(h.unified + "/" + path + "/memory.events").value_or("");
  }
  for (auto& line : split(text, '\n')) {
    auto [k, v] = split_once(line, ' ');
    if (k == "oom_kill" && parse_uint(trim(v.value_or(""))).value_or(0) > 0) return true;
  }
  return false;
}

bool exists(const Host& h, const std::string& path) {
  if (h.version == Version::V1) {
    std::string d = v1_dir(h, "memory", path);
    if (d.empty()) d = v1_dir(h, "pids", path);
    return !d.empty() && path_exists(d);
  }
  return h.version == Version::V2 && path_exists(h.unified + "/" + path);
}

Status freeze(const Host& h, const std::string& path, bool on) {
  std::string file, want, dir;
  if (h.version == Version::V1) {
    dir = v1_dir(h, "freezer", path);
    if (dir.empty()) return fail(kUnsupported, "the freezer cgroup controller is not mounted");
    TRY(write_at(dir, "freezer.state", on ? "FROZEN" : "THAWED"));
    file = dir + "/freezer.state";
    want = on ? "FROZEN" : "THAWED";
  } else if (h.version == Version::V2) {
    dir = h.unified + "/" + path;
    TRY(write_at(dir, "cgroup.freeze", on ? "1" : "0"));
    file = dir + "/cgroup.events";
    want = on ? "frozen 1" : "frozen 0";
  } else {
    return fail(kUnsupported, "no cgroup hierarchy is mounted");
  }
  for (int i = 0; i < 2000; ++i) {
    std::string s = read_file(file).value_or("");
    if (s.find(want) != std::string::npos) return ok();
    if (h.version == Version::V1 && on && i % 50 == 49) (void)write_at(dir, "freezer.state", "FROZEN");
    struct timespec ts{0, 1'000'000};
    nanosleep(&ts, nullptr);
  }
  return fail(ETIMEDOUT, fmt::format("the cgroup did not become {}", on ? "frozen" : "thawed"));
}

bool frozen(const Host& h, const std::string& path) {
  if (h.version == Version::V1) {
    std::string d = v1_dir(h, "freezer", path);
    if (d.empty()) return false;
    std::string s = read_trim(d + "/freezer.state");
    return s == "FROZEN" || s == "FREEZING";
  }
  if (h.version == Version::V2) return read_trim(h.unified + "/" + path + "/cgroup.freeze") == "1";
  return false;
}

static uint64_t stat_field(const std::string& text, std::string_view key) {
  for (auto& line : split(text, '\n')) {
    auto [k, v] = split_once(line, ' ');
    if (k == key) return parse_uint(trim(v.value_or(""))).value_or(0);
  }
  return 0;
}

Result<Sample> sample(const Host& h, const std::string& path) {
  Sample s;
  if (h.version == Version::V1) {
    std::string mem = v1_dir(h, "memory", path);
    if (mem.empty() || !path_exists(mem)) return fail(ENOENT, "the container has no cgroup");
    s.cpu_ns = parse_uint(read_trim(v1_dir(h, "cpuacct", path) + "/cpuacct.usage")).value_or(0);
    uint64_t usage = parse_uint(read_trim(mem + "/memory.usage_in_bytes")).value_or(0);
    uint64_t inactive = stat_field(read_file(mem + "/memory.stat").value_or(""), "total_inactive_file");
    s.mem_usage = usage > inactive ? usage - inactive : usage;
    uint64_t lim = parse_uint(read_trim(mem + "/memory.limit_in_bytes")).value_or(0);
    s.mem_limit = lim >= (uint64_t(1) << 62) ? 0 : lim;
    s.pids = parse_uint(read_trim(v1_dir(h, "pids", path) + "/pids.current")).value_or(0);
    auto io = read_file(v1_dir(h, "blkio", path) + "/blkio.throttle.io_service_bytes_recursive").value_or("");
    for (auto& line : split(io, '\n')) {
      auto f = split(line, ' ');
      if (f.size() != 3) continue;
      if (f[1] == "Read") s.blk_read += parse_uint(f[2]).value_or(0);
      if (f[1] == "Write") s.blk_write += parse_uint(f[2]).value_or(0);
    }
    return s;
  }
  if (h.version != Version::V2) return fail(ENOENT, "the container has no cgroup");
  std::string d = h.unified + "/" + path;
  if (!path_exists(d)) return fail(ENOENT, "the container has no cgroup");
  s.cpu_ns = stat_field(read_file(d + "/cpu.stat").value_or(""), "usage_usec") * 1000;
  uint64_t usage = parse_uint(read_trim(d + "/memory.current")).value_or(0);
  uint64_t inactive = stat_field(read_file(d + "/memory.stat").value_or(""), "inactive_file");
  s.mem_usage = usage > inactive ? usage - inactive : usage;
  s.mem_limit = parse_uint(read_trim(d + "/memory.max")).value_or(0);
  s.pids = parse_uint(read_trim(d + "/pids.current")).value_or(0);
  for (auto& line : split(read_file(d + "/io.stat").value_or(""), '\n'))
    for (auto& kv : split(line, ' ')) {
      auto [k, v] = split_once(kv, '=');
      if (k == "rbytes") s.blk_read += parse_uint(v.value_or("")).value_or(0);
      if (k == "wbytes") s.blk_write += parse_uint(v.value_or("")).value_or(0);
    }
  return s;
}

std::vector<pid_t> procs(const Host& h, const std::string& path) {
  std::string d = h.version == Version::V1 ? v1_dir(h, "pids", path) : h.unified + "/" + path;
  if (h.version == Version::V1 && d.empty()) d = v1_dir(h, "memory", path);
  std::vector<pid_t> out;
  for (auto& line : split(read_file(d + "/cgroup.procs").value_or(""), '\n'))
    if (auto p = parse_int(line)) out.push_back(pid_t(*p));
  return out;
}

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_to_io_weight(uint64_t w) {
  if (w == 0) return 0;
  w = std::clamp<uint64_t>(w, 10, 1000);
  return 1 + ((w - 10) * 9999) / 990;
}

Result<std::string> device_number(const std::string& path, char* type) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0) return fail_errno(fmt::format("stat `{}`", path));
  if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) return fail(kInvalid, fmt::format("`{}` is not a device", path));
  if (type) *type = S_ISBLK(st.st_mode) ? 'b' : 'c';
  return fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
}

}  // namespace skiff::runtime::cgroup
