// Resource flags → HostConfig → cgroup limits (resources.hpp).
#include "skiff/engine/resources.hpp"
#include "skiff/engine/cgroup_modes.hpp"

#include <regex.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "skiff/engine/engine.hpp"
#include "skiff/runtime/cgroup.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace cg = runtime::cgroup;

namespace {

constexpr int64_t kMinMemory = 6 * 1024 * 1024;  // Docker's linuxMinMemory
constexpr int64_t kDefaultShm = 64 * 1024 * 1024;

constexpr std::string_view kFlags[] = {
    "blkio-weight", "blkio-weight-device", "cgroup-parent", "cgroupns", "cgroups", "cpu-period", "cpu-quota",
    "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "device",
    "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps", "device-write-iops",
    "kernel-memory", "memory", "memory-reservation", "memory-swap", "memory-swappiness", "oom-kill-disable",
    "oom-score-adj", "pids-limit", "shm-size"};

// The HostConfig fields only a cgroup can apply.
constexpr const char* kCgroupFields[] = {
    "Memory", "MemoryReservation", "MemorySwappiness", "NanoCpus", "CpuShares", "CpuPeriod", "CpuQuota",
    "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight",
    "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps", "OomKillDisable", "DeviceCgroupRules"};

Error bad_flag(std::string_view flag, const std::string& v, const std::string& why) {
  return Error{kUsage, fmt::format("invalid argument \"{}\" for \"{}\" flag: {}", v, flag, why)};
}

Result<int64_t> bytes(std::string_view flag, const std::string& v) {
  auto b = parse_ram_size(v);
  if (!b || trim(v).empty() || v[0] == '-') return bad_flag(flag, v, fmt::format("invalid size: '{}'", v));
  return *b;
}

Result<int64_t> integer(std::string_view flag, const std::string& v) {
  auto n = parse_int(v);
  if (!n) return bad_flag(flag, v, fmt::format("strconv.ParseInt: parsing \"{}\": invalid syntax", v));
  return *n;
}

// Go's big.Rat SetString for --cpus ("1.5", "3/2", "1e-1"), as nanoseconds of CPU per second.
Result<int64_t> nano_cpus(const std::string& v) {
  auto bad = [&]() { return bad_flag("--cpus", v, fmt::format("failed to parse {} as a rational number", v)); };
  std::string s(trim(v));
  if (s.empty()) return bad();
  long double val;
  if (auto slash = s.find('/'); slash != std::string::npos) {
    auto a = parse_int(s.substr(0, slash)), b = parse_int(s.substr(slash + 1));
    if (!a || !b || *b == 0) return bad();
    val = (long double)*a / (long double)*b;
  } else {
    static const regex_t* re = [] {
      auto* r = new regex_t;
      regcomp(r, "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$", REG_EXTENDED | REG_NOSUB);
      return r;
    }();
    if (regexec(re, s.c_str(), 0, nullptr, 0) != 0) return bad();
    val = std::strtold(s.c_str(), nullptr);
  }
  long double nano = val * 1e9L;
  if (nano != std::floor(nano)) return bad_flag("--cpus", v, "value is too precise");
  if (!(std::fabs(nano) < 9.2e18L)) return bad();
  return int64_t(nano);
}

// "0-3,5" → the set; nullopt when malformed.
std::optional<std::set<int>> parse_list(const std::string& s) {
  std::set<int> out;
  if (trim(s).empty()) return std::nullopt;
  for (auto& part : split(s, ',')) {
    auto [a, b] = split_once(part, '-');
    auto lo = parse_uint(trim(a));
    auto hi = b ? parse_uint(trim(*b)) : lo;
    if (!lo || !hi || *hi < *lo || *hi > 8192) return std::nullopt;
    for (uint64_t i = *lo; i <= *hi; ++i) out.insert(int(i));
  }
  return out;
}

std::string online(const char* file, const char* fallback) {
  auto t = read_file(file);
  std::string s = t ? std::string(trim(*t)) : std::string();
  return s.empty() ? fallback : s;
}

Status check_cpuset(const std::string& v, bool mems) {
  auto want = parse_list(v);
  if (!want) return fail(kInvalid, fmt::format("Invalid value {} for cpuset {}", v, mems ? "mems" : "cpus"));
  std::string avail_s = mems ? online("/sys/devices/system/node/online", "0")
                             : online("/sys/devices/system/cpu/online", "0");
  auto avail = parse_list(avail_s).value_or(std::set<int>{0});
  for (int c : *want)
    if (!avail.count(c))
      return fail(kInvalid, fmt::format("Requested {} are not available - requested {}, available: {}",
                                        mems ? "memory nodes" : "CPUs", v, avail_s));
  return ok();
}

// DEVICE:WEIGHT (Docker's ValidateWeightDevice).
Result<Json> weight_device(const std::string& v) {
  auto [path, w] = split_once(v, ':');
  if (!w) return fail(kInvalid, fmt::format("bad format: {}", v));
  if (!path.starts_with("/dev/")) return fail(kInvalid, fmt::format("bad format for device path: {}", v));
  auto n = parse_uint(*w);
  if (!n || (*n != 0 && (*n < 10 || *n > 1000))) return fail(kInvalid, fmt::format("invalid weight for device: {}", v));
  TRY_CTX(cg::device_number(path), "blkio weight device");
  Json j = Json::object();
  j["Path"] = path;
  j["Weight"] = *n;
  return j;
}

// DEVICE:RATE (Docker's ValidateThrottleBpsDevice / IOpsDevice).
Result<Json> throttle_device(const std::string& v, bool bps) {
  auto [path, r] = split_once(v, ':');
  if (!r) return fail(kInvalid, fmt::format("bad format: {}", v));
  if (!path.starts_with("/dev/")) return fail(kInvalid, fmt::format("bad format for device path: {}", v));
  std::optional<int64_t> rate;
  if (bps) rate = parse_ram_size(*r);
  else if (auto u = parse_uint(*r)) rate = int64_t(*u);
  if (!rate || (*r)[0] == '-') {
    if (bps)
      return fail(kInvalid, fmt::format("invalid rate for device: {}. The correct format is <device-path>:<number>[<unit>]. "
                                        "Number must be a positive integer. Unit is optional and can be kb, mb, or gb", v));
    return fail(kInvalid, fmt::format("invalid rate for device: {}. The correct format is <device-path>:<number>. "
                                      "Number must be a positive integer", v));
  }
  TRY_CTX(cg::device_number(path), "throttle device");
  Json j = Json::object();
  j["Path"] = path;
  j["Rate"] = *rate;
  return j;
}

bool valid_mode(std::string_view m) {
  if (m.empty() || m.size() > 3) return false;
  for (char c : m)
    if (c != 'r' && c != 'w' && c != 'm') return false;
  return true;
}

// HOST[:CONTAINER][:PERMISSIONS] → Docker's DeviceMapping(s); a directory gives its nodes.
Status add_device(Json& list, const std::string& v) {
  auto parts = split(v, ':');
  std::string src = parts[0], dst, perms = "rwm";
  if (parts.size() == 3) {
    dst = parts[1];
    perms = parts[2];
    if (!valid_mode(perms)) return fail(kInvalid, fmt::format("invalid device mode: {}", perms));
  } else if (parts.size() == 2) {
    if (valid_mode(parts[1])) perms = parts[1];
    else dst = parts[1];
  } else if (parts.size() != 1) {
    return fail(kInvalid, fmt::format("bad format for path: {}", v));
  }
  if (dst.empty()) dst = src;
  if (src.empty() || src[0] != '/' || dst[0] != '/') return fail(kInvalid, fmt::format("bad format for path: {}", v));
  struct stat st;
  if (stat(src.c_str(), &st) < 0)
    return fail(kInvalid, fmt::format("error gathering device information while adding custom device \"{}\": {}", src,
                                      to_lower(strerror(errno))));
  auto one = [&](const std::string& s, const std::string& d) {
    Json m = Json::object();
    m["PathOnHost"] = s;
    m["PathInContainer"] = d;
    m["CgroupPermissions"] = perms;
    list.push_back(m);
  };
  if (S_ISDIR(st.st_mode)) {
    auto names = TRY(list_dir(src));
    std::sort(names.begin(), names.end());
    size_t before = list.size();
    for (auto& n : names) {
      struct stat ns;
      std::string p = src + "/" + n;
      if (stat(p.c_str(), &ns) == 0 && (S_ISCHR(ns.st_mode) || S_ISBLK(ns.st_mode))) one(p, dst + "/" + n);
    }
    if (list.size() == before)
      return fail(kInvalid, fmt::format("error gathering device information while adding custom device \"{}\": no devices found", src));
    return ok();
  }
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    return fail(kInvalid, fmt::format("error gathering device information while adding custom device \"{}\": not a device node", src));
  one(src, dst);
  return ok();
}

bool valid_cgroup_rule(const std::string& r) {
  static const regex_t* re = [] {
    auto* x = new regex_t;
    regcomp(x, "^([acb]) ([0-9]+|\\*):([0-9]+|\\*) ([rwm]{1,3})$", REG_EXTENDED | REG_NOSUB);
    return x;
  }();
  return regexec(re, r.c_str(), 0, nullptr, 0) == 0;
}

int64_t num(const Json& h, const char* k) {
  auto it = h.find(k);
  return it != h.end() && it->is_number() ? it->get<int64_t>() : 0;
}

bool is_set(const Json& h, const char* k) {
  auto it = h.find(k);
  if (it == h.end() || it->is_null()) return false;
  if (it->is_number()) return it->get<int64_t>() != 0;
  if (it->is_string()) return !it->get<std::string>().empty();
  if (it->is_array()) return !it->empty();
  if (it->is_boolean()) return it->get<bool>();
  return false;
}

}  // namespace

