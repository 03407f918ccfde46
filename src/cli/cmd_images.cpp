// images, rmi, tag, image inspect, history, image prune, inspect (any object), system df,
// system check.
#include <fnmatch.h>
#include <set>
#include <unistd.h>

#include "docker_types.hpp"
#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/gotmpl/tabwriter.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/oci/digest.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates = nullptr);
std::vector<std::string> local_candidates(const std::string& text);

namespace {

struct RepoTag {
  std::string repo, tag;
};

// Docker's familiar form of a name the store holds (normalised: "docker.io/library/busybox:1",
// "127.0.0.1:5000/x@sha256:…"): docker.io/ and library/ dropped. No parse: listings do this for
// every name (500 images: 1000 names).
std::string familiar(const std::string& normalized) {
  std::string_view s = normalized;
  if (s.starts_with("docker.io/")) {
    s.remove_prefix(10);
    size_t end = s.find_first_of(":@");
    if (s.starts_with("library/") && s.substr(8, end == std::string_view::npos ? end : end - 8).find('/') ==
                                         std::string_view::npos)
      s.remove_prefix(8);
  }
  return std::string(s);
}

RepoTag split_name(const std::string& normalized) {
  std::string f = familiar(normalized);
  size_t at = f.find('@');
  if (at != std::string::npos) f.resize(at);
  size_t slash = f.rfind('/'), colon = f.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {f, "<none>"};
  return {f.substr(0, colon), f.substr(colon + 1)};
}

Json image_config_json(storage::Store& store, const std::string& id) {
  auto raw = store.image_config(id);
  if (!raw) return Json::object();
  auto j = parse_json(*raw, "image config");
  return j ? *j : Json::object();
}

// Docker's image filters (daemon/images/images.go): dangling, reference (globs, OR), label
// (every one must match), before, since, until. Parsed once: before/since name images.
struct ImageFilters {
  std::optional<bool> dangling;
  std::vector<std::string> references;
  std::vector<std::pair<std::string, std::optional<std::string>>> labels;
  std::optional<int64_t> before, since, until;
};

Result<ImageFilters> parse_image_filters(storage::Store& store, const std::vector<std::string>& filters,
                                         bool allow_reference) {
  ImageFilters f;
  for (auto& text : filters) {
    auto [k, v] = split_once(text, '=');
    std::string val = v.value_or("");
    if (k == "dangling") {
      auto b = parse_bool(val);
      if (!b) return fail(kInvalid, fmt::format("invalid filter 'dangling={}'", val));
      if (f.dangling && *f.dangling != *b) return fail(kInvalid, "conflicting values for the 'dangling' filter");
      f.dangling = *b;
    } else if (k == "reference" && allow_reference) {
      f.references.push_back(val);
    } else if (k == "label") {
      auto [lk, lv] = split_once(val, '=');
      f.labels.emplace_back(lk, lv ? std::optional<std::string>(std::string(*lv)) : std::nullopt);
    } else if (k == "before" || k == "since") {
      auto other = TRY(find_image(store, val));
      (k == "before" ? f.before : f.since) = other.created_ns;
    } else if (k == "until") {
      auto t = parse_time_filter(val, now_ns());
      if (!t) return fail(kInvalid, fmt::format("invalid filter 'until={}'", val));
      f.until = *t;
    } else {
      return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    }
  }
  return f;
}

// Docker's reference.FamiliarMatch: path.Match against the familiar string ("busybox:latest",
// "127.0.0.1:5000/x@sha256:…"), then against the familiar name.
bool familiar_match(const std::string& pattern, const std::string& normalized) {
  auto r = oci::Reference::parse(normalized);
  std::string str = r ? r->familiar() : normalized, name = r ? r->familiar_name() : normalized;
  return fnmatch(pattern.c_str(), str.c_str(), FNM_PATHNAME) == 0 ||
         fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0;
}

// The filters that look at the image itself (not its names).
bool image_passes(storage::Store& store, const storage::ImageRecord& img, const ImageFilters& f) {
  if (f.before && img.created_ns >= *f.before) return false;
  if (f.since && img.created_ns <= *f.since) return false;
  if (f.until && img.created_ns >= *f.until) return false;
  if (!f.labels.empty()) {
    Json cfg = image_config_json(store, img.id);  // kept alive: labels refers into it
    const Json& labels = json_get(json_get(cfg, "config"), "Labels");
    for (auto& [k, v] : f.labels) {
      if (!labels.is_object() || !labels.contains(k)) return false;
      if (v && (!labels[k].is_string() || labels[k].get<std::string>() != *v)) return false;
    }
  }
  return true;
}

}  // namespace

