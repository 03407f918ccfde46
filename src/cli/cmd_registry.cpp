// Registry commands: push, login, logout, search.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "pull_display.hpp"
#include "skiff/engine/layer_tar.hpp"
#include "skiff/image/push.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/client.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates = nullptr);
std::vector<std::string> local_candidates(const std::string& text);

Result<registry::ClientOptions> registry_client_options(const ParsedArgs& a) {
  registry::ClientOptions c;
  c.tls_verify = a.flag("tls-verify", true);
  if (a.has("creds")) c.creds = TRY(registry::parse_creds(a.str("creds")));
  c.authfile = a.str("authfile");
  c.cert_dir = a.str("cert-dir");
  return c;
}

namespace {

// "docker://x" (Podman's transport prefix) → "x".
std::string strip_transport(std::string s) {
  if (s.starts_with("docker://")) s = s.substr(9);
  return s;
}

// The registry a login/logout/search argument names: "https://index.docker.io/v1/" →
// "docker.io", "http://localhost:5000/" → "localhost:5000"; a repository path is kept
// ("quay.io/ns" logs in for that namespace, as Podman allows).
std::string normalize_registry_arg(std::string s) {
  for (std::string_view scheme : {"http://", "https://"})
    if (s.starts_with(scheme)) {
      s = s.substr(scheme.size());
      s = s.substr(0, s.find('/'));
    }
  while (s.ends_with("/")) s.pop_back();
  if (s.empty() || s == "index.docker.io" || s == "registry-1.docker.io" || s == "docker.io") return "docker.io";
  return s;
}

// Reads a line from the terminal, without echo when `secret`.
Result<std::string> prompt(std::string_view question, bool secret) {
  err(std::string(question));
  struct termios saved {};
  bool restore = false;
  if (secret && tcgetattr(0, &saved) == 0) {
    struct termios t = saved;
    t.c_lflag &= ~tcflag_t(ECHO);
    restore = tcsetattr(0, TCSANOW, &t) == 0;
  }
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  if (restore) {
    tcsetattr(0, TCSANOW, &saved);
    err("\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

// ---- push ----------------------------------------------------------------------------------

Result<int> cmd_push(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  image::PushOptions po;
  po.client = TRY(registry_client_options(a));
  std::string comp = a.str("compression-format", "gzip");
  if (comp == "gzip") po.compression = Compression::Gzip;
  else if (comp == "zstd") po.compression = Compression::Zstd;
  else return fail(kInvalid, fmt::format("invalid --compression-format \"{}\": use gzip or zstd", comp));
  po.open_layer_tar = [&](const storage::LayerInfo& l) { return engine::open_layer_tar(*e, *store, l); };
  bool quiet = a.flag("quiet");
  PullDisplay display(1, quiet);
  po.progress = [&](const image::PullEvent& ev) {
    flush_out();
    display.on_event(ev);
  };

  std::string src = strip_transport(a.positional[0]);
  std::string dest_text = a.positional.size() > 1 ? strip_transport(a.positional[1]) : "";
  // The image, and the destination: DESTINATION, else the name the image was found by.
  std::vector<std::pair<storage::ImageRecord, oci::Reference>> work;
  if (a.flag("all-tags")) {
    if (!dest_text.empty()) return fail(kInvalid, "--all-tags cannot be used with a DESTINATION");
    auto ref = TRY(oci::Reference::parse(src));
    if (!ref.tag().empty() || ref.digest()) return fail(kInvalid, "tag can't be used with --all-tags/-a");
    std::vector<std::string> names;
    for (auto& cand : local_candidates(src)) {
      auto cref = TRY(oci::Reference::parse(cand));
      for (auto& img : TRY(store->list_images()))
        for (auto& t : img.tags)
          if (auto tr = oci::Reference::parse(t); tr && tr->name() == cref.name()) names.push_back(t);
      if (!names.empty()) break;
    }
    if (names.empty()) return fail(kNotFound, fmt::format("An image does not exist locally with the tag: {}", src));
    std::sort(names.begin(), names.end());
    for (auto& n : names) work.emplace_back(TRY(store->lookup_image(n)), TRY(oci::Reference::parse(n)));
  } else {
    std::string found_as;
    storage::ImageRecord img;
    bool found = false;
    for (auto& cand : local_candidates(src))
      if (auto r = store->lookup_image(cand)) {
        img = std::move(*r);
        found_as = cand;
        found = true;
        break;
      }
    if (!found) {
      auto r = find_image(*store, src);
      if (!r && r.error().code == kNotFound && dest_text.empty())
        return fail(kNotFound, fmt::format("An image does not exist locally with the tag: {}", src));
      img = TRY(std::move(r));
    }
    std::string target = !dest_text.empty() ? dest_text : found_as;
    if (target.empty())
      return fail(kInvalid, fmt::format("push {}: an image ID needs a DESTINATION (or tag the image first)", src));
    auto dref = TRY(oci::Reference::parse(target));
    if (dref.is_short()) {
      // A short DESTINATION means Docker Hub, as for Docker and Podman (registries.conf's
      // search list is for pulling): docker.io/library/NAME or docker.io/USER/NAME.
      dref = TRY(oci::Reference::parse(dref.str_with_default_tag()));
    }
    work.emplace_back(std::move(img), std::move(dref));
  }

  for (auto& [img, dest] : work) {
    auto res = TRY(image::push(*store, img, dest, po));
    if (quiet) outf("{}\n", dest.digest() ? dest.str() : dest.str_with_default_tag());
    else if (res.tag.empty()) outf("digest: {} size: {}\n", res.digest, res.size);
    else outf("{}: digest: {} size: {}\n", res.tag, res.digest, res.size);
    if (a.has("digestfile")) TRY(write_file_atomic(a.str("digestfile"), res.digest, 0644));
  }
  return 0;
}

// ---- login / logout --------------------------------------------------------------------------

Result<int> cmd_login(Context& ctx, const ParsedArgs& a) {
  (void)ctx;
  std::string key = normalize_registry_arg(a.positional.empty() ? "" : a.positional[0]);
  std::string reg = key.substr(0, key.find('/'));
  auto env = registry::ConfigEnv::from_process();
  std::string authfile = a.str("authfile");
  if (a.flag("get-login")) {
    auto found = TRY(registry::find_credentials(env, reg, key.size() > reg.size() ? key.substr(reg.size() + 1) : "",
                                                authfile));
    if (!found || found->creds.username.empty()) return fail(kNotFound, fmt::format("not logged into {}", key));
    outf("{}\n", found->creds.username);
    return 0;
  }
  bool pw_stdin = a.flag("password-stdin");
  if (pw_stdin && a.has("password"))
    return fail(kUsage, "--password and --password-stdin are mutually exclusive");
  registry::Credentials c;
  c.username = a.str("username");
  if (a.has("password")) {
    err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    c.password = a.str("password");
  }
  if (pw_stdin) {
    if (c.username.empty()) return fail(kUsage, "Must provide --username with --password-stdin");
    auto text = TRY(read_all(0, 1u << 20));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    c.password = std::move(text);
  }
  if (c.username.empty() || (c.password.empty() && !a.has("password") && !pw_stdin)) {
    if (!stdin_is_tty()) return fail(kUsage, "Cannot perform an interactive login from a non TTY device");
    if (c.username.empty()) c.username = TRY(prompt("Username: ", false));
    if (c.password.empty()) c.password = TRY(prompt("Password: ", true));
  }
  if (c.username.empty()) return fail(kInvalid, "Error: Non-null Username Required");
  if (c.password.empty()) return fail(kInvalid, "Error: Non-null Password Required");
  auto opts = TRY(registry_client_options(a));
  opts.creds.reset();
  auto transport = TRY(registry::make_http_transport());
  auto conf = TRY(registry::load_registries_conf(env));
  registry::Client client(*transport, env, std::move(conf), opts);
  TRY_CTX(client.check_login(reg, c), "login to {}", reg);
  TRY(registry::store_credentials(env, key, c, authfile));
  out("Login Succeeded\n");
  return 0;
}

Result<int> cmd_logout(Context& ctx, const ParsedArgs& a) {
  (void)ctx;
  auto env = registry::ConfigEnv::from_process();
  std::string authfile = a.str("authfile");
  if (a.flag("all")) {
    if (!a.positional.empty()) return fail(kUsage, "--all takes no REGISTRY");
    TRY(registry::remove_all_credentials(env, authfile));
    out("Removed login credentials for all registries\n");
    return 0;
  }
  std::string key = normalize_registry_arg(a.positional.empty() ? "" : a.positional[0]);
  if (TRY(registry::remove_credentials(env, key, authfile))) {
    outf("Removed login credentials for {}\n", key);
    return 0;
  }
  std::string reg = key.substr(0, key.find('/'));
  auto found = registry::find_credentials(env, reg, key.size() > reg.size() ? key.substr(reg.size() + 1) : "", authfile);
  if (found && *found)
    return fail(kNotFound, fmt::format("not logged into {} with skiff: the credentials come from `{}`; remove them "
                                       "there (docker logout {})",
                                       key, (*found)->file, key));
  return fail(kNotFound, fmt::format("not logged into {}", key));
}

// ---- search ----------------------------------------------------------------------------------

namespace {

struct SearchHit {
  std::string name, description;
  int64_t stars = 0;
  bool official = false, automated = false;
};

}  // namespace

Result<int> cmd_search(Context& ctx, const ParsedArgs& a) {
  (void)ctx;
  std::string term = a.positional[0];
  int64_t limit = a.num("limit", 25);
  if (limit < 1) return fail(kInvalid, fmt::format("invalid --limit {}: it must be at least 1", limit));
  std::optional<int64_t> min_stars;
  std::optional<bool> official, automated;
  for (auto& f : a.list("filter")) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), v = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (k == "stars") {
      auto n = parse_uint(v);
      if (!n) return fail(kInvalid, fmt::format("invalid filter 'stars={}'", v));
      min_stars = int64_t(*n);
    } else if (k == "is-official" || k == "is-automated") {
      if (v != "true" && v != "false") return fail(kInvalid, fmt::format("invalid filter '{}={}'", k, v));
      (k == "is-official" ? official : automated) = v == "true";
    } else {
      return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    }
  }

  auto env = registry::ConfigEnv::from_process();
  auto conf = TRY(registry::load_registries_conf(env));
  auto opts = TRY(registry_client_options(a));
  // A registry in TERM ("127.0.0.1:5000/busy"), else the unqualified-search registries.
  std::vector<std::string> registries;
  std::string query = term;
  if (auto slash = term.find('/'); slash != std::string::npos) {
    std::string first = term.substr(0, slash);
    if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") {
      registries.push_back(normalize_registry_arg(first));
      query = term.substr(slash + 1);
    }
  }
  if (registries.empty()) registries = conf.search_registries;
  if (registries.empty()) registries.push_back("docker.io");
  auto transport = TRY(registry::make_http_transport());
  registry::Client client(*transport, env, conf, opts);

  if (a.flag("list-tags")) {
    if (registries.size() != 1 || query.empty())
      return fail(kInvalid, fmt::format("--list-tags needs a full repository name (REGISTRY/NAME), not \"{}\"", term));
    auto ref = TRY(oci::Reference::parse(registries[0] + "/" + query));
    if (!ref.tag().empty() || ref.digest()) return fail(kInvalid, "--list-tags takes a repository without a tag");
    auto sources = TRY(registry::pull_sources(client.registries_conf(), ref));
    auto tags = TRY(client.list_tags(sources.back()));
    std::vector<Json> rows;
    for (auto& t : tags) {
      if (int64_t(rows.size()) >= limit) break;
      Json r = Json::object();
      r["Name"] = ref.name();
      r["Tag"] = t;
      rows.push_back(std::move(r));
    }
    out(TRY(format_list(a.str("format"), "table {{.Name}}\t{{.Tag}}", rows, {{"Name", "NAME"}, {"Tag", "TAG"}})));
    return 0;
  }

  std::vector<SearchHit> hits;
  std::vector<std::string> errors;
  for (auto& reg : registries) {
    if (reg == "docker.io") {
      std::string url = fmt::format("https://index.docker.io/v1/search?q={}&n={}", registry::url_query_escape(query), limit);
      auto body = client.get_url(url, 16u << 20);
      if (!body) {
        errors.push_back(fmt::format("{}: {}", reg, body.error().msg));
        continue;
      }
      auto j = TRY(parse_json(*body, "Docker Hub search results"));
      const Json& results = json_get(j, "results");
      if (results.is_array())
        for (auto& r : results) {
          SearchHit h;
          h.name = json_str(r, "name");
          h.description = json_str(r, "description");
          h.stars = json_int(r, "star_count", 0);
          h.official = json_get(r, "is_official").is_boolean() && json_get(r, "is_official").get<bool>();
          h.automated = json_get(r, "is_automated").is_boolean() && json_get(r, "is_automated").get<bool>();
          hits.push_back(std::move(h));
        }
      continue;
    }
    auto names = client.catalog(reg, false);
    if (!names) {
      errors.push_back(fmt::format("{}: {}", reg, names.error().msg));
      continue;
    }
    for (auto& n : *names)
      if (query.empty() || n.find(to_lower(query)) != std::string::npos) hits.push_back({reg + "/" + n, "", 0, false, false});
  }
  if (hits.empty() && !errors.empty())
    return fail(kNetwork, fmt::format("cannot search {}: {}", term, join(errors, "; ")));
  for (auto& msg : errors) errf("WARNING: {}\n", msg);

  std::vector<Json> rows;
  bool no_trunc = a.flag("no-trunc");
  for (auto& h : hits) {
    if (min_stars && h.stars < *min_stars) continue;
    if (official && h.official != *official) continue;
    if (automated && h.automated != *automated) continue;
    if (int64_t(rows.size()) >= limit) break;
    std::string desc = h.description;
    std::replace(desc.begin(), desc.end(), '\n', ' ');
    if (!no_trunc && desc.size() > 45) desc = desc.substr(0, 44) + "…";
    Json r = Json::object();
    r["Name"] = h.name;
    r["Description"] = desc;
    r["StarCount"] = std::to_string(h.stars);
    r["IsOfficial"] = h.official ? "[OK]" : "";
    r["IsAutomated"] = h.automated ? "[OK]" : "";
    rows.push_back(std::move(r));
  }
  out(TRY(format_list(a.str("format"), "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}", rows,
                      {{"Name", "NAME"},
                       {"Description", "DESCRIPTION"},
                       {"StarCount", "STARS"},
                       {"IsOfficial", "OFFICIAL"},
                       {"IsAutomated", "AUTOMATED"}})));
  return 0;
}

}  // namespace skiff::cli
