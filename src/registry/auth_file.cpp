// Credentials: auth.json / Docker config.json lookup (containers-auth.json(5)), Docker
// credential helpers, writing for `login`; certs.d lookup (containers-certs.d(5)); the
// process environment those paths come from.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "skiff/registry/config.hpp"
#include "skiff/util/base64.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::registry {

namespace {

std::string env_or(const char* name, std::string dflt = "") {
  const char* v = getenv(name);
  return v && *v ? std::string(v) : std::move(dflt);
}

// Docker Hub has several spellings; c/image compares them all as one.
std::string normalize_registry(std::string_view r) {
  if (r == "registry-1.docker.io" || r == "docker.io" || r == "index.docker.io") return "docker.io";
  return std::string(r);
}

// A key written as a URL ("https://index.docker.io/v1/", "http://host:5000") or, in the
// legacy format, with a path, reduced to its registry.
std::string normalize_key(std::string_view key, bool legacy) {
  std::string_view s = key;
  bool had_scheme = false;
  for (std::string_view scheme : {"http://", "https://"})
    if (s.starts_with(scheme)) {
      s.remove_prefix(scheme.size());
      had_scheme = true;
    }
  if (legacy || had_scheme) s = s.substr(0, s.find('/'));
  return normalize_registry(s);
}

Result<std::optional<Credentials>> decode_entry(const Json& e, const std::string& file, const std::string& key) {
  if (!e.is_object()) return fail(kCorrupt, fmt::format("`{}`: auths \"{}\" is not an object", file, key));
  Credentials c;
  std::string auth = json_str(e, "auth");
  if (!auth.empty()) {
    auto decoded = base64_decode(auth);
    if (!decoded) return fail(kCorrupt, fmt::format("`{}`: auths \"{}\": \"auth\" is not valid base64", file, key));
    auto colon = decoded->find(':');
    if (colon == std::string::npos)
      return fail(kCorrupt, fmt::format("`{}`: auths \"{}\": \"auth\" is not user:password", file, key));
    c.username = decoded->substr(0, colon);
    c.password = decoded->substr(colon + 1);
  } else {
    c.username = json_str(e, "username");
    c.password = json_str(e, "password");
  }
  c.identity_token = json_str(e, "identitytoken");
  if (c.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(c));
}

// Runs docker-credential-<helper> get (the Docker credential helper protocol).
std::optional<Credentials> run_helper(const std::string& helper, std::string_view registry) {
  std::string prog = "docker-credential-" + helper;
  if (find_in_path(prog).empty()) {
    log::debug("credential helper {} is not installed; ignoring it", prog);
    return std::nullopt;
  }
  std::string server = normalize_registry(registry) == "docker.io" ? "https://index.docker.io/v1/" : std::string(registry);
  auto r = run_program({prog, "get"}, server);
  if (!r || !r->ok()) {
    log::debug("{} get {}: no credentials", prog, server);
    return std::nullopt;
  }
  auto j = parse_json(r->out, prog);
  if (!j || !j->is_object()) return std::nullopt;
  Credentials c;
  c.username = json_str(*j, "Username");
  std::string secret = json_str(*j, "Secret");
  if (c.username == "<token>") {
    c.username.clear();
    c.identity_token = secret;
  } else {
    c.password = secret;
  }
  if (c.empty()) return std::nullopt;
  return c;
}

}  // namespace

ConfigEnv ConfigEnv::from_process() {
  ConfigEnv e;
  e.uid = getuid();
  e.home = env_or("HOME");
  if (e.home.empty()) {
    std::string name;
    (void)lookup_user(e.uid, name, e.home);
  }
  e.xdg_config_home = env_or("XDG_CONFIG_HOME", e.home + "/.config");
  e.xdg_runtime_dir = env_or("XDG_RUNTIME_DIR");
  e.registries_conf = env_or("CONTAINERS_REGISTRIES_CONF", env_or("REGISTRIES_CONFIG_PATH"));
  e.registry_auth_file = env_or("REGISTRY_AUTH_FILE");
  e.docker_config = env_or("DOCKER_CONFIG");
  return e;
}

Result<Credentials> parse_creds(std::string_view s) {
  if (s.empty()) return fail(kInvalid, "invalid --creds: credentials cannot be empty");
  Credentials c;
  auto colon = s.find(':');
  c.username = std::string(s.substr(0, colon));
  if (colon != std::string_view::npos) c.password = std::string(s.substr(colon + 1));
  if (c.username.empty()) return fail(kInvalid, "invalid --creds: the username cannot be empty");
  return c;
}

std::string primary_auth_file(const ConfigEnv& env, std::string_view authfile) {
  if (!authfile.empty()) return std::string(authfile);
  if (!env.registry_auth_file.empty()) return env.registry_auth_file;
  if (!env.xdg_runtime_dir.empty()) return env.xdg_runtime_dir + "/containers/auth.json";
  return env.system_path(fmt::format("/run/containers/{}/auth.json", env.uid));
}

