// ps / container ls: Docker's columns, filters, ordering and --format fields.
#include "format.hpp"
#include "skiff/gotmpl/template.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/engine/usage.hpp"
#include "skiff/oci/digest.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/regex.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

struct Filters {
  std::map<std::string, std::vector<std::string>> by_key;
  // name= values compiled once (RE2: Go's syntax, linear time); a malformed one matches only
  // a name equal to it, as Docker's filters.Args.Match does.
  std::map<std::string, std::shared_ptr<const Regex>> name_res;
};

Result<Filters> parse_filters(const std::vector<std::string>& raw) {
  static const char* kKeys[] = {"id", "name", "label", "status", "ancestor", "exited", "before", "since", "volume", "network",
                                "restart-policy", "publish", "expose", "pod"};
  Filters f;
  for (auto& r : raw) {
    auto [k, v] = split_once(r, '=');
    bool known = false;
    for (auto* key : kKeys) known |= k == key;
    if (!known) return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    if (!v) return fail(kInvalid, fmt::format("bad format of filter (expected name=value): {}", r));
    if (k == "status") {
      static const char* kStates[] = {"created", "restarting", "running", "removing", "paused", "exited", "dead"};
      bool ok_state = false;
      for (auto* s : kStates) ok_state |= *v == s;
      if (!ok_state) return fail(kInvalid, fmt::format("invalid filter 'status={}'", *v));
    }
    if (k == "exited" && !parse_int(*v)) return fail(kInvalid, fmt::format("invalid filter 'exited={}'", *v));
    if ((k == "publish" || k == "expose") && !network::parse_expose(*v)) {
      return fail(kInvalid, fmt::format("invalid filter '{}={}': {}", k, *v, network::parse_expose(*v).error().msg));
    }
    if (k == "name" && !f.name_res.count(*v))
      if (auto re = Regex::compile(*v)) f.name_res[*v] = std::make_shared<const Regex>(std::move(*re));
    f.by_key[k].push_back(*v);
  }
  return f;
}

std::string labels_text(const Json& labels) {
  std::vector<std::string> kv;
  if (labels.is_object())
    for (auto& [k, v] : labels.items()) kv.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
  std::sort(kv.begin(), kv.end());
  return join(kv, ",");
}

bool matches_label(const Json& labels, const std::string& want) {
  auto [k, v] = split_once(want, '=');
  if (!labels.is_object() || !labels.contains(k)) return false;
  return !v || (labels[k].is_string() && labels[k].get<std::string>() == *v);
}

// Docker's ancestor filter: image name (with or without tag), or image ID (prefix).
bool matches_ancestor(const engine::Container& c, const std::string& want) {
  const auto& r = c.rec;
  std::string id = r.image_id.size() > 7 ? r.image_id.substr(7) : "";
  std::string w = want.starts_with("sha256:") ? want.substr(7) : want;
  if (!id.empty() && w.size() >= 4 && id.compare(0, w.size(), w) == 0) return true;
  auto strip_latest = [](std::string s) {
    if (s.size() > 7 && s.substr(s.size() - 7) == ":latest") s.resize(s.size() - 7);
    return s;
  };
  std::string a = strip_latest(r.image), b = strip_latest(want);
  if (a == b) return true;
  std::string full = strip_latest(r.image_name);
  return full == b || full == "docker.io/library/" + b || full == "docker.io/" + b ||
         (full.size() > b.size() && full.compare(full.size() - b.size(), b.size(), b) == 0 && full[full.size() - b.size() - 1] == '/');
}

