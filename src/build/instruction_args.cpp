// Decoding instruction arguments the executor needs structured: RUN --mount specs (BuildKit's
// instructions/runmount.go) and HEALTHCHECK (instructions/parse.go parseHealthcheck).

#include <fmt/format.h>

#include "skiff/build/dockerfile.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::build {
namespace {

// encoding/csv for one record: fields separated by ',', "…" quoting with "" for a quote.
Result<std::vector<std::string>> csv_fields(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  bool start = true;
  while (i <= s.size()) {
    if (i == s.size()) {
      out.push_back(std::move(cur));
      break;
    }
    char c = s[i];
    if (start && c == '"') {
      ++i;
      for (;;) {
        if (i >= s.size()) return fail(kInvalid, fmt::format("extraneous or missing \" in quoted-field: {}", s));
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            cur.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cur.push_back(s[i++]);
      }
      start = false;
      if (i < s.size() && s[i] != ',') return fail(kInvalid, fmt::format("extraneous or missing \" in quoted-field: {}", s));
      continue;
    }
    if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
      start = true;
      ++i;
      continue;
    }
    cur.push_back(c);
    start = false;
    ++i;
  }
  return out;
}

Result<uint64_t> parse_size(std::string_view v) {
  // go-units RAMInBytes: a number with an optional b/k/m/g/t/p suffix (binary multiples).
  std::string s = to_lower(trim(v));
  if (!s.empty() && s.back() == 'b') s.pop_back();
  if (!s.empty() && s.back() == 'i') s.pop_back();
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k': mult = 1ull << 10; break;
      case 'm': mult = 1ull << 20; break;
      case 'g': mult = 1ull << 30; break;
      case 't': mult = 1ull << 40; break;
      case 'p': mult = 1ull << 50; break;
      default: break;
    }
    if (mult != 1) s.pop_back();
  }
  auto n = parse_uint(s);
  if (!n || (mult > 1 && *n > UINT64_MAX / mult)) return fail(kInvalid, fmt::format("invalid size: {}", v));
  return *n * mult;
}

Result<bool> bool_value(std::string_view key, std::string_view v, bool has_value) {
  if (!has_value) return true;
  auto b = parse_bool(v);
  if (!b) return fail(kInvalid, fmt::format("invalid value for {}: {}", key, v));
  return *b;
}

}  // namespace