std::vector<AuthFile> auth_file_search_path(const ConfigEnv& env, std::string_view authfile) {
  std::vector<AuthFile> out{{primary_auth_file(env, authfile), false}};
  if (!authfile.empty() || !env.registry_auth_file.empty()) return out;
  out.push_back({env.xdg_config_home + "/containers/auth.json", false});
  if (!env.docker_config.empty()) out.push_back({env.docker_config + "/config.json", false});
  else out.push_back({env.home + "/.docker/config.json", false});
  out.push_back({env.home + "/.dockercfg", true});
  return out;
}

Result<std::optional<FoundCredentials>> find_credentials(const ConfigEnv& env, std::string_view registry,
                                                         std::string_view path, std::string_view authfile) {
  using Found = std::optional<FoundCredentials>;
  // Keys from most to least specific: reg/ns/user/image, reg/ns/user, reg/ns, reg.
  std::vector<std::string> keys;
  std::string k = std::string(registry) + (path.empty() ? "" : "/" + std::string(path));
  for (;;) {
    keys.push_back(k);
    if (k.size() <= registry.size()) break;
    k = k.substr(0, k.rfind('/'));
  }
  std::string want = normalize_registry(registry);
  for (const AuthFile& f : auth_file_search_path(env, authfile)) {
    auto text = read_file(f.path, 4u << 20);
    if (!text) {
      if (text.error().code == ENOENT || text.error().code == ENOTDIR) continue;
      return wrap(std::move(text).error(), fmt::format("read credentials `{}`", f.path));
    }
    Json doc = TRY(parse_json(*text, fmt::format("`{}`", f.path)));
    if (!doc.is_object()) return fail(kCorrupt, fmt::format("`{}`: not a JSON object", f.path));
    if (!f.legacy) {
      const Json& helpers = json_get(doc, "credHelpers");
      if (helpers.is_object())
        for (auto it = helpers.begin(); it != helpers.end(); ++it)
          if (it->is_string() && normalize_key(it.key(), false) == want) {
            if (auto c = run_helper(it->get<std::string>(), registry))
              return Found(FoundCredentials{*c, "docker-credential-" + it->get<std::string>(), it.key()});
          }
    }
    const Json& auths = f.legacy ? doc : json_get(doc, "auths");
    if (auths.is_object()) {
      for (const auto& key : keys)
        if (auths.contains(key)) {
          auto c = TRY(decode_entry(auths[key], f.path, key));
          if (c) return Found(FoundCredentials{*c, f.path, key});
        }
      for (auto it = auths.begin(); it != auths.end(); ++it)
        if (normalize_key(it.key(), f.legacy) == want) {
          auto c = TRY(decode_entry(*it, f.path, it.key()));
          if (c) return Found(FoundCredentials{*c, f.path, it.key()});
        }
    }
    std::string store = f.legacy ? "" : json_str(doc, "credsStore");
    if (!store.empty())
      if (auto c = run_helper(store, registry)) return Found(FoundCredentials{*c, "docker-credential-" + store, want});
  }
  return Found();
}

static Result<Json> read_auth_doc(const std::string& path) {
  auto text = read_file(path, 4u << 20);
  if (!text) {
    if (text.error().code == ENOENT) return Json::object();
    return wrap(std::move(text).error(), fmt::format("read credentials `{}`", path));
  }
  Json doc = TRY(parse_json(*text, fmt::format("`{}`", path)));
  if (!doc.is_object()) return fail(kCorrupt, fmt::format("`{}`: not a JSON object", path));
  return doc;
}

// The credential helper the primary file names for `key` (credHelpers, then credsStore), or "".
static std::string helper_for(const Json& doc, std::string_view key) {
  std::string want = normalize_registry(key);
  const Json& helpers = json_get(doc, "credHelpers");
  if (helpers.is_object())
    for (auto it = helpers.begin(); it != helpers.end(); ++it)
      if (it->is_string() && normalize_key(it.key(), false) == want) return it->get<std::string>();
  return json_str(doc, "credsStore");
}

// The server URL Docker hands its helpers for a registry.
static std::string helper_server(std::string_view key) {
  return normalize_registry(key) == "docker.io" ? "https://index.docker.io/v1/" : std::string(key);
}

// `docker-credential-<helper> store|erase`, as Docker runs it (JSON or the server URL on stdin).
static Status run_helper_cmd(const std::string& helper, const std::string& verb, const std::string& input) {
  std::string prog = "docker-credential-" + helper;
  if (find_in_path(prog).empty())
    return fail(kNotFound, fmt::format("credential helper {} is not installed (named by credHelpers/credsStore)", prog));
  auto r = TRY_CTX(run_program({prog, verb}, input), "{} {}", prog, verb);
  if (!r.ok()) {
    std::string msg(trim(r.out.empty() ? r.err : r.out));
    return fail(kAuth, fmt::format("{} {}: {}", prog, verb, msg.empty() ? "failed" : msg));
  }
  return ok();
}