Result<int> cmd_images(Context& ctx, const ParsedArgs& a) {
  if (podman_personality())
    if (auto r = podman_images(ctx, a)) return std::move(*r);
  auto e = TRY(open_engine(ctx, false));
  storage::Store* store = TRY(e->store(false));
  auto images = TRY(store->list_images());
  bool quiet = a.flag("quiet"), no_trunc = a.flag("no-trunc"), digests = a.flag("digests");
  auto f = TRY(parse_image_filters(*store, a.list("filter"), true));
  // `images REPO[:TAG]` is a reference filter (Docker); a short name also matches the
  // repositories it resolves to (registries.conf), as it does for run and rmi.
  if (!a.positional.empty()) {
    const std::string& text = a.positional[0];
    f.references.push_back(text);
    auto ref = oci::Reference::parse(text);
    if (ref && ref->is_short() && !ref->digest())
      for (auto& cand : local_candidates(text))
        if (auto c = oci::Reference::parse(cand))
          f.references.push_back(c->familiar_name() + (ref->tag().empty() ? "" : ":" + ref->tag()));
  }
  auto matches = [&](const std::string& name) {
    for (auto& p : f.references)
      if (familiar_match(p, name)) return true;
    return false;
  };
  struct Row {
    const storage::ImageRecord* img;
    std::string repo, tag, digest, id, since, size;
  };
  std::vector<Row> rows;
  std::set<std::string> seen_ids;
  int64_t now = now_ns();
  // Docker hides intermediate images (untagged parents of other images) unless --all.
  std::set<std::string> parents;
  for (auto& img : images)
    if (!img.parent.empty()) parents.insert(img.parent);
  for (auto& img : images) {
    if (!a.flag("all") && img.tags.empty() && parents.count(img.id)) continue;
    std::vector<std::string> tags, digs;
    for (auto& t : img.tags)
      if (f.references.empty() || matches(t)) tags.push_back(t);
    // A digest is kept when it matches, or when a kept tag has its repository: Docker drops it
    // there (`images --digests busybox:latest` shows <none>), which helps nobody.
    std::set<std::string> kept_repos;
    for (auto& t : tags) kept_repos.insert(t.substr(0, t.rfind(':')));
    for (auto& d : img.digests)
      if (f.references.empty() || matches(d) || kept_repos.count(d.substr(0, d.find('@')))) digs.push_back(d);
    if (tags.empty() && digs.empty()) {
      if (!f.references.empty() || (f.dangling && !*f.dangling)) continue;
    } else if (f.dangling && *f.dangling && !tags.empty()) {
      continue;
    }
    if (!image_passes(*store, img, f)) continue;
    std::string id = no_trunc ? img.id : oci::truncate_id(img.id);
    if (quiet) {
      if (seen_ids.insert(id).second) outf("{}\n", id);
      continue;
    }
    // Rows as Docker's formatter makes them: one per tag (per tag and digest with --digests),
    // then one "<none>" tag row per repository known only by digest.
    std::vector<std::tuple<std::string, std::string, std::string>> cells;  // repo, tag, digest
    std::map<std::string, std::vector<std::string>> by_repo;                // repo -> digests
    for (auto& d : digs) {
      auto at = d.find('@');
      if (at != std::string::npos) by_repo[familiar(d.substr(0, at))].push_back(d.substr(at + 1));
    }
    std::set<std::string> tagged_repos;
    for (auto& t : tags) {
      RepoTag rt = split_name(t);
      tagged_repos.insert(rt.repo);
      auto it = by_repo.find(rt.repo);
      if (!digests || it == by_repo.end()) {
        cells.emplace_back(rt.repo, rt.tag, "<none>");
        continue;
      }
      for (auto& d : it->second) cells.emplace_back(rt.repo, rt.tag, d);
    }
    for (auto& [repo, ds] : by_repo) {
      if (tagged_repos.count(repo)) continue;
      if (digests)
        for (auto& d : ds) cells.emplace_back(repo, "<none>", d);
      else
        cells.emplace_back(repo, "<none>", ds.front());
    }
    if (cells.empty()) cells.emplace_back("<none>", "<none>", "<none>");
    std::string since = img.created_ns ? human_duration(now - img.created_ns) + " ago" : "N/A";
    std::string size = human_size(double(img.size));
    for (auto& [repo, tag, digest] : cells) rows.push_back(Row{&img, repo, tag, digest, id, since, size});
  }
  if (quiet) return 0;
  // Podman's --sort: newest first (created, the order rows come in), else ascending.
  if (std::string key = a.str("sort", "created"); key != "created") {
    auto by = [&](auto proj) {
      std::stable_sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) { return proj(x) < proj(y); });
    };
    if (key == "id") by([](const Row& r) { return r.id; });
    else if (key == "repository") by([](const Row& r) { return r.repo; });
    else if (key == "tag") by([](const Row& r) { return r.tag; });
    else if (key == "size") by([](const Row& r) { return r.img->size; });
    else
      return fail(kInvalid, fmt::format("invalid option for --sort {}: use created, id, repository, size or tag",
                                        go_quote(key)));
  }
  bool no_header = a.flag("noheading");
  std::string format = a.str("format");
  if (format.empty() || format == "table") {
    // The default table, written straight to the tabwriter: what the template below prints,
    // without a JSON object and a template run per row (500 images: ~3 ms less).
    std::string text = no_header ? ""
                       : digests ? "REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE\n"
                                 : "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n";
    for (auto& r : rows) {
      text += r.repo + '\t' + r.tag + '\t';
      if (digests) text += r.digest + '\t';
      text += r.id + '\t' + r.since + '\t' + r.size + '\n';
    }
    std::string table;
    gotmpl::TabWriter tw;
    tw.write(text, table);
    tw.flush(table);
    out(table);
    return 0;
  }
  std::vector<Json> jrows;
  jrows.reserve(rows.size());
  for (auto& row : rows) {
    Json r = Json::object();
    r["Containers"] = "N/A";
    r["CreatedAt"] = format_go_time(row.img->created_ns);
    r["CreatedSince"] = row.since;
    r["Digest"] = row.digest;
    r["ID"] = row.id;
    r["Repository"] = row.repo;
    r["SharedSize"] = "N/A";
    r["Size"] = row.size;
    r["Tag"] = row.tag;
    r["UniqueSize"] = "N/A";
    r["VirtualSize"] = human_size(double(row.img->size), 4);
    jrows.push_back(std::move(r));
  }
  static const std::map<std::string, std::string> kHeaders = {
      {"ID", "IMAGE ID"},   {"Repository", "REPOSITORY"}, {"Tag", "TAG"},           {"Digest", "DIGEST"},
      {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"},   {"SharedSize", "SHARED SIZE"},
      {"UniqueSize", "UNIQUE SIZE"}, {"VirtualSize", "VIRTUAL SIZE"}, {"Containers", "CONTAINERS"}};
  std::string dflt = digests ? "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}"
                             : "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}";
  ListFormat lf{"*formatter.ImageContext", nullptr};
  lf.no_header = no_header;
  out(TRY(format_list(format, dflt, jrows, kHeaders, lf)));
  return 0;
}

