// registries.conf v2: loading with drop-ins, validation, prefix matching, mirrors, and
// short-name resolution (containers-registries.conf(5), containers-registries.conf.d(5)).
#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "skiff/registry/config.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/toml.hpp"

namespace skiff::registry {

namespace {

// Builds errors that name the file and the line of the offending value.
struct FileErrors {
  const std::string& name;
  const TomlLines& lines;
  Failure at(const std::vector<std::string>& path, std::string_view msg) const {
    int line = lines.line_of(path);
    if (line > 0) return fail(kInvalid, fmt::format("`{}` line {}: {}", name, line, msg));
    return fail(kInvalid, fmt::format("`{}`: {}", name, msg));
  }
};

Result<std::string> get_string(const Json& t, const std::string& key, const std::vector<std::string>& path,
                               const FileErrors& fe, std::string_view table) {
  const Json& v = json_get(t, key);
  if (v.is_null()) return std::string();
  if (!v.is_string()) return fe.at(path, fmt::format("{}{} must be a string", table, key));
  return v.get<std::string>();
}

Result<bool> get_bool(const Json& t, const std::string& key, const std::vector<std::string>& path,
                      const FileErrors& fe, std::string_view table) {
  const Json& v = json_get(t, key);
  if (v.is_null()) return false;
  if (!v.is_boolean()) return fe.at(path, fmt::format("{}{} must be a boolean", table, key));
  return v.get<bool>();
}

Result<std::vector<std::string>> get_strings(const Json& t, const std::string& key,
                                             const std::vector<std::string>& path, const FileErrors& fe) {
  std::vector<std::string> out;
  const Json& v = json_get(t, key);
  if (!v.is_array()) return fe.at(path, fmt::format("{} must be an array of strings", key));
  for (const Json& e : v) {
    if (!e.is_string()) return fe.at(path, fmt::format("{} must be an array of strings", key));
    out.push_back(e.get<std::string>());
  }
  return out;
}

// c/image parseLocation: trailing slashes dropped; no URL schemes.
Result<std::string> parse_location(std::string_view input, const std::vector<std::string>& path,
                                   const FileErrors& fe, std::string_view what) {
  std::string s(input);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.starts_with("http://") || s.starts_with("https://"))
    return fe.at(path, fmt::format("invalid {} \"{}\": URI schemes are not supported", what, input));
  return s;
}

// "*.example.com": the wildcard only as the whole first label, nothing after the host.
bool valid_wildcard_prefix(std::string_view p) {
  return p.starts_with("*.") && p.size() > 2 && p.find_first_of("/:*@", 2) == std::string_view::npos;
}

Result<RegistryEntry> parse_registry(const Json& t, size_t index, const FileErrors& fe, const std::string& name) {
  std::vector<std::string> path{"registry", std::to_string(index)};
  auto sub = [&](std::string key) {
    auto p = path;
    p.push_back(std::move(key));
    return p;
  };
  if (!t.is_object()) return fe.at(path, "[[registry]] must be a table");
  RegistryEntry r;
  r.origin = name;
  std::string location = TRY(get_string(t, "location", sub("location"), fe, "[[registry]] "));
  std::string prefix = TRY(get_string(t, "prefix", sub("prefix"), fe, "[[registry]] "));
  r.location = TRY(parse_location(location, sub("location"), fe, "location"));
  r.prefix = prefix.empty() ? r.location : TRY(parse_location(prefix, sub("prefix"), fe, "prefix"));
  if (r.prefix.starts_with("*")) {
    if (!valid_wildcard_prefix(r.prefix))
      return fe.at(sub("prefix"), fmt::format("invalid prefix \"{}\": a wildcard prefix must have the form "
                                              "*.example.com",
                                              r.prefix));
  } else if (r.location.empty()) {
    return fe.at(r.prefix.empty() ? path : sub("prefix"),
                 r.prefix.empty() ? std::string("[[registry]] needs a location or a prefix")
                                  : fmt::format("invalid location for prefix \"{}\": cannot be empty", r.prefix));
  }
  r.insecure = TRY(get_bool(t, "insecure", sub("insecure"), fe, "[[registry]] "));
  r.blocked = TRY(get_bool(t, "blocked", sub("blocked"), fe, "[[registry]] "));
  r.mirror_by_digest_only = TRY(get_bool(t, "mirror-by-digest-only", sub("mirror-by-digest-only"), fe, "[[registry]] "));
  const Json& mirrors = json_get(t, "mirror");
  if (!mirrors.is_null()) {
    if (!mirrors.is_array()) return fe.at(sub("mirror"), "[[registry.mirror]] must be an array of tables");
    for (size_t i = 0; i < mirrors.size(); ++i) {
      std::vector<std::string> mp = sub("mirror");
      mp.push_back(std::to_string(i));
      auto msub = [&](std::string key) {
        auto p = mp;
        p.push_back(std::move(key));
        return p;
      };
      const Json& m = mirrors[i];
      if (!m.is_object()) return fe.at(mp, "[[registry.mirror]] must be a table");
      Mirror mi;
      std::string loc = TRY(get_string(m, "location", msub("location"), fe, "[[registry.mirror]] "));
      mi.location = TRY(parse_location(loc, msub("location"), fe, "mirror location"));
      if (mi.location.empty()) return fe.at(mp, "[[registry.mirror]] location cannot be empty");
      mi.insecure = TRY(get_bool(m, "insecure", msub("insecure"), fe, "[[registry.mirror]] "));
      std::string pull = TRY(get_string(m, "pull-from-mirror", msub("pull-from-mirror"), fe, "[[registry.mirror]] "));
      if (pull.empty() || pull == "all") mi.pull_from_mirror = PullFromMirror::kAll;
      else if (pull == "digest-only") mi.pull_from_mirror = PullFromMirror::kDigestOnly;
      else if (pull == "tag-only") mi.pull_from_mirror = PullFromMirror::kTagOnly;
      else
        return fe.at(msub("pull-from-mirror"),
                     fmt::format("unsupported pull-from-mirror \"{}\" (want all, digest-only or tag-only)", pull));
      if (!pull.empty() && r.mirror_by_digest_only)
        return fe.at(msub("pull-from-mirror"),
                     "pull-from-mirror cannot be set when the registry has mirror-by-digest-only = true");
      r.mirrors.push_back(std::move(mi));
    }
  }
  return r;
}

Status check_alias(const std::string& key, const std::string& value, const FileErrors& fe) {
  std::vector<std::string> path{"aliases", key};
  auto k = oci::Reference::parse(key);
  if (!k) return fe.at(path, fmt::format("invalid alias \"{}\": {}", key, k.error().msg));
  if (!k->tag().empty() || k->digest())
    return fe.at(path, fmt::format("invalid alias \"{}\": must not contain a tag or digest", key));
  if (!k->is_short())
    return fe.at(path, fmt::format("invalid alias \"{}\": must be a short name, without a registry", key));
  if (value.empty()) return ok();
  auto v = oci::Reference::parse(value);
  if (!v) return fe.at(path, fmt::format("invalid alias value \"{}\": {}", value, v.error().msg));
  if (v->is_short())
    return fe.at(path, fmt::format("invalid alias value \"{}\": must include a registry", value));
  if (!v->tag().empty() || v->digest())
    return fe.at(path, fmt::format("invalid alias value \"{}\": must not contain a tag or digest", value));
  return ok();
}

// c/image refMatchingPrefix: the length of `ref` matched by `prefix`, or -1.
long match_prefix(std::string_view ref, std::string_view prefix) {
  if (prefix.starts_with("*.")) {
    std::string_view suffix = prefix.substr(1);  // ".example.com"
    size_t idx = ref.find(suffix);
    if (idx == std::string_view::npos || ref.substr(0, idx).find('/') != std::string_view::npos) return -1;
    idx += suffix.size();
    if (idx == ref.size()) return long(idx);
    char c = ref[idx];
    return (c == ':' || c == '/' || c == '@') ? long(idx) : -1;
  }
  if (ref.size() < prefix.size() || !ref.starts_with(prefix)) return -1;
  if (ref.size() == prefix.size()) return long(prefix.size());
  char c = ref[prefix.size()];
  // After a bare host, ':' starts a port: "example.com" must not match "example.com:5000/x"
  // (c/image matches it and documents that as unintended).
  if (c == ':' && prefix.find('/') == std::string_view::npos) return -1;
  return (c == ':' || c == '/' || c == '@') ? long(prefix.size()) : -1;
}

Result<oci::Reference> rewrite(const oci::Reference& ref, const RegistryEntry& r, std::string_view location) {
  std::string s = ref.str_with_default_tag();
  long n = match_prefix(s, r.prefix);
  if (n < 0) return fail(kInvalid, fmt::format("invalid prefix \"{}\" for reference \"{}\"", r.prefix, s));
  if (location.empty()) return ref.with_default_tag();
  std::string rewritten = std::string(location) + s.substr(size_t(n));
  auto out = oci::Reference::parse(rewritten);
  if (!out)
    return fail(kInvalid, fmt::format("rewriting \"{}\" for [[registry]] prefix \"{}\" ({}): {}", s, r.prefix,
                                      r.origin, out.error().msg));
  return out->with_default_tag();
}

Status merge_alias_cache(RegistriesConf& conf, const std::string& path) {
  auto text = read_file(path, 4u << 20);
  if (!text) {
    if (text.error().code == ENOENT) return ok();
    return text.error();
  }
  TomlLines lines;
  Json doc = TRY(parse_toml(*text, path, &lines));
  FileErrors fe{path, lines};
  const Json& aliases = json_get(doc, "aliases");
  if (aliases.is_null()) return ok();
  if (!aliases.is_object()) return fe.at({"aliases"}, "[aliases] must be a table");
  for (auto it = aliases.begin(); it != aliases.end(); ++it) {
    if (!it->is_string()) return fe.at({"aliases", it.key()}, fmt::format("alias \"{}\" must be a string", it.key()));
    TRY(check_alias(it.key(), it->get<std::string>(), fe));
    conf.aliases[it.key()] = Alias{it->get<std::string>(), path};
  }
  conf.files.push_back(path);
  return ok();
}

// Sorted *.conf files of a drop-in directory (missing directory: none).
std::vector<std::string> drop_ins(const std::string& dir) {
  std::vector<std::string> out;
  auto names = list_dir(dir);
  if (!names) return out;
  for (const auto& n : *names) {
    if (!n.ends_with(".conf")) continue;
    std::string p = dir + "/" + n;
    struct stat st;
    if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status merge_registries_conf(RegistriesConf& conf, const std::string& text, const std::string& name, bool drop_in) {
  TomlLines lines;
  Json doc = TRY(parse_toml(text, name, &lines));
  FileErrors fe{name, lines};

  if (doc.contains("registries"))
    return fe.at({"registries"},
                 std::string("the version 1 format ([registries.search], [registries.insecure], [registries.block]) "
                             "is not supported") +
                     (drop_in ? " in drop-in files" : "") +
                     "; use unqualified-search-registries and [[registry]] tables (containers-registries.conf(5))");

  if (doc.contains("unqualified-search-registries")) {
    auto regs = TRY(get_strings(doc, "unqualified-search-registries", {"unqualified-search-registries"}, fe));
    for (auto& r : regs) {
      r = TRY(parse_location(r, {"unqualified-search-registries"}, fe, "unqualified-search-registries entry"));
      if (!oci::is_valid_domain(r))
        return fe.at({"unqualified-search-registries"},
                     fmt::format("invalid unqualified-search-registries entry \"{}\": want host[:port]", r));
    }
    conf.search_registries = std::move(regs);
    conf.search_origin = name;
  }
  if (doc.contains("short-name-mode")) {
    std::string mode = TRY(get_string(doc, "short-name-mode", {"short-name-mode"}, fe, ""));
    if (mode == "enforcing") conf.short_name_mode = ShortNameMode::kEnforcing;
    else if (mode == "permissive") conf.short_name_mode = ShortNameMode::kPermissive;
    else if (mode == "disabled") conf.short_name_mode = ShortNameMode::kDisabled;
    else if (!mode.empty())
      return fe.at({"short-name-mode"},
                   fmt::format("invalid short-name-mode \"{}\" (want enforcing, permissive or disabled)", mode));
  }
  if (doc.contains("credential-helpers")) {
    auto helpers = TRY(get_strings(doc, "credential-helpers", {"credential-helpers"}, fe));
    if (!helpers.empty()) conf.credential_helpers = std::move(helpers);
  }
  const Json& regs = json_get(doc, "registry");
  if (!regs.is_null()) {
    if (!regs.is_array()) return fe.at({"registry"}, "registry must be an array of [[registry]] tables");
    for (size_t i = 0; i < regs.size(); ++i) {
      RegistryEntry r = TRY(parse_registry(regs[i], i, fe, name));
      auto same = std::find_if(conf.registries.begin(), conf.registries.end(),
                               [&](const RegistryEntry& e) { return e.prefix == r.prefix; });
      if (same != conf.registries.end()) *same = std::move(r);
      else conf.registries.push_back(std::move(r));
    }
  }
  const Json& aliases = json_get(doc, "aliases");
  if (!aliases.is_null()) {
    if (!aliases.is_object()) return fe.at({"aliases"}, "[aliases] must be a table");
    for (auto it = aliases.begin(); it != aliases.end(); ++it) {
      if (!it->is_string())
        return fe.at({"aliases", it.key()}, fmt::format("alias \"{}\" must be a string", it.key()));
      std::string value = it->get<std::string>();
      TRY(check_alias(it.key(), value, fe));
      if (value.empty()) conf.aliases.erase(it.key());
      else conf.aliases[it.key()] = Alias{value, name};
    }
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    static constexpr std::string_view kKnown[] = {"unqualified-search-registries", "short-name-mode",
                                                  "credential-helpers", "registry", "aliases",
                                                  "additional-layer-store-auth-helper"};
    if (std::find(std::begin(kKnown), std::end(kKnown), it.key()) == std::end(kKnown))
      log::debug("{}: ignoring unknown key \"{}\"", name, it.key());
  }
  conf.files.push_back(name);
  return ok();
}

Status validate_registries_conf(const RegistriesConf& conf) {
  for (size_t i = 0; i < conf.registries.size(); ++i)
    for (size_t j = i + 1; j < conf.registries.size(); ++j) {
      const auto& a = conf.registries[i];
      const auto& b = conf.registries[j];
      if (a.location.empty() || a.location != b.location) continue;
      for (auto [what, differ] : {std::pair{"insecure", a.insecure != b.insecure},
                                  std::pair{"blocked", a.blocked != b.blocked}})
        if (differ)
          return fail(kInvalid, fmt::format("registry \"{}\" is defined several times with conflicting \"{}\" "
                                            "settings (`{}`, `{}`)",
                                            a.location, what, a.origin, b.origin));
    }
  return ok();
}

Result<RegistriesConf> load_registries_conf(const ConfigEnv& env) {
  RegistriesConf conf;
  std::string user_file = env.xdg_config_home + "/containers/registries.conf";
  std::string user_dir = env.xdg_config_home + "/containers/registries.conf.d";
  std::string main_file;
  bool main_required = false, use_system_dir = true;
  if (!env.registries_conf.empty()) {
    main_file = env.registries_conf;
    main_required = true;
  } else if (path_exists(user_file)) {
    main_file = user_file;
    use_system_dir = false;
  } else {
    main_file = env.system_path("/etc/containers/registries.conf");
  }

  auto text = read_file(main_file, 4u << 20);
  if (text) {
    TRY(merge_registries_conf(conf, *text, main_file, false));
  } else if (text.error().code != ENOENT || main_required) {
    return wrap(std::move(text).error(), fmt::format("read registries configuration `{}`", main_file));
  }
  std::vector<std::string> dirs;
  if (use_system_dir) dirs.push_back(env.system_path("/etc/containers/registries.conf.d"));
  dirs.push_back(user_dir);
  for (const auto& dir : dirs)
    for (const auto& f : drop_ins(dir)) {
      auto t = read_file(f, 4u << 20);
      if (!t) return wrap(std::move(t).error(), fmt::format("read registries configuration `{}`", f));
      TRY(merge_registries_conf(conf, *t, f, true));
    }
  TRY(merge_alias_cache(conf, short_name_alias_cache(env)));
  TRY(validate_registries_conf(conf));
  return conf;
}

const RegistryEntry* RegistriesConf::find_registry(std::string_view name) const {
  const RegistryEntry* best = nullptr;
  size_t best_len = 0;
  for (const auto& r : registries)
    if (match_prefix(name, r.prefix) >= 0 && r.prefix.size() > best_len) {
      best = &r;
      best_len = r.prefix.size();
    }
  return best;
}

Result<std::vector<PullSource>> pull_sources(const RegistriesConf& conf, const oci::Reference& ref) {
  std::vector<PullSource> out;
  const RegistryEntry* r = conf.find_registry(ref.name());
  if (!r) {
    out.push_back(PullSource{ref.with_default_tag(), false, false});
    return out;
  }
  if (r->blocked)
    return fail(EACCES, fmt::format("registry {} is blocked in `{}`", r->prefix, r->origin));
  bool digested = ref.digest().has_value();
  for (const auto& m : r->mirrors) {
    if (r->mirror_by_digest_only && !digested) continue;
    if (m.pull_from_mirror == PullFromMirror::kDigestOnly && !digested) continue;
    if (m.pull_from_mirror == PullFromMirror::kTagOnly && digested) continue;
    out.push_back(PullSource{TRY(rewrite(ref, *r, m.location)), m.insecure, true});
  }
  out.push_back(PullSource{TRY(rewrite(ref, *r, r->location)), r->insecure, false});
  return out;
}

bool registry_insecure(const RegistriesConf& conf, std::string_view host_port) {
  const RegistryEntry* r = conf.find_registry(host_port);
  return r && r->insecure;
}

Result<ShortNameResolution> resolve_short_name(const RegistriesConf& conf, const oci::Reference& ref,
                                               bool interactive) {
  ShortNameResolution res;
  if (!ref.is_short()) {
    res.candidates.push_back(ref.with_default_tag());
    return res;
  }
  auto with_input_suffix = [&](oci::Reference r) {
    if (!ref.tag().empty()) r = r.with_tag(ref.tag());
    if (ref.digest()) r = r.with_digest(*ref.digest());
    return r.with_default_tag();
  };
  const std::string& name = ref.short_name();
  if (auto it = conf.aliases.find(name); it != conf.aliases.end()) {
    auto target = oci::Reference::parse(it->second.value);
    if (!target)
      return wrap(std::move(target).error(), fmt::format("alias \"{}\" ({})", name, it->second.origin));
    res.candidates.push_back(with_input_suffix(*target));
    res.description = fmt::format("Resolved \"{}\" as an alias ({})", name, it->second.origin);
    res.from_alias = true;
    return res;
  }
  if (conf.search_registries.empty()) {
    if (!conf.search_origin.empty())
      return fail(kInvalid, fmt::format("short-name \"{}\" did not resolve to an alias and no "
                                        "unqualified-search registries are defined in \"{}\"",
                                        name, conf.search_origin));
    // No registries.conf says anything: a short name means Docker Hub, as with Docker.
    res.candidates.push_back(ref.with_default_tag());
    return res;
  }
  std::string typed = name;
  if (!ref.tag().empty()) typed += ":" + ref.tag();
  if (ref.digest()) typed += "@" + ref.digest()->str();
  for (const auto& reg : conf.search_registries) {
    auto c = oci::Reference::parse(reg + "/" + typed);
    if (!c)
      return wrap(std::move(c).error(),
                  fmt::format("creating a reference with unqualified-search registry \"{}\"", reg));
    res.candidates.push_back(c->with_default_tag());
  }
  res.description =
      fmt::format("Resolving \"{}\" using unqualified-search registries ({})", name, conf.search_origin);
  if (conf.short_name_mode == ShortNameMode::kDisabled || res.candidates.size() == 1) return res;
  if (interactive) {
    res.prompt = true;
    return res;
  }
  if (conf.short_name_mode == ShortNameMode::kEnforcing)
    return fail(kInvalid, fmt::format("short-name resolution enforced but cannot prompt without a TTY "
                                      "(\"{}\" could be any of: {})",
                                      name, [&] {
                                        std::vector<std::string> v;
                                        for (const auto& c : res.candidates) v.push_back(c.str());
                                        return join(v, ", ");
                                      }()));
  return res;
}

std::string short_name_alias_cache(const ConfigEnv& env) {
  if (env.uid == 0) return env.system_path("/var/cache/containers/short-name-aliases.conf");
  return env.home + "/.cache/containers/short-name-aliases.conf";
}

Status record_short_name_alias(const ConfigEnv& env, std::string_view name, const oci::Reference& value) {
  std::string path = short_name_alias_cache(env);
  RegistriesConf cache;
  TRY(merge_alias_cache(cache, path));
  cache.aliases[std::string(name)] = Alias{value.repository().str(), path};
  auto quote = [](std::string_view s) { return "\"" + replace_all(replace_all(s, "\\", "\\\\"), "\"", "\\\"") + "\""; };
  std::string text = "# Short-name aliases recorded by skiff after an interactive choice.\n[aliases]\n";
  for (const auto& [k, a] : cache.aliases) text += fmt::format("  {} = {}\n", quote(k), quote(a.value));
  auto [dir, base] = split_dir_base(path);
  TRY(mkdir_p(dir, 0700));
  return write_file_atomic(path, text, 0644);
}

}  // namespace skiff::registry