Status store_credentials(const ConfigEnv& env, std::string_view key, const Credentials& creds,
                         std::string_view authfile) {
  std::string path = primary_auth_file(env, authfile);
  Json doc = TRY(read_auth_doc(path));
  if (std::string helper = helper_for(doc, key); !helper.empty()) {
    Json in = Json::object();
    in["ServerURL"] = helper_server(key);
    in["Username"] = creds.identity_token.empty() ? creds.username : "<token>";
    in["Secret"] = creds.identity_token.empty() ? creds.password : creds.identity_token;
    return run_helper_cmd(helper, "store", to_json(in));
  }
  if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = Json::object();
  Json entry = Json::object();
  if (!creds.username.empty() || !creds.password.empty())
    entry["auth"] = base64_encode(creds.username + ":" + creds.password);
  if (!creds.identity_token.empty()) entry["identitytoken"] = creds.identity_token;
  doc["auths"][std::string(key)] = entry;
  auto [dir, base] = split_dir_base(path);
  if (!dir.empty()) TRY_CTX(mkdir_p(dir, 0700), "store credentials in `{}`", path);
  TRY_CTX(write_file_atomic(path, to_json_pretty(doc, 1) + "\n", 0600), "store credentials in `{}`", path);
  return ok();
}

Result<bool> remove_credentials(const ConfigEnv& env, std::string_view key, std::string_view authfile) {
  std::string path = primary_auth_file(env, authfile);
  Json doc = TRY(read_auth_doc(path));
  if (std::string helper = helper_for(doc, key); !helper.empty()) {
    if (!run_helper(helper, key)) return false;
    TRY(run_helper_cmd(helper, "erase", helper_server(key)));
    return true;
  }
  if (!doc.contains("auths") || !doc["auths"].is_object() || !doc["auths"].contains(key)) return false;
  doc["auths"].erase(std::string(key));
  TRY_CTX(write_file_atomic(path, to_json_pretty(doc, 1) + "\n", 0600), "remove credentials from `{}`", path);
  return true;
}

Status remove_all_credentials(const ConfigEnv& env, std::string_view authfile) {
  std::string path = primary_auth_file(env, authfile);
  Json doc = TRY(read_auth_doc(path));
  if (!doc.contains("auths")) return ok();
  doc["auths"] = Json::object();
  TRY_CTX(write_file_atomic(path, to_json_pretty(doc, 1) + "\n", 0600), "remove credentials from `{}`", path);
  return ok();
}

Result<CertsDir> find_certs(const ConfigEnv& env, std::string_view host_port, std::string_view cert_dir) {
  CertsDir out;
  if (!cert_dir.empty()) {
    out.dir = cert_dir;
  } else {
    std::string hp(host_port);
    for (const std::string& base : {env.xdg_config_home + "/containers/certs.d", env.home + "/.config/containers/certs.d",
                                    env.system_path("/etc/containers/certs.d"),
                                    env.system_path("/etc/docker/certs.d")}) {
      std::string d = base + "/" + hp;
      struct stat st;
      if (::stat(d.c_str(), &st) == 0) {
        out.dir = d;
        break;
      }
    }
    if (out.dir.empty()) return out;
  }
  auto names = list_dir(out.dir);
  if (!names) {
    if (names.error().code == ENOENT) return out;
    return wrap(std::move(names).error(), fmt::format("read certificates directory `{}`", out.dir));
  }
  std::sort(names->begin(), names->end());
  auto has = [&](const std::string& n) { return std::find(names->begin(), names->end(), n) != names->end(); };
  for (const auto& n : *names) {
    std::string full = out.dir + "/" + n;
    if (n.ends_with(".crt")) {
      out.ca_files.push_back(full);
    } else if (n.ends_with(".cert")) {
      std::string key = n.substr(0, n.size() - 5) + ".key";
      if (!has(key))
        return fail(kInvalid, fmt::format("missing key `{}/{}` for client certificate `{}` (CA certificates "
                                          "should use the extension .crt)",
                                          out.dir, key, full));
      if (out.client_cert.empty()) {
        out.client_cert = full;
        out.client_key = out.dir + "/" + key;
      }
    } else if (n.ends_with(".key")) {
      std::string cert = n.substr(0, n.size() - 4) + ".cert";
      if (!has(cert))
        return fail(kInvalid, fmt::format("missing client certificate `{}/{}` for key `{}`", out.dir, cert, full));
    }
  }
  return out;
}

}  // namespace skiff::registry