Result<int> cmd_rmi(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, true));
  storage::Store* store = TRY(e->store(true));
  bool failed = false;
  storage::RemoveOptions ro;
  ro.force = a.flag("force");
  ro.prune = !a.flag("no-prune");
  bool all = a.flag("all"), ignore = a.flag("ignore"), only_missing = true;
  std::vector<std::string> targets = a.positional;
  if (all && !targets.empty()) return fail(kInvalid, "when using the --all switch, you may not pass any images names or IDs");
  if (!all && targets.empty())
    return Error{kUsage, fmt::format("\"skiff {}\" requires at least 1 argument.", ctx.invoked_as)};
  if (all) {
    // Podman's rmi -a: every image, whatever its names: each name, then the image by ID.
    for (auto& img : TRY(store->list_images())) {
      targets.insert(targets.end(), img.tags.begin(), img.tags.end());
      targets.push_back(img.id);
    }
    ignore = true;  // names and parents already gone with an earlier target
  }
  for (auto& text : targets) {
    ro.as_typed = text;
    // A name is removed by the normalised name it has locally (short names resolved as for
    // run); anything else is an ID (prefix).
    // (remove_image says kNotFound for a name that is not there: no lookup first, which would
    // read every name once more.)
    Result<std::vector<storage::RemoveEvent>> ev = fail(kNotFound, "");
    for (auto& name : local_candidates(text)) {
      ev = store->remove_image(name, ro);
      if (ev || ev.error().code != kNotFound) break;
    }
    if (!ev && ev.error().code == kNotFound) ev = store->remove_image(text, ro);
    if (!ev) {
      flush_out();
      Error err = ev.error();
      if (err.code == kNotFound) err.msg = fmt::format("No such image: {}", text);
      if (ignore && err.code == kNotFound) continue;
      if (ro.force && err.code == kNotFound && podman_personality()) continue;  // Podman: silent
      if (err.code != kNotFound) only_missing = false;
      print_error(err, "");
      // Docker's `rmi -f`: a missing image is reported, not a failure.
      if (!(ro.force && err.code == kNotFound)) failed = true;
      continue;
    }
    for (auto& x : *ev) {
      if (podman_personality())  // Podman: full names, bare hex IDs
        outf("{}: {}\n", x.deleted ? "Deleted" : "Untagged", x.deleted && x.what.starts_with("sha256:") ? x.what.substr(7) : x.what);
      else
        outf("{}: {}\n", x.deleted ? "Deleted" : "Untagged", x.deleted ? x.what : familiar(x.what));
      log_event(*e, "image", x.deleted ? "delete" : "untag", x.what, {{"name", x.deleted ? text : x.what}});
    }
  }
  if (failed && only_missing && podman_personality()) return 1;  // Podman: 1 = no such image
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_tag(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, true));
  storage::Store* store = TRY(e->store(true));
  auto img = TRY(find_image(*store, a.positional[0]));
  auto target = TRY(oci::Reference::parse(a.positional[1]));
  if (target.digest()) return fail(kInvalid, "refusing to create a tag with a digest reference");
  TRY(store->tag_image(img.id, target.str_with_default_tag()));
  log_event(*e, "image", "tag", img.id, {{"name", target.str_with_default_tag()}});
  return 0;
}

