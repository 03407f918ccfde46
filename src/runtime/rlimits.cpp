#include "skiff/runtime/rlimits.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <limits>

#include <fmt/format.h>

#include "skiff/runtime/defaults.hpp"

namespace skiff::runtime {
namespace {

// docker/go-units ulimit.go ulimitNameMapping, in its order.
constexpr RlimitName kNames[] = {
    {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},         {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},           {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

// Go's strconv.ParseInt(s, 10, 64), plus the spellings of "unlimited", with its messages.
Result<int64_t> parse_value(std::string_view s) {
  if (s == "infinity" || s == "unlimited") return int64_t{-1};
  auto syntax = [&] {
    return fail(kInvalid, fmt::format("strconv.ParseInt: parsing \"{}\": invalid syntax", s));
  };
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i == s.size()) return syntax();
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return syntax();
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
    else v = v * 10 + d;
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (overflow || v > kMax + (neg ? 1 : 0))
    return fail(kInvalid, fmt::format("strconv.ParseInt: parsing \"{}\": value out of range", s));
  if (neg) return v == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

std::string format_value(uint64_t v) {
  return v == RLIM_INFINITY ? "-1" : fmt::format("{}", static_cast<int64_t>(v));
}

// Static messages for the child, one per resource (setrlimit failures name the resource).
const char* setrlimit_what(int resource) noexcept {
  switch (resource) {
    case RLIMIT_CORE: return "setrlimit(RLIMIT_CORE)";
    case RLIMIT_CPU: return "setrlimit(RLIMIT_CPU)";
    case RLIMIT_DATA: return "setrlimit(RLIMIT_DATA)";
    case RLIMIT_FSIZE: return "setrlimit(RLIMIT_FSIZE)";
    case RLIMIT_LOCKS: return "setrlimit(RLIMIT_LOCKS)";
    case RLIMIT_MEMLOCK: return "setrlimit(RLIMIT_MEMLOCK)";
    case RLIMIT_MSGQUEUE: return "setrlimit(RLIMIT_MSGQUEUE)";
    case RLIMIT_NICE: return "setrlimit(RLIMIT_NICE)";
    case RLIMIT_NOFILE: return "setrlimit(RLIMIT_NOFILE)";
    case RLIMIT_NPROC: return "setrlimit(RLIMIT_NPROC)";
    case RLIMIT_RSS: return "setrlimit(RLIMIT_RSS)";
    case RLIMIT_RTPRIO: return "setrlimit(RLIMIT_RTPRIO)";
    case RLIMIT_RTTIME: return "setrlimit(RLIMIT_RTTIME)";
    case RLIMIT_SIGPENDING: return "setrlimit(RLIMIT_SIGPENDING)";
    case RLIMIT_STACK: return "setrlimit(RLIMIT_STACK)";
    case RLIMIT_AS: return "setrlimit(RLIMIT_AS)";
    default: return "setrlimit";
  }
}

}  // namespace

std::span<const RlimitName> rlimit_names() { return kNames; }

std::string_view rlimit_name(int resource) {
  for (const RlimitName& n : kNames)
    if (n.resource == resource) return n.name;
  return {};
}

Result<Rlimit> parse_ulimit(std::string_view val) {
  size_t eq = val.find('=');
  if (eq == std::string_view::npos)
    return fail(kInvalid, fmt::format("invalid ulimit argument: {}", val));
  std::string_view name = val.substr(0, eq), limits = val.substr(eq + 1);
  Rlimit r;
  r.resource = -1;
  for (const RlimitName& n : kNames)
    if (n.name == name) r.resource = n.resource;
  if (r.resource < 0) return fail(kInvalid, fmt::format("invalid ulimit type: {}", name));

  int64_t soft = 0, hard = 0;
  size_t colon = limits.find(':');
  if (colon == std::string_view::npos) {
    soft = hard = TRY(parse_value(limits));
  } else {
    if (limits.find(':', colon + 1) != std::string_view::npos)
      return fail(kInvalid, fmt::format("too many limit value arguments - {}, can only have up "
                                        "to two, `soft[:hard]`",
                                        limits));
    hard = TRY(parse_value(limits.substr(colon + 1)));  // go-units parses hard first
    soft = TRY(parse_value(limits.substr(0, colon)));
  }
  if (hard != -1) {
    if (soft == -1)
      return fail(kInvalid, fmt::format("ulimit soft limit must be less than or equal to hard "
                                        "limit: soft: -1 (unlimited), hard: {}",
                                        hard));
    if (soft > hard)
      return fail(kInvalid, fmt::format("ulimit soft limit must be less than or equal to hard "
                                        "limit: {} > {}",
                                        soft, hard));
  }
  r.soft = static_cast<uint64_t>(soft);  // -1 becomes RLIM_INFINITY, as Go's uint64(-1)
  r.hard = static_cast<uint64_t>(hard);
  return r;
}

std::string format_ulimit(const Rlimit& r) {
  return fmt::format("{}={}:{}", rlimit_name(r.resource), format_value(r.soft),
                     format_value(r.hard));
}

std::vector<Rlimit> default_rlimits(bool can_raise) {
  std::vector<Rlimit> out;
  for (const DefaultRlimit& d : default_rlimits_table()) {
    Rlimit r{d.resource, d.soft, d.hard};
    rlimit cur{};
    if (!can_raise && getrlimit(d.resource, &cur) == 0) {
      // RLIM_INFINITY is the largest value, so min() keeps the default under "unlimited".
      if (cur.rlim_cur < r.soft) r.soft = cur.rlim_cur;
      if (cur.rlim_max < r.hard) r.hard = cur.rlim_max;
      if (r.soft > r.hard) r.soft = r.hard;
    }
    out.push_back(r);
  }
  return out;
}

std::vector<Rlimit> merge_rlimits(std::span<const Rlimit> defaults, std::span<const Rlimit> user) {
  std::vector<Rlimit> out(defaults.begin(), defaults.end());
  for (const Rlimit& u : user) {
    bool replaced = false;
    for (Rlimit& o : out)
      if (o.resource == u.resource) {
        o = u;
        replaced = true;
      }
    if (!replaced) out.push_back(u);
  }
  return out;
}

ChildStatus apply_rlimits(std::span<const Rlimit> limits) noexcept {
  for (const Rlimit& l : limits) {
    rlimit r{static_cast<rlim_t>(l.soft), static_cast<rlim_t>(l.hard)};
    if (setrlimit(static_cast<__rlimit_resource>(l.resource), &r) < 0)
      return child_fail(errno, setrlimit_what(l.resource), l.resource);
  }
  return kChildOk;
}

}  // namespace skiff::runtime
