#include "mounts.hpp"

#include <algorithm>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/engine/volumes.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

Result<std::string> absolute_existing(const std::string& src) {
  char buf[PATH_MAX];
  if (!realpath(src.c_str(), buf))
    return fail(kInvalid, fmt::format("bind source path does not exist: {}", src));
  return std::string(buf);
}

Status check_destination(const std::string& dst) {
  if (dst.empty() || dst[0] != '/') return fail(kInvalid, fmt::format("invalid mount destination \"{}\": must be an absolute path", dst));
  if (clean_path(dst) == "/") return fail(kInvalid, "invalid mount destination \"/\": cannot mount over the root");
  return ok();
}

// tmpfs's size= as the kernel reads it (memparse: a number with an optional K, M, G, T, P or E,
// or a percentage of the RAM): checked here because the kernel wraps an overflow silently.
Status check_tmpfs_size(const std::string& v) {
  auto bad = [&](std::string_view why) {
    return fail(kInvalid, fmt::format("invalid tmpfs size \"{}\": {}", v, why));
  };
  std::string_view n = v;
  bool percent = !n.empty() && n.back() == '%';
  if (percent) n.remove_suffix(1);
  size_t digits = 0;
  while (digits < n.size() && n[digits] >= '0' && n[digits] <= '9') ++digits;
  if (digits == 0) return bad("want a number of bytes with an optional k, m, g, t, p or e suffix, or a percentage");
  auto num = parse_uint(n.substr(0, digits));
  std::string_view unit = n.substr(digits);
  int shift = 0;
  if (unit.size() == 1) {
    auto at = std::string_view("kmgtpe").find(char(tolower((unsigned char)unit[0])));
    if (at == std::string_view::npos) return bad(fmt::format("unknown unit \"{}\" (k, m, g, t, p, e)", unit));
    shift = 10 * int(at + 1);
  } else if (!unit.empty()) {
    return bad(fmt::format("unknown unit \"{}\" (k, m, g, t, p, e)", unit));
  }
  constexpr uint64_t kMax = uint64_t(INT64_MAX);
  if (!num || *num > (kMax >> shift)) return bad("larger than 8 EiB");
  if (percent && *num > 100000) return bad("a percentage of the RAM that large overflows");
  return ok();
}

bool is_propagation(const std::string& o) {
  return o == "shared" || o == "rshared" || o == "slave" || o == "rslave" || o == "private" || o == "rprivate";
}

Result<MountSpec> parse_volume(const std::string& v) {
  auto parts = split(v, ':');
  MountSpec m;
  if (parts.size() == 1) {
    m.type = "volume";
    m.anonymous = true;
    m.name = random_hex(32);
    m.destination = parts[0];
  } else if (parts.size() == 2 || parts.size() == 3) {
    const std::string& src = parts[0];
    m.destination = parts[1];
    if (src.empty()) return fail(kInvalid, fmt::format("invalid volume specification: '{}'", v));
    if (src[0] == '/' || src[0] == '.') {
      m.type = "bind";
      if (auto abs = absolute_existing(src)) {
        m.source = *abs;
      } else {
        // Docker's -v creates a missing host directory (--mount does not).
        m.create_source = true;
        if (src[0] == '/') {
          m.source = clean_path(src);
        } else {
          char cwd[PATH_MAX];
          if (!getcwd(cwd, sizeof cwd)) return fail_errno("getcwd");
          m.source = clean_path(std::string(cwd) + "/" + src);
        }
      }
    } else {
      TRY(validate_volume_name(src));
      m.type = "volume";
      m.name = src;
    }
    if (parts.size() == 3) {
      for (auto& o : split(parts[2], ',')) {
        if (o == "ro") m.rw = false;
        else if (o == "rw") m.rw = true;
        else if (is_propagation(o)) m.options.push_back(o);
        else if (o == "nocopy") m.nocopy = true;
        else if (o == "z" || o == "Z" || o == "U" || o == "O" || o == "copy" || o.empty()) continue;
        else if (o == "cached" || o == "delegated" || o == "consistent") continue;  // Docker Desktop's, ignored on Linux
        else return fail(kInvalid, fmt::format("invalid mode: {}", o));
      }
    }
  } else {
    return fail(kInvalid, fmt::format("invalid volume specification: '{}'", v));
  }
  TRY(check_destination(m.destination));
  m.destination = clean_path(m.destination);
  return m;
}