Json image_inspect_json(storage::Store& store, const storage::ImageRecord& img) {
  Json cfg = image_config_json(store, img.id);
  Json j = Json::object();
  j["Id"] = img.id;
  Json tags = Json::array(), digests = Json::array();
  for (auto& t : img.tags) tags.push_back(familiar(t));
  for (auto& d : img.digests) {
    auto at = d.find('@');
    digests.push_back(at == std::string::npos ? d : familiar(d.substr(0, at)) + d.substr(at));
  }
  j["RepoTags"] = tags;
  j["RepoDigests"] = digests;
  j["Parent"] = img.parent;
  std::string comment = json_str(cfg, "comment");
  const Json& hist = json_get(cfg, "history");
  if (comment.empty() && hist.is_array() && !hist.empty()) comment = json_str(hist.back(), "comment");
  j["Comment"] = comment;
  j["Created"] = json_str(cfg, "created", format_rfc3339nano(img.created_ns));
  // Docker's ImageInspect (API 1.41-1.43): the committing container and its config (commit
  // records them; a pulled image has them only when its builder did), every Config key.
  j["Container"] = json_str(cfg, "container");
  j["ContainerConfig"] = docker_config(json_get(cfg, "container_config"));
  j["DockerVersion"] = json_str(cfg, "docker_version");
  j["Author"] = json_str(cfg, "author");
  j["Config"] = docker_config(json_get(cfg, "config"));
  j["Architecture"] = json_str(cfg, "architecture");
  if (!json_str(cfg, "variant").empty()) j["Variant"] = json_str(cfg, "variant");
  j["Os"] = json_str(cfg, "os");
  if (!json_str(cfg, "os.version").empty()) j["OsVersion"] = json_str(cfg, "os.version");
  j["Size"] = img.size;
  j["VirtualSize"] = img.size;
  Json gd = Json::object();
  Json data = Json::object();
  std::vector<std::string> lowers;
  for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) {
    auto p = store.layer_diff_path(it->chain_id);
    if (p) lowers.push_back(*p);
  }
  if (!lowers.empty()) {
    data["MergedDir"] = "";
    data["UpperDir"] = lowers.front();
    if (lowers.size() > 1) data["LowerDir"] = join(std::vector<std::string>(lowers.begin() + 1, lowers.end()), ":");
  }
  gd["Data"] = data;
  gd["Name"] = std::string(storage::driver_name(store.driver()));
  j["GraphDriver"] = gd;
  Json rootfs = Json::object();
  rootfs["Type"] = "layers";
  Json layers = Json::array();
  for (auto& l : img.layers) layers.push_back(l.diff_id);
  rootfs["Layers"] = layers;
  j["RootFS"] = rootfs;
  Json meta = Json::object();
  meta["LastTagTime"] = format_rfc3339nano(img.stored_ns);
  j["Metadata"] = meta;
  return j;
}