bool keep(const engine::Container& c, const Filters& f, const engine::Engine& e) {
  for (auto& [key, vals] : f.by_key) {
    bool any = false;
    if (key == "label") {
      // Several label filters are ANDed.
      for (auto& v : vals)
        if (!matches_label(c.rec.config.labels, v)) return false;
      continue;
    }
    for (auto& v : vals) {
      if (key == "id") any |= c.rec.id.compare(0, v.size(), v) == 0;
      else if (key == "name") {
        auto re = f.name_res.find(v);
        any |= c.rec.name == v || (re != f.name_res.end() && re->second->search(c.rec.name));
      } else if (key == "status") any |= engine::status_name(c.state.status) == v;
      else if (key == "exited") any |= c.state.status == engine::RunState::Exited && std::to_string(c.state.exit_code) == v;
      else if (key == "ancestor") any |= matches_ancestor(c, v);
      else if (key == "before" || key == "since") {
        auto ref = engine::find_container(e, v);
        if (ref) any |= key == "before" ? c.rec.created < ref->rec.created : c.rec.created > ref->rec.created;
      } else if (key == "network") any |= json_str(c.rec.host_config, "NetworkMode") == v;
      else if (key == "restart-policy") any |= restart_policy_name(c.rec) == v;
      else if (key == "pod") any |= !engine::pod_of(c.rec).empty() && engine::pod_of(c.rec) == engine::resolve_pod_id(e, v).value_or("-");
      else if (key == "publish" || key == "expose") {
        // Docker's: a port (or range, tcp by default) published now / exposed by the container.
        Json ports = engine::published_ports(e, c);
        const Json& exposed = c.rec.config.exposed_ports;
        for (auto& k : network::parse_expose(v).value_or({})) {
          if (key == "publish") any |= ports.contains(k) && ports[k].is_array() && !ports[k].empty();
          else any |= ports.contains(k) || (exposed.is_object() && exposed.contains(k));
        }
      }
      else if (key == "volume") {
        const Json& ms = c.rec.extra.mounts;
        if (ms.is_array())
          for (auto& m : ms) any |= json_str(m, "Name") == v || json_str(m, "Source") == v || json_str(m, "Destination") == v;
      }
    }
    if (!any) return false;
  }
  return true;
}

// Docker's list Command (moby daemon/list.go): Path, then the args, each one that contains a
// space in single quotes: "sh -c 'exit 3'".
std::string command_text(const engine::ContainerRecord& r) {
  std::vector<std::string> parts{r.path};
  for (auto& a : r.args) parts.push_back(a.find(' ') != std::string::npos ? "'" + a + "'" : a);
  return join(parts, " ");
}

}  // namespace

Result<std::vector<engine::Container>> filter_containers(const engine::Engine& e, const std::vector<std::string>& raw) {
  auto f = TRY(parse_filters(raw));
  auto list = TRY(engine::list_containers(e));
  std::erase_if(list, [&](const engine::Container& c) { return !keep(c, f, e); });
  return list;
}

Json ps_row(const engine::Engine& e, const engine::Container& c, bool no_trunc, bool size, bool pods, int64_t now,
           const std::map<std::string, uint64_t>& image_sizes) {
  const auto& r = c.rec;
  Json row = Json::object();
  row["Command"] = no_trunc ? go_quote(command_text(r)) : go_quote(ellipsis(command_text(r), 20));
  row["CreatedAt"] = format_go_time(r.created);
  row["ID"] = no_trunc ? r.id : r.id.substr(0, 12);
  std::string image = r.image.empty() ? r.rootfs : r.image;
  if (!r.image_id.empty() && r.image_id.size() > 7 && !image.empty() && r.image_id.compare(7, image.size(), image) == 0)
    image = r.image_id.substr(7, 12);
  row["Image"] = image;
  row["Labels"] = labels_text(r.config.labels);
  int volumes = 0;
  std::vector<std::string> mounts;
  const Json& ms = r.extra.mounts;
  if (ms.is_array())
    for (auto& m : ms) {
      if (json_str(m, "Type") == "volume") ++volumes;
      std::string label = json_str(m, "Type") == "volume" ? json_str(m, "Name") : json_str(m, "Source");
      mounts.push_back(no_trunc ? label : ellipsis(label, 15));
    }
  row["LocalVolumes"] = std::to_string(volumes);
  row["Mounts"] = join(mounts, ",");
  row["Names"] = r.name;
  row["Networks"] = json_str(r.host_config, "NetworkMode", "none");
  row["Ports"] = network::displayable_ports(engine::published_ports(e, c));
  row["RunningFor"] = human_duration(now - r.created) + " ago";
  if (size) {
    uint64_t rw = 0;
    rw = engine::container_size_rw(e, r);
    // Docker: the container's own layer, and that plus its image's layers.
    auto it = image_sizes.find(r.image_id);
    uint64_t image = it == image_sizes.end() ? 0 : it->second;
    row["Size"] = fmt::format("{} (virtual {})", human_size(double(rw)), human_size(double(rw + image)));
  } else {
    row["Size"] = "0B";
  }
  row["State"] = engine::status_name(c.state.status);
  row["Status"] = engine::status_text(c.state, now) + health_suffix(e, c);
  if (pods) {  // Podman's .Pod and .PodName: only asked for, so Docker's JSON rows keep Docker's keys
    std::string pod = engine::pod_of(r);
    row["Pod"] = no_trunc ? pod : pod.substr(0, 12);
    row["PodName"] = engine::pod_name(e, pod);
  }
  return row;
}