Result<MountSpec> parse_mount(const std::string& v) {
  MountSpec m;
  bool has_type = false;
  std::vector<std::string> option_of;  // the mount types of the bind-*, volume-* and tmpfs-* options
  for (auto& field : split(v, ',')) {
    auto [k, val] = split_once(field, '=');
    std::string key = to_lower(trim(k));
    std::string value = val.value_or("");
    for (auto family : {"bind", "volume", "tmpfs"})  // an option of a type: refused on the others, below
      if (key.rfind(std::string(family) + "-", 0) == 0) option_of.push_back(family);
    if (key == "type") {
      if (value != "bind" && value != "volume" && value != "tmpfs")
        return fail(kInvalid, fmt::format("invalid mount type \"{}\" (bind, volume, tmpfs)", value));
      m.type = value;
      has_type = true;
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "destination" || key == "dst" || key == "target") {
      m.destination = value;
    } else if (key == "readonly" || key == "ro") {
      auto b = val ? parse_bool(value) : std::optional<bool>(true);
      if (!b) return fail(kInvalid, fmt::format("invalid value for readonly: {}", value));
      m.rw = !*b;
    } else if (key == "bind-propagation") {
      if (!is_propagation(value)) return fail(kInvalid, fmt::format("invalid propagation mode: {}", value));
      m.options.push_back(value);
    } else if (key == "volume-nocopy") {
      m.nocopy = !val || parse_bool(value).value_or(true);
    } else if (key == "tmpfs-size") {
      auto sz = parse_ram_size(value);
      if (!sz || *sz < 0) return fail(kInvalid, fmt::format("invalid tmpfs-size: {} (a size up to 8 EiB: 64m, 1g)", value));
      m.options.push_back(fmt::format("size={}", *sz));
    } else if (key == "tmpfs-mode") {
      // Octal, as the kernel reads mode= (Docker: ParseUint(value, 8, 32)).
      if (value.empty() || value.size() > 11 || value.find_first_not_of("01234567") != std::string::npos)
        return fail(kInvalid, fmt::format("invalid tmpfs-mode: {} (an octal mode: 1777, 700)", value));
      m.options.push_back(fmt::format("mode={}", value));
    } else if (key == "bind-nonrecursive" || key == "consistency" || key == "volume-driver" ||
               key.rfind("volume-opt", 0) == 0 || key.rfind("volume-label", 0) == 0) {
      continue;
    } else {
      return fail(kInvalid, fmt::format("unexpected key '{}' in '{}'", key, field));
    }
  }
  if (!has_type) return fail(kInvalid, "type is required");
  if (m.destination.empty()) return fail(kInvalid, "target is required");
  for (auto& family : option_of)  // Docker's rule (a type of Podman's may take others' options)
    if (family != m.type && (m.type == "bind" || m.type == "volume" || m.type == "tmpfs"))
      return fail(kInvalid, fmt::format("cannot mix '{}-*' options with mount type '{}'", family, m.type));
  TRY(check_destination(m.destination));
  m.destination = clean_path(m.destination);
  if (m.type == "bind") {
    if (m.source.empty()) return fail(kInvalid, "source is required when specifying bind mount");
    m.source = TRY(absolute_existing(m.source));
  } else if (m.type == "volume") {
    if (m.source.empty()) {
      m.anonymous = true;
      m.name = random_hex(32);
    } else {
      if (!validate_volume_name(m.source)) return fail(kInvalid, fmt::format("invalid volume name \"{}\"", m.source));
      m.name = m.source;
      m.source.clear();
    }
  } else if (!m.source.empty()) {
    return fail(kInvalid, "source is not allowed for tmpfs mounts");
  }
  return m;
}

}  // namespace