Result<RunMount> parse_run_mount(std::string_view spec, const Vars* vars, char escape) {
  RunMount m;
  auto fields = TRY_CTX(csv_fields(spec), "--mount={}", spec);
  bool ro_set = false, mode_ok = false;
  // The type decides defaults: read it first wherever it is.
  for (const auto& f : fields) {
    auto [k, v] = split_once(f, '=');
    if (to_lower(k) == "type" && v) m.type = to_lower(*v);
  }
  if (m.type != "bind" && m.type != "cache" && m.type != "tmpfs" && m.type != "secret" && m.type != "ssh")
    return fail(kInvalid, fmt::format("--mount={}: unsupported mount type \"{}\" (bind, cache, tmpfs, "
                                      "secret or ssh)", spec, m.type));
  for (const auto& f : fields) {
    if (trim(f).empty()) continue;
    auto [k0, v] = split_once(f, '=');
    std::string k = to_lower(k0);
    const bool hv = v.has_value();
    std::string val = v.value_or("");
    if (vars && hv && k != "type")
      val = TRY_CTX(expand_word(val, *vars, escape), "--mount={}: {}", spec, k);
    auto need = [&]() -> Status {
      if (!hv) return fail(kInvalid, fmt::format("--mount={}: {} needs a value ({}=…)", spec, k, k));
      return ok();
    };
    if (k == "type") {
      TRY(need());
    } else if (k == "target" || k == "dst" || k == "destination") {
      TRY(need());
      m.target = val;
    } else if (k == "source" || k == "src") {
      TRY(need());
      m.source = val;
    } else if (k == "from") {
      TRY(need());
      m.from = val;
    } else if (k == "id") {
      TRY(need());
      m.id = val;
    } else if (k == "readonly" || k == "ro") {
      m.readonly = TRY_CTX(bool_value(k, val, hv), "--mount={}", spec);
      ro_set = true;
    } else if (k == "readwrite" || k == "rw") {
      m.readonly = !TRY_CTX(bool_value(k, val, hv), "--mount={}", spec);
      ro_set = true;
    } else if (k == "required") {
      m.required = TRY_CTX(bool_value(k, val, hv), "--mount={}", spec);
    } else if (k == "sharing") {
      TRY(need());
      std::string s = to_lower(val);
      if (s != "shared" && s != "private" && s != "locked")
        return fail(kInvalid, fmt::format("--mount={}: unsupported sharing value \"{}\" (shared, private "
                                          "or locked)", spec, val));
      m.sharing = s;
    } else if (k == "mode") {
      TRY(need());
      char* end = nullptr;
      unsigned long n = std::strtoul(val.c_str(), &end, 8);
      if (val.empty() || *end || n > 07777)
        return fail(kInvalid, fmt::format("--mount={}: invalid mode \"{}\" (octal, e.g. 0755)", spec, val));
      m.mode = static_cast<uint32_t>(n);
      mode_ok = true;
    } else if (k == "uid" || k == "gid") {
      TRY(need());
      auto n = parse_uint(val);
      if (!n || *n > UINT32_MAX)
        return fail(kInvalid, fmt::format("--mount={}: invalid {} \"{}\"", spec, k, val));
      (k == "uid" ? m.uid : m.gid) = static_cast<uint32_t>(*n);
    } else if (k == "size" && m.type == "tmpfs") {
      TRY(need());
      m.size = TRY_CTX(parse_size(val), "--mount={}", spec);
    } else if (k == "env" && m.type == "secret") {
      TRY(need());
      m.env = val;
    } else {
      return fail(kInvalid, fmt::format("--mount={}: unexpected key '{}'", spec, k0));
    }
  }
  (void)mode_ok;
  if (!ro_set) m.readonly = m.type == "bind";
  if (m.type == "secret") {
    if (m.id.empty() && m.target.empty())
      return fail(kInvalid, fmt::format("--mount={}: a secret mount needs id= or target=", spec));
    if (m.id.empty()) {
      auto slash = m.target.find_last_of('/');
      m.id = slash == std::string::npos ? m.target : m.target.substr(slash + 1);
    }
    if (m.target.empty() && m.env.empty()) m.target = "/run/secrets/" + m.id;
  } else if (m.type == "ssh") {
    if (m.id.empty()) m.id = "default";
    if (m.target.empty()) m.target = "/run/buildkit/ssh_agent.0";
  } else if (m.target.empty()) {
    return fail(kInvalid, fmt::format("--mount={}: mount type {} needs target=PATH", spec, m.type));
  }
  if (m.type == "cache" && m.id.empty()) m.id = m.target;
  if (m.type != "cache" && m.sharing != "shared")
    return fail(kInvalid, fmt::format("--mount={}: sharing applies to cache mounts only", spec));
  return m;
}

Result<HealthcheckSpec> healthcheck_spec(const Instruction& ins) {
  HealthcheckSpec h;
  if (ins.cmd != "healthcheck" || ins.args.empty())
    return fail(kInvalid, fmt::format("line {}: not a HEALTHCHECK instruction", ins.line));
  if (ins.args[0] == "NONE") {
    h.test = {"NONE"};
    return h;
  }
  if (ins.json) {
    h.test = ins.args;  // {"CMD", …}
  } else {
    h.test = {"CMD-SHELL", ins.args.size() > 1 ? ins.args[1] : std::string()};
  }
  auto dur = [&](std::string_view name, int64_t& out) -> Status {
    const Flag* f = ins.flag(name);
    if (!f) return ok();
    auto d = parse_go_duration(f->value);
    if (!d) return fail(kInvalid, fmt::format("HEALTHCHECK --{}: invalid duration \"{}\" (e.g. 30s, 1m30s)", name, f->value));
    if (*d != 0 && *d < 1000000)
      return fail(kInvalid, fmt::format("HEALTHCHECK --{}: \"{}\" cannot be less than 1ms", name, f->value));
    if (*d < 0) return fail(kInvalid, fmt::format("HEALTHCHECK --{}: \"{}\" cannot be negative", name, f->value));
    out = *d;
    return ok();
  };
  TRY(dur("interval", h.interval));
  TRY(dur("timeout", h.timeout));
  TRY(dur("start-period", h.start_period));
  TRY(dur("start-interval", h.start_interval));
  if (const Flag* f = ins.flag("retries")) {
    auto n = parse_int(f->value);
    if (!n) return fail(kInvalid, fmt::format("HEALTHCHECK --retries: invalid number \"{}\"", f->value));
    if (*n < 0) return fail(kInvalid, fmt::format("HEALTHCHECK --retries cannot be negative ({})", *n));
    if (*n > INT32_MAX) return fail(kInvalid, fmt::format("HEALTHCHECK --retries: {} is too large", *n));
    h.retries = static_cast<int>(*n);
  }
  return h;
}

}  // namespace skiff::build