bool is_resource_flag(std::string_view name) {
  return std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags);
}

int host_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
}

void resource_defaults(Json& h) {
  h["CgroupnsMode"] = "private";
  h["Cgroup"] = "";
  h["CgroupParent"] = "";
  h["OomScoreAdj"] = 0;
  h["ShmSize"] = kDefaultShm;
  h["CpuShares"] = 0;
  h["Memory"] = 0;
  h["NanoCpus"] = 0;
  h["BlkioWeight"] = 0;
  h["BlkioWeightDevice"] = Json::array();
  h["BlkioDeviceReadBps"] = Json::array();
  h["BlkioDeviceWriteBps"] = Json::array();
  h["BlkioDeviceReadIOps"] = Json::array();
  h["BlkioDeviceWriteIOps"] = Json::array();
  h["CpuPeriod"] = 0;
  h["CpuQuota"] = 0;
  h["CpuRealtimePeriod"] = 0;
  h["CpuRealtimeRuntime"] = 0;
  h["CpusetCpus"] = "";
  h["CpusetMems"] = "";
  h["Devices"] = Json::array();
  h["DeviceCgroupRules"] = nullptr;
  h["DeviceRequests"] = nullptr;
  h["MemoryReservation"] = 0;
  h["MemorySwap"] = 0;
  h["MemorySwappiness"] = nullptr;
  h["OomKillDisable"] = false;
  h["PidsLimit"] = nullptr;
}