// Podman's ps --sort: rows arrive newest first (created); other keys sort ascending, stable.
static Status sort_ps_rows(std::vector<Json>& rows, const std::string& key) {
  static const std::map<std::string, std::string> kFields = {
      {"command", "Command"}, {"id", "ID"}, {"image", "Image"}, {"names", "Names"}, {"size", "Size"}, {"status", "Status"}};
  if (key == "created" || key == "runningfor") return ok();
  auto it = kFields.find(key);
  if (it == kFields.end())
    return fail(kInvalid, fmt::format("invalid option for --sort {}: use command, created, id, image, names, "
                                      "runningfor, size or status", go_quote(key)));
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const Json& x, const Json& y) { return json_str(x, it->second) < json_str(y, it->second); });
  return ok();
}

Result<int> cmd_ps(Context& ctx, const ParsedArgs& a) {
  if (podman_personality())
    if (auto r = podman_ps(ctx, a)) return std::move(*r);
  auto* e = ctx.engine;
  auto filters = TRY(parse_filters(a.list("filter")));
  int64_t last = a.has("last") ? a.num("last") : -1;
  if (a.flag("latest")) last = 1;
  bool all = a.flag("all") || last > 0 || filters.by_key.count("status") || filters.by_key.count("exited");
  auto list = TRY(engine::list_containers(*e));
  std::vector<Json> rows;
  int64_t now = now_ns();
  bool no_trunc = a.flag("no-trunc");
  bool quiet = a.flag("quiet");
  std::string format = a.str("format");
  bool size = a.flag("size") || format.find(".Size") != std::string::npos;
  bool pods = a.flag("pod") || format.find(".Pod") != std::string::npos;
  std::map<std::string, uint64_t> image_sizes;
  if (size) {
    auto store = e->store(false);
    if (store)
      if (auto images = (*store)->list_images())
        for (auto& img : *images) image_sizes[img.id] = img.size;
  }
  int64_t n = 0;
  for (auto& c : list) {
    if (last > 0 && n >= last) break;
    ++n;  // -n/-l count the newest containers before filtering by state, as Docker does
    if (!all && c.state.status != engine::RunState::Running && c.state.status != engine::RunState::Restarting) continue;
    if (!keep(c, filters, *e)) continue;
    if (quiet) {
      outf("{}\n", no_trunc ? c.rec.id : c.rec.id.substr(0, 12));
      continue;
    }
    rows.push_back(ps_row(*e, c, no_trunc, size, pods, now, image_sizes));
  }
  if (quiet) return 0;
  static const std::map<std::string, std::string> kHeaders = {
      {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},     {"Command", "COMMAND"},   {"RunningFor", "CREATED"},
      {"Status", "STATUS"},   {"Ports", "PORTS"},     {"Names", "NAMES"},       {"Size", "SIZE"},
      {"CreatedAt", "CREATED AT"}, {"State", "STATE"}, {"Labels", "LABELS"},    {"Mounts", "MOUNTS"},
      {"Networks", "NETWORKS"}, {"LocalVolumes", "LOCAL VOLUMES"}, {"Platform", "PLATFORM"},
      {"Pod", "POD ID"}, {"PodName", "PODNAME"}};
  std::string dflt = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}";
  if (a.flag("size")) dflt += "\\t{{.Size}}";
  if (a.flag("pod")) dflt += "\\t{{.Pod}}\\t{{.PodName}}";
  // {{.Label "key"}}: one label's value (Docker's ContainerContext.Label).
  static const TemplateMethods kMethods = {
      {"Label", TemplateMethod{{ArgKind::kString}, [](const Json& self, std::span<const Json> args) -> Result<Json> {
         std::string want = args[0].get<std::string>();
         for (auto& kv : split(json_str(self, "Labels"), ',')) {
           auto [k, v] = split_once(kv, '=');
           if (k == want) return Json(v.value_or(""));
         }
         return Json("");
       }}}};
  ListFormat lf{"*formatter.ContainerContext", &kMethods};
  lf.no_header = a.flag("noheading");
  TRY(sort_ps_rows(rows, a.str("sort", "created")));
  out(TRY(format_list(format, dflt, rows, kHeaders, lf)));
  return 0;
}

}  // namespace skiff::cli