// Docker's container inspect object: the engine's, with Config in Docker's shape and, with
// -s, SizeRw (the container's own layer) and SizeRootFs (that and its image's layers).
Json container_inspect_json(engine::Engine& e, const engine::Container& c, bool size) {
  Json j = engine::inspect_container(e, c);
  if (j.contains("Config")) j["Config"] = docker_config(j["Config"]);
  if (size) {
    uint64_t rw = 0, image = 0;
    if (c.rec.driver == storage::Driver::Overlay) rw = tree_size_at(-100, e.container_dir(c.rec.id) + "/upper").value_or(0);
    if (auto store = e.store(false); store && !c.rec.image_id.empty())
      if (auto img = (*store)->lookup_image(c.rec.image_id, false)) image = img->size;
    // Docker's key order: after GraphDriver.
    Json o = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      o[it.key()] = std::move(it.value());
      if (it.key() == "GraphDriver") {
        o["SizeRw"] = rw;
        o["SizeRootFs"] = rw + image;
      }
    }
    j = std::move(o);
  }
  return j;
}

// One object of an inspect: printed with the template (Docker's TemplateInspector: the typed
// object, then the raw JSON with missingkey=error when that fails), or kept for the JSON
// array. A template error is printed and makes the command exit 1, as Docker's; the other
// objects are still printed.
void inspect_object(const std::string& format, Json j, const Json& type, Json& all, bool& template_failed) {
  if (format.empty() || format == "json") {
    all.push_back(std::move(j));
    return;
  }
  ObjectFormat of;
  of.schema = &type;
  of.raw_fallback = true;
  auto text = format_object(format, j, of);
  if (!text) {
    flush_out();
    print_error(text.error(), "");
    template_failed = true;
    return;
  }
  out(*text);
}