Status apply_resource_flags(Json& h, const ResourceFlags& flags, bool update) {
  (void)update;
  std::set<std::string> given;
  Json devices = h.value("Devices", Json::array());
  if (!devices.is_array()) devices = Json::array();
  Json rules = h.contains("DeviceCgroupRules") && h["DeviceCgroupRules"].is_array() ? h["DeviceCgroupRules"] : Json::array();
  std::map<std::string, Json> lists;
  for (auto& [k, v] : flags) {
    given.insert(k);
    if (k == "memory") h["Memory"] = TRY(bytes("-m, --memory", v));
    else if (k == "memory-reservation") h["MemoryReservation"] = TRY(bytes("--memory-reservation", v));
    else if (k == "memory-swap") h["MemorySwap"] = v == "-1" ? int64_t(-1) : TRY(bytes("--memory-swap", v));
    else if (k == "memory-swappiness") {
      int64_t s = TRY(integer("--memory-swappiness", v));
      if (s != -1 && (s < 0 || s > 100))
        return fail(kInvalid, fmt::format("Invalid value: {}, valid memory swappiness range is 0-100", s));
      h["MemorySwappiness"] = s == -1 ? Json(nullptr) : Json(s);
    } else if (k == "kernel-memory") {
      (void)TRY(bytes("--kernel-memory", v));
      log::warn("Specifying a kernel memory limit is deprecated and will be removed in a future release: --kernel-memory is ignored");
    } else if (k == "oom-kill-disable") {
      auto b = parse_bool(v);
      h["OomKillDisable"] = b.value_or(true);
    } else if (k == "oom-score-adj") {
      int64_t s = TRY(integer("--oom-score-adj", v));
      if (s < -1000 || s > 1000) return fail(kInvalid, fmt::format("Invalid value {}, range for oom score adj is [-1000, 1000]", s));
      h["OomScoreAdj"] = s;
    } else if (k == "cpus") {
      h["NanoCpus"] = TRY(nano_cpus(v));
    } else if (k == "cpu-shares") {
      int64_t s = TRY(integer("-c, --cpu-shares", v));
      if (s < 0) return fail(kInvalid, fmt::format("invalid CPU shares {}: must be 0 (the default) or between 2 and 262144", s));
      h["CpuShares"] = s == 0 ? 0 : std::clamp<int64_t>(s, 2, 262144);
    } else if (k == "cpu-period") h["CpuPeriod"] = TRY(integer("--cpu-period", v));
    else if (k == "cpu-quota") h["CpuQuota"] = TRY(integer("--cpu-quota", v));
    else if (k == "cpu-rt-period") h["CpuRealtimePeriod"] = TRY(integer("--cpu-rt-period", v));
    else if (k == "cpu-rt-runtime") h["CpuRealtimeRuntime"] = TRY(integer("--cpu-rt-runtime", v));
    else if (k == "cpuset-cpus") {
      TRY(check_cpuset(v, false));
      h["CpusetCpus"] = v;
    } else if (k == "cpuset-mems") {
      TRY(check_cpuset(v, true));
      h["CpusetMems"] = v;
    } else if (k == "pids-limit") {
      int64_t p = TRY(integer("--pids-limit", v));
      h["PidsLimit"] = p == 0 ? Json(nullptr) : Json(p < 0 ? int64_t(-1) : p);
    } else if (k == "blkio-weight") {
      auto w = parse_uint(v);
      if (!w || *w > 65535) return bad_flag("--blkio-weight", v, fmt::format("strconv.ParseUint: parsing \"{}\": invalid syntax", v));
      if (*w != 0 && (*w < 10 || *w > 1000)) return fail(kInvalid, "Range of blkio weight is from 10 to 1000");
      h["BlkioWeight"] = *w;
    } else if (k == "blkio-weight-device") {
      lists["BlkioWeightDevice"].push_back(TRY(weight_device(v)));
    } else if (k == "device-read-bps") lists["BlkioDeviceReadBps"].push_back(TRY(throttle_device(v, true)));
    else if (k == "device-write-bps") lists["BlkioDeviceWriteBps"].push_back(TRY(throttle_device(v, true)));
    else if (k == "device-read-iops") lists["BlkioDeviceReadIOps"].push_back(TRY(throttle_device(v, false)));
    else if (k == "device-write-iops") lists["BlkioDeviceWriteIOps"].push_back(TRY(throttle_device(v, false)));
    else if (k == "device") TRY(add_device(devices, v));
    else if (k == "device-cgroup-rule") {
      if (!valid_cgroup_rule(v)) return fail(kInvalid, fmt::format("invalid device cgroup format '{}'", v));
      rules.push_back(v);
    } else if (k == "shm-size") {
      int64_t s = TRY(bytes("--shm-size", v));
      h["ShmSize"] = s == 0 ? kDefaultShm : s;
    } else if (k == "cgroup-parent") {
      TRY(cg::check_parent(v));
      h["CgroupParent"] = v;
    } else if (k == "cgroupns") {
      if (v != "host" && v != "private") return fail(kInvalid, "--cgroupns: invalid CGROUP mode");
      h["CgroupnsMode"] = v;
    } else if (k == "cgroups") {
      if (v != "enabled" && v != "disabled" && v != "no-conmon" && v != "split")
        return fail(kInvalid, fmt::format("invalid --cgroups mode \"{}\": use enabled, disabled, no-conmon or split", v));
    }
  }
  for (auto& [k, l] : lists) h[k] = l;
  h["Devices"] = devices;
  h["DeviceCgroupRules"] = rules.empty() ? Json(nullptr) : rules;

  // Checks across fields (Docker's verifyPlatformContainerResources), on the result.
  int64_t mem = num(h, "Memory"), swap = num(h, "MemorySwap"), res = num(h, "MemoryReservation");
  if (mem != 0 && mem < kMinMemory) return fail(kInvalid, "Minimum memory limit allowed is 6MB");
  if (res != 0 && res < kMinMemory) return fail(kInvalid, "Minimum memory reservation allowed is 6MB");
  if (mem > 0 && res > 0 && mem < res)
    return fail(kInvalid, "Minimum memory limit can not be less than memory reservation limit, see usage");
  if (swap > 0 && mem == 0) return fail(kInvalid, "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (swap > 0 && swap < mem) return fail(kInvalid, "Minimum memoryswap limit should be larger than memory limit, see usage");
  // Docker's default: as much swap as memory (MemorySwap = 2 × Memory); an update of the
  // memory alone moves the default along.
  if (given.count("memory") && !given.count("memory-swap") && swap != -1) h["MemorySwap"] = mem > 0 ? 2 * mem : 0;
  int64_t nano = num(h, "NanoCpus"), period = num(h, "CpuPeriod"), quota = num(h, "CpuQuota");
  int ncpu = host_cpus();
  if (nano < 0 || nano > int64_t(ncpu) * 1000000000LL)
    return fail(kInvalid, fmt::format("Range of CPUs is from 0.01 to {}.00, as there are only {} CPUs available", ncpu, ncpu));
  if (nano > 0 && nano < 10000000LL)
    return fail(kInvalid, fmt::format("Range of CPUs is from 0.01 to {}.00, as there are only {} CPUs available", ncpu, ncpu));
  if (nano > 0 && period > 0) return fail(kInvalid, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (nano > 0 && quota > 0) return fail(kInvalid, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  if (period != 0 && (period < 1000 || period > 1000000))
    return fail(kInvalid, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  if (quota > 0 && quota < 1000) return fail(kInvalid, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  int64_t rtp = num(h, "CpuRealtimePeriod"), rtr = num(h, "CpuRealtimeRuntime");
  if (rtp != 0 || rtr != 0) {
    const auto& host = cg::host();
    auto it = host.v1.find("cpu");
    if (host.version != cg::Version::V1 || it == host.v1.end() || !path_exists(it->second + "/cpu.rt_runtime_us"))
      return fail(kUnsupported, "Your kernel does not support CPU real-time scheduler (--cpu-rt-period, --cpu-rt-runtime)");
    if (geteuid() != 0) return fail(kUnsupported, "--cpu-rt-period and --cpu-rt-runtime need root: a rootless container has no cgroup of its own here");
    if (rtp > 0 && rtr > rtp) return fail(kInvalid, "cpu-rt-runtime can not be greater than cpu-rt-period");
  }
  return ok();
}

bool has_cgroup_limits(const Json& h) {
  for (const char* k : kCgroupFields)
    if (is_set(h, k)) {
      if (std::string_view(k) == "MemorySwappiness" && num(h, k) < 0) continue;
      return true;
    }
  return false;
}

Json cgroup_limits(const Json& h, bool rootless) {
  Json l = Json::object();
  for (const char* k : kCgroupFields) {
    if (std::string_view(k) == "DeviceCgroupRules") continue;
    if (is_set(h, k)) l[k] = h[k];
  }
  if (is_set(h, "Memory") && h.contains("MemorySwap")) l["MemorySwap"] = h["MemorySwap"];
  if (h.contains("PidsLimit") && h["PidsLimit"].is_number() && h["PidsLimit"].get<int64_t>() < 0) l.erase("PidsLimit");
  if (!rootless) {
    // The device cgroup: Docker's default allow-list, the --device nodes, --device-cgroup-rule.
    Json rules = Json::array();
    if (h.value("Privileged", false)) {
      rules.push_back("a");
    } else {
      for (const char* r : {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                            "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"})
        rules.push_back(r);
      if (h.contains("Devices") && h["Devices"].is_array())
        for (auto& d : h["Devices"]) {
          char type = 'c';
          auto num = cg::device_number(json_str(d, "PathOnHost"), &type);
          if (num) rules.push_back(fmt::format("{} {} {}", type, *num, json_str(d, "CgroupPermissions", "rwm")));
        }
      if (h.contains("DeviceCgroupRules") && h["DeviceCgroupRules"].is_array())
        for (auto& r : h["DeviceCgroupRules"]) rules.push_back(r);
    }
    l["DeviceRules"] = rules;
  }
  return l;
}

CgroupPlan cgroup_plan(const Engine& e, const ContainerRecord& r) {
  CgroupPlan p;
  std::string mode = r.extra.cgroups_mode();
  if (mode == "disabled") {
    p.reason = "--cgroups=disabled";
    return p;
  }
  const auto& h = cg::host();
  bool rootless = e.idmap().userns;
  if (h.version == cg::Version::None) {
    p.reason = "no cgroup hierarchy is mounted";
    return p;
  }
  std::string parent = json_str(r.host_config, "CgroupParent");
  // split: under the starting process's own cgroup (cgroup_modes.hpp).
  if (mode == "split" && !rootless) parent = caller_cgroup(read_file("/proc/self/cgroup").value_or(""), h.version == cg::Version::V2);
  if (rootless) {
    std::string base = cg::delegated_parent(h);
    if (base.empty()) {
      p.reason = h.version == cg::Version::V1 ? "Resource limits are not supported and ignored on cgroups V1 rootless systems"
                                               : "Resource limits are not supported and ignored: no delegated cgroup v2 subtree for this user";
      return p;
    }
    // split: the delegated cgroup is the caller's own (or its parent's).
    parent = mode == "split" ? base : base + "/" + (parent.empty() ? std::string("skiff") : parent);
  }
  p.enabled = true;
  p.path = cg::container_path(parent, r.id);
  return p;
}

void apply_resources(const Engine& e, const ContainerRecord& r, oci::Spec& s) {
  const Json& h = r.host_config;
  auto plan = cgroup_plan(e, r);
  if (plan.enabled) {
    s.cgroup_path = plan.path;
    s.cgroup_limits = cgroup_limits(h, e.idmap().userns);
  }
  s.cgroupns = json_str(h, "CgroupnsMode", "private") != "host";
  if (int64_t adj = num(h, "OomScoreAdj"); adj != 0) s.process.oom_score_adj = int(adj);
  if (int64_t shm = num(h, "ShmSize"); shm > 0 && shm != kDefaultShm)
    for (auto& m : s.mounts)
      if (m.destination == "/dev/shm")
        for (auto& o : m.options)
          if (o.starts_with("size=")) o = fmt::format("size={}", shm);
  if (h.contains("Devices") && h["Devices"].is_array())
    for (auto& d : h["Devices"]) {
      oci::Mount m{json_str(d, "PathInContainer"), "bind", json_str(d, "PathOnHost"), {"bind"}};
      m.file = true;
      s.mounts.push_back(m);
    }
}

void warn_limits_ignored(const Engine& e) {
  static bool warned = false;
  if (warned) return;
  const auto& h = cg::host();
  if (!e.idmap().userns || (h.version == cg::Version::V2 && !cg::delegated_parent(h).empty())) return;
  warned = true;
  if (h.version == cg::Version::V2)
    log::warn("Resource limits are not supported and ignored: no delegated cgroup v2 subtree for this user");
  else
    log::warn("Resource limits are not supported and ignored on cgroups V1 rootless systems");
}

Result<std::string> set_resources(const Engine& e, const ResourceFlags& flags, ContainerRecord& r,
                                  const std::string& conf_cgroups) {
  Json& h = r.host_config;
  resource_defaults(h);
  TRY(apply_resource_flags(h, flags, false));
  std::string mode = conf_cgroups.empty() ? "enabled" : conf_cgroups;
  for (auto& [k, v] : flags)
    if (k == "cgroups") mode = v;
  if (mode != "enabled" && mode != "disabled" && mode != "no-conmon" && mode != "split")
    return fail(kInvalid, fmt::format("invalid cgroups mode \"{}\" in containers.conf: use enabled, disabled, no-conmon or split", mode));
  TRY(check_cgroups_mode(mode, json_str(h, "CgroupParent")));
  if (has_cgroup_limits(h)) {
    if (mode == "disabled") return fail(kInvalid, "resource limits need a cgroup: they cannot be used with --cgroups=disabled");
    warn_limits_ignored(e);
  }
  return mode;
}

Status check_cgroup_manager(const std::string& m) {
  if (m.empty() || m == "cgroupfs") return ok();
  if (m == "systemd") {
    std::string comm(trim(read_file("/proc/1/comm").value_or("")));
    if (comm != "systemd")
      return fail(kUnsupported, "the systemd cgroup manager needs systemd as PID 1, which this system does not run: use --cgroup-manager=cgroupfs");
    return fail(kUnsupported, "the systemd cgroup manager is not available in this build: use --cgroup-manager=cgroupfs");
  }
  return fail(kInvalid, fmt::format("invalid cgroup manager \"{}\": use cgroupfs or systemd", m));
}

}  // namespace skiff::engine