Result<std::vector<MountSpec>> parse_mount_flags(const std::vector<std::string>& volumes,
                                                 const std::vector<std::string>& mounts,
                                                 const std::vector<std::string>& tmpfs) {
  std::vector<MountSpec> out;
  for (auto& v : volumes) out.push_back(TRY(parse_volume(v)));
  for (auto& v : mounts) out.push_back(TRY(parse_mount(v)));
  for (auto& t : tmpfs) {
    auto [dst, opts] = split_once(t, ':');
    MountSpec m;
    m.type = "tmpfs";
    m.destination = dst;
    TRY(check_destination(dst));
    m.destination = clean_path(dst);
    if (opts)
      for (auto& o : split(*opts, ','))
        if (!o.empty()) {
          if (o.rfind("size=", 0) == 0) TRY_CTX(check_tmpfs_size(o.substr(5)), "--tmpfs {}", t);
          if (o == "ro") m.rw = false;
          else if (o != "rw") m.options.push_back(o);
        }
    out.push_back(std::move(m));
  }
  // /proc is the container's procfs: nothing else is mounted over it or inside it (runc's
  // rule, said at create instead of at start), except bind mounts of the files lxcfs emulates.
  for (auto& m : out) {
    static constexpr std::string_view kLxcfs[] = {"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
                                                  "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg",
                                                  "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};
    if (m.destination == "/proc")
      return fail(kInvalid, "\"/proc\" cannot be mounted because it is not of type proc");
    if (m.destination.rfind("/proc/", 0) == 0 &&
        !(m.type == "bind" && std::find(std::begin(kLxcfs), std::end(kLxcfs), m.destination) != std::end(kLxcfs)))
      return fail(kInvalid, fmt::format("\"{}\" cannot be mounted because it is inside /proc", m.destination));
  }
  // Two mounts on the same destination is an error (Docker: "Duplicate mount point").
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = i + 1; j < out.size(); ++j)
      if (out[i].destination == out[j].destination)
        return fail(kInvalid, fmt::format("duplicate mount point: {}", out[i].destination));
  return out;
}

Status create_bind_sources(std::vector<MountSpec>& mounts) {
  for (auto& m : mounts) {
    if (m.type != "bind" || !m.create_source || path_exists(m.source)) continue;
    TRY_CTX(mkdir_p(m.source, 0755), "create the bind source directory");
    m.source = TRY(absolute_existing(m.source));
  }
  return ok();
}

Json mounts_to_json(const std::vector<MountSpec>& ms) {
  Json a = Json::array();
  for (auto& m : ms) {
    Json j = Json::object();
    j["Type"] = m.type;
    if (m.type == "volume") j["Name"] = m.name;
    j["Source"] = m.source;
    j["Destination"] = m.destination;
    if (m.type == "volume") j["Driver"] = "local";
    j["Mode"] = join(m.options, ",");
    j["RW"] = m.rw;
    std::string prop;
    for (auto& o : m.options)
      if (is_propagation(o)) prop = o;
    j["Propagation"] = m.type == "bind" ? (prop.empty() ? "rprivate" : prop) : prop;
    j["Options"] = m.options;
    if (m.anonymous) j["Anonymous"] = true;
    if (m.nocopy) j["NoCopy"] = true;
    if (m.create_source) j["CreateSource"] = true;
    a.push_back(j);
  }
  return a;
}

std::vector<MountSpec> mounts_from_json(const Json& a) {
  std::vector<MountSpec> out;
  if (!a.is_array()) return out;
  for (auto& j : a) {
    MountSpec m;
    m.type = json_str(j, "Type");
    m.name = json_str(j, "Name");
    m.source = json_str(j, "Source");
    m.destination = json_str(j, "Destination");
    m.rw = json_bool(j, "RW", true);
    m.anonymous = json_bool(j, "Anonymous");
    m.nocopy = json_bool(j, "NoCopy");
    m.create_source = json_bool(j, "CreateSource");
    const Json& o = json_get(j, "Options");
    if (o.is_array())
      for (auto& x : o)
        if (x.is_string()) m.options.push_back(x.get<std::string>());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace skiff::engine