Result<int> inspect_result(const std::string& format, const Json& all, bool failed, bool template_failed) {
  if (format.empty()) out(to_json_pretty(all) + "\n");
  if (format == "json") {
    // Docker's JSONInspector: one compact array of every object, < > & escaped.
    ObjectFormat of;
    of.json_escape_html = true;
    out(TRY(format_object(format, all, of)));
  }
  if (template_failed) return 1;
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_image_inspect(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  storage::Store* store = TRY(e->store(false));
  std::string format = a.str("format");
  Json all = Json::array();
  bool failed = false, template_failed = false;
  for (auto& ref : a.positional) {
    auto img = find_image(*store, ref);
    if (!img) {
      flush_out();
      print_error(img.error(), "");
      failed = true;
      continue;
    }
    inspect_object(format, image_inspect_json(*store, *img), image_inspect_type(), all, template_failed);
  }
  return inspect_result(format, all, failed, template_failed);
}

// inspect: containers first, then images, then volumes (Docker's order), or --type.
Result<int> cmd_inspect(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  std::string type = a.str("type");
  if (!type.empty() && type != "container" && type != "image" && type != "volume")
    return fail(kInvalid, fmt::format("\"{}\" is not a valid value for --type", type));
  std::string format = a.str("format");
  Json all = Json::array();
  bool failed = false, template_failed = false;
  for (auto& ref : a.positional) {
    std::optional<Json> found;
    const Json* found_type = nullptr;
    if (type.empty() || type == "container")
      if (auto c = engine::find_container(*e, ref)) {
        found = container_inspect_json(*e, *c, a.flag("size"));
        found_type = &container_json_type();
      }
    if (!found && (type.empty() || type == "image")) {
      auto store = e->store(false);
      if (store)
        if (auto img = find_image(**store, ref)) {
          found = image_inspect_json(**store, *img);
          found_type = &image_inspect_type();
        }
    }
    if (!found && (type.empty() || type == "volume"))
      if (auto v = engine::find_volume(*e, ref)) {
        found = engine::volume_json(*v);
        found_type = &volume_type();
      }
    if (!found) {
      flush_out();
      print_error(Error{kNotFound, fmt::format("No such object: {}", ref)}, "");
      failed = true;
      continue;
    }
    inspect_object(format, std::move(*found), *found_type, all, template_failed);
  }
  return inspect_result(format, all, failed, template_failed);
}

Result<int> cmd_history(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  storage::Store* store = TRY(e->store(false));
  auto img = TRY(find_image(*store, a.positional[0]));
  Json cfg = image_config_json(*store, img.id);
  bool no_trunc = a.flag("no-trunc"), human = a.flag("human", true);
  int64_t now = now_ns();
  // history entries bottom first; each non-empty one owns the next layer.
  struct Row {
    std::string id, created_by, comment;
    int64_t created = 0;
    uint64_t size = 0;
  };
  std::vector<Row> hist;
  const Json& h = json_get(cfg, "history");
  size_t layer = 0;
  if (h.is_array() && !h.empty()) {
    for (auto& x : h) {
      Row r;
      r.created = parse_rfc3339(json_str(x, "created")).value_or(0);
      r.created_by = json_str(x, "created_by");
      r.comment = json_str(x, "comment");
      if (!json_bool(x, "empty_layer") && layer < img.layers.size()) r.size = img.layers[layer++].size;
      hist.push_back(r);
    }
  } else {
    for (auto& l : img.layers) hist.push_back(Row{"", "", "", img.created_ns, l.size});
  }
  std::reverse(hist.begin(), hist.end());
  // Docker's image_history.go: the newest entry is the image, the next its parent, and so on
  // while the local parent chain (commit, build) lasts; the rest are <missing>.
  std::vector<std::string> ids;
  for (std::string cur = img.id; !cur.empty() && ids.size() < hist.size();) {
    ids.push_back(cur);
    auto parent = store->lookup_image(cur, false);
    cur = parent ? parent->parent : "";
    if (!cur.empty() && !store->lookup_image(cur, false)) break;
  }
  std::vector<Json> rows;
  for (size_t i = 0; i < hist.size(); ++i) {
    auto& r = hist[i];
    std::string id = i < ids.size() ? (no_trunc ? ids[i] : oci::truncate_id(ids[i])) : "<missing>";
    if (a.flag("quiet")) {
      outf("{}\n", id);
      continue;
    }
    std::string by = replace_all(r.created_by, "\t", " ");
    Json row = Json::object();
    row["Comment"] = r.comment;
    row["CreatedAt"] = format_rfc3339(r.created);
    row["CreatedBy"] = no_trunc ? by : ellipsis(by, 45);
    row["CreatedSince"] = r.created ? human_duration(now - r.created) + " ago" : "N/A";
    row["ID"] = id;
    row["Size"] = human ? human_size(double(r.size)) : std::to_string(r.size);
    rows.push_back(row);
  }
  if (a.flag("quiet")) return 0;
  static const std::map<std::string, std::string> kHeaders = {{"ID", "IMAGE"},           {"CreatedSince", "CREATED"},
                                                              {"CreatedAt", "CREATED AT"}, {"CreatedBy", "CREATED BY"},
                                                              {"Size", "SIZE"},            {"Comment", "COMMENT"}};
  std::string dflt = human ? "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}"
                           : "table {{.ID}}\\t{{.CreatedAt}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}";
  out(TRY(format_list(a.str("format"), dflt, rows, kHeaders)));
  return 0;
}

Result<PruneReport> prune_images(engine::Engine& e, bool all, const std::vector<std::string>& filters) {
  PruneReport rep;
  storage::Store* store = TRY(e.store(true));
  auto images = TRY(store->list_images());
  auto containers = TRY(engine::list_containers(e));
  std::set<std::string> used;
  for (auto& c : containers) used.insert(c.rec.image_id);
  auto f = TRY(parse_image_filters(*store, filters, false));
  if (f.dangling && !*f.dangling) all = true;  // Docker: dangling=false is -a
  for (auto& img : images) {
    if (used.count(img.id)) continue;
    if (!all && !img.tags.empty()) continue;
    if (!image_passes(*store, img, f)) continue;
    storage::RemoveOptions ro;
    ro.force = true;
    auto ev = store->remove_image(img.id, ro);
    if (!ev) continue;
    rep.reclaimed += img.size;
    for (auto& x : *ev) rep.lines.push_back(fmt::format("{}: {}", x.deleted ? "deleted" : "untagged", x.deleted ? x.what : familiar(x.what)));
  }
  return rep;
}

Result<int> cmd_image_prune(Context& ctx, const ParsedArgs& a) {
  bool all = a.flag("all");
  if (!a.flag("force") &&
      !confirm(all ? "WARNING! This will remove all images without at least one container associated to them.\n"
                     "Are you sure you want to continue? [y/N] "
                   : "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "))
    return 0;
  auto e = TRY(open_engine(ctx, true));
  auto rep = TRY(prune_images(*e, all, a.list("filter")));
  if (!rep.lines.empty()) {
    out("Deleted Images:\n");
    for (auto& l : rep.lines) outf("{}\n", l);
    out("\n");
  }
  outf("Total reclaimed space: {}\n", human_size(double(rep.reclaimed)));
  return 0;
}

Result<int> cmd_system_df(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  storage::Store* store = TRY(e->store(false));
  auto images = TRY(store->list_images());
  auto containers = TRY(engine::list_containers(*e));
  auto volumes = TRY(engine::list_volumes(*e));
  std::set<std::string> used_images;
  uint64_t img_size = 0, img_reclaim = 0, ctr_size = 0, ctr_reclaim = 0, vol_size = 0, vol_reclaim = 0;
  int active_ctr = 0, active_vol = 0;
  for (auto& c : containers) {
    used_images.insert(c.rec.image_id);
    uint64_t sz = 0;
    if (c.rec.driver == storage::Driver::Overlay) sz = tree_size_at(-100, e->container_dir(c.rec.id) + "/upper").value_or(0);
    else if (c.rec.driver == storage::Driver::Vfs) sz = tree_size_at(-100, e->container_dir(c.rec.id) + "/rootfs").value_or(0);
    ctr_size += sz;
    if (c.state.status == engine::RunState::Running) ++active_ctr;
    else ctr_reclaim += sz;
  }
  // Images: every layer counted once, however many images share it (Docker); reclaimable is
  // what no image a container uses needs.
  auto layers = TRY(store->list_layers());
  std::map<std::string, uint64_t> layer_size;
  for (auto& l : layers) {
    layer_size[l.chain_id] = l.size;
    img_size += l.size;
  }
  std::set<std::string> used_chains;
  for (auto& img : images)
    if (used_images.count(img.id))
      if (auto rec = store->lookup_image(img.id))
        for (auto& l : rec->layers) used_chains.insert(l.chain_id);
  uint64_t used_size = 0;
  for (auto& c : used_chains) used_size += layer_size.count(c) ? layer_size[c] : 0;
  img_reclaim = img_size > used_size ? img_size - used_size : 0;
  std::map<std::string, uint64_t> vol_sizes;
  for (auto& v : volumes) {
    uint64_t sz = tree_size_at(-100, v.mountpoint).value_or(0);
    vol_sizes[v.name] = sz;
    vol_size += sz;
    if (!engine::volume_users(*e, v.name).empty()) ++active_vol;
    else vol_reclaim += sz;
  }
  auto pct = [](uint64_t part, uint64_t total) {
    return total ? fmt::format("{} ({}%)", human_size(double(part)), part * 100 / total) : human_size(double(part));
  };
  std::vector<Json> rows;
  auto row = [&](const char* type, size_t total, int active, uint64_t size, uint64_t recl) {
    Json r = Json::object();
    r["Type"] = type;
    r["TotalCount"] = std::to_string(total);
    r["Active"] = std::to_string(active);
    r["Size"] = human_size(double(size));
    r["Reclaimable"] = pct(recl, size);
    rows.push_back(r);
  };
  int active_img = 0;
  for (auto& img : images) active_img += used_images.count(img.id) ? 1 : 0;
  row("Images", images.size(), active_img, img_size, img_reclaim);
  row("Containers", containers.size(), active_ctr, ctr_size, ctr_reclaim);
  row("Local Volumes", volumes.size(), active_vol, vol_size, vol_reclaim);
  row("Build Cache", 0, 0, 0, 0);
  static const std::map<std::string, std::string> kHeaders = {{"Type", "TYPE"}, {"TotalCount", "TOTAL"}, {"Active", "ACTIVE"},
                                                              {"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}};
  if (!a.flag("verbose")) {
    out(TRY(format_list(a.str("format"), "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}", rows, kHeaders)));
    return 0;
  }
  // -v: one table per kind, as Docker prints it. A layer is shared when several images use it.
  out("Images space usage:\n\n");
  std::map<std::string, std::vector<std::string>> chains_of;  // image id -> its layers
  std::map<std::string, int> users_of;                        // chain id -> images using it
  for (auto& img : images)
    if (auto rec = store->lookup_image(img.id))
      for (auto& l : rec->layers) {
        chains_of[img.id].push_back(l.chain_id);
        ++users_of[l.chain_id];
      }
  std::vector<Json> irows;
  for (auto& img : images) {
    uint64_t shared = 0;
    for (auto& c : chains_of[img.id])
      if (users_of[c] > 1) shared += layer_size.count(c) ? layer_size[c] : 0;
    for (auto& n : img.tags.empty() ? std::vector<std::string>{""} : img.tags) {
      RepoTag rt = n.empty() ? RepoTag{"<none>", "<none>"} : split_name(n);
      Json r = Json::object();
      r["Repository"] = rt.repo;
      r["Tag"] = rt.tag;
      r["ID"] = oci::truncate_id(img.id);
      r["CreatedSince"] = human_duration(now_ns() - img.created_ns) + " ago";
      r["Size"] = human_size(double(img.size));
      r["SharedSize"] = human_size(double(shared));
      r["UniqueSize"] = human_size(double(img.size > shared ? img.size - shared : 0));
      int n_ctr = 0;
      for (auto& c : containers) n_ctr += c.rec.image_id == img.id;
      r["Containers"] = std::to_string(n_ctr);
      irows.push_back(r);
    }
  }
  out(TRY(format_list("",
                      "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}\\t{{.SharedSize}}"
                      "\\t{{.UniqueSize}}\\t{{.Containers}}",
                      irows,
                      {{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"},
                       {"Size", "SIZE"}, {"SharedSize", "SHARED SIZE"}, {"UniqueSize", "UNIQUE SIZE"},
                       {"Containers", "CONTAINERS"}})));
  out("\nContainers space usage:\n\n");
  std::vector<Json> crows;
  for (auto& c : containers) {
    Json r = Json::object();
    r["ID"] = c.rec.id.substr(0, 12);
    r["Image"] = c.rec.image.empty() ? c.rec.rootfs : c.rec.image;
    r["Size"] = human_size(double(c.rec.driver == storage::Driver::Overlay ? tree_size_at(-100, e->container_dir(c.rec.id) + "/upper").value_or(0) : 0));
    r["Status"] = engine::status_text(c.state, now_ns());
    r["Names"] = c.rec.name;
    crows.push_back(r);
  }
  out(TRY(format_list("", "table {{.ID}}\\t{{.Image}}\\t{{.Size}}\\t{{.Status}}\\t{{.Names}}", crows,
                      {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Size", "SIZE"}, {"Status", "STATUS"}, {"Names", "NAMES"}})));
  out("\nLocal Volumes space usage:\n\n");
  std::vector<Json> vrows;
  for (auto& v : volumes) {
    Json r = Json::object();
    r["Name"] = v.name;
    r["Links"] = std::to_string(engine::volume_users(*e, v.name).size());
    r["Size"] = human_size(double(vol_sizes[v.name]));
    vrows.push_back(r);
  }
  out(TRY(format_list("", "table {{.Name}}\\t{{.Links}}\\t{{.Size}}", vrows,
                      {{"Name", "VOLUME NAME"}, {"Links", "LINKS"}, {"Size", "SIZE"}})));
  return 0;
}

Result<int> cmd_system_check(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, a.flag("repair")));
  storage::Store* store = TRY(e->store(a.flag("repair")));
  storage::CheckOptions co;
  co.repair = a.flag("repair");
  co.verify_content = !a.flag("quick");
  auto rep = TRY(store->check(co));
  // Leftovers of an interrupted operation (a pull killed with -9) are garbage, not damage: they
  // are listed, and the next write removes them; they do not make the check fail.
  size_t leftovers = 0, problems = 0;
  for (auto& p : rep.problems) {
    outf("{}: {}{}\n", p.object, p.problem,
         p.repaired ? " (repaired)" : p.leftover ? " (removed by the next write, or --repair)" : "");
    (p.leftover ? leftovers : problems) += 1;
  }
  std::string summary = problems ? fmt::format("{} problem(s)", problems) : "no problems";
  if (leftovers) summary += fmt::format(" ({} leftover(s) of an interrupted operation)", leftovers);
  outf("checked {} layers and {} images: {}\n", rep.layers, rep.images, summary);
  bool unrepaired =
      std::any_of(rep.problems.begin(), rep.problems.end(), [](auto& p) { return !p.repaired && !p.leftover; });
  if (unrepaired) return fail(kCorrupt, "the store has problems; run `skiff system check --repair` to remove what is damaged");
  return 0;
}

}  // namespace skiff::cli

namespace skiff::cli {

Result<int> cmd_system_migrate(Context& ctx, const ParsedArgs&) {
  auto e = TRY(open_engine(ctx, false));
  outf("{}\n", TRY(engine::system_migrate(*e)));
  return 0;
}

Result<int> cmd_system_reset(Context& ctx, const ParsedArgs& a) {
  if (!a.flag("force") &&
      !confirm("WARNING! This will remove all containers, images, layers and volumes, and the run state.\n"
               "Are you sure you want to continue? [y/N] "))
    return 0;
  auto e = TRY(open_engine(ctx, false));
  TRY(engine::system_reset(*e));
  return 0;
}

}  // namespace skiff::cli
