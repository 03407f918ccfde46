// The podman personality's listings: `ps` and `images` as Podman 4 prints them (table layout:
// Go tabwriter with min width 12 and padding 2; oldest container first; `--format json` as
// Podman's arrays). Custom Go templates go through the Docker code path (same field names).
#include <algorithm>
#include <map>

#include "handlers.hpp"
#include "output.hpp"
#include "skiff/gotmpl/tabwriter.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/oci/digest.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

// Podman's zero time.Time as a Unix time.
constexpr int64_t kZeroUnix = -62135596800;

std::string table(const std::string& text) {
  gotmpl::TabWriter::Options o;
  o.min_width = 12;
  o.padding = 2;
  gotmpl::TabWriter tw(o);
  std::string out;
  tw.write(text, out);
  tw.flush(out);
  return out;
}

// json.MarshalIndent(v, "", indent); Podman's encoder prints an empty struct as "{\n<indent>\n}".
std::string pretty(const Json& j, int indent) {
  std::string s = j.dump(indent);
  std::string in(size_t(indent) * 2, ' '), in3(size_t(indent) * 3, ' ');
  std::string from = "\"Namespaces\": {}", to = "\"Namespaces\": {\n" + in3 + "\n" + in + "}";
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s + "\n";
}

std::string ago(int64_t ns, int64_t now) { return human_duration(now - ns) + " ago"; }

std::string podman_status(const engine::Container& c, int64_t now) {
  switch (c.state.status) {
    case engine::RunState::Running:
      return "Up " + ago(c.state.started_at, now);
    case engine::RunState::Exited:
      return fmt::format("Exited ({}) {}", c.state.exit_code, ago(c.state.finished_at, now));
    case engine::RunState::Created:
      return "Created";
    default: {
      std::string s = engine::status_name(c.state.status);
      if (!s.empty()) s[0] = char(toupper(s[0]));
      return s;
    }
  }
}

int64_t unix_or_zero(int64_t ns) { return ns ? ns / 1000000000 : kZeroUnix; }

}  // namespace

std::optional<Result<int>> podman_ps(Context& ctx, const ParsedArgs& a) {
  std::string format = a.str("format");
  bool json = format == "json";
  if (!format.empty() && format != "table" && !json) return std::nullopt;
  auto run = [&]() -> Result<int> {
    auto* e = ctx.engine;  // ps and images: Open::EngineRead
    auto list = TRY(filter_containers(*e, a.list("filter")));
    int64_t last = a.has("last") ? a.num("last") : -1;
    if (a.flag("latest")) last = 1;
    auto fl = a.list("filter");
    bool by_state = std::any_of(fl.begin(), fl.end(), [](auto& f) { return f.starts_with("status=") || f.starts_with("exited="); });
    bool all = a.flag("all") || last > 0 || by_state;
    std::vector<engine::Container> rows;
    for (auto& c : list) {
      if (last > 0 && int64_t(rows.size()) >= last) break;
      if (!all && c.state.status != engine::RunState::Running && c.state.status != engine::RunState::Restarting) continue;
      rows.push_back(c);
    }
    std::reverse(rows.begin(), rows.end());  // Podman: oldest first
    std::string key = a.str("sort", "created");
    auto by = [&](auto proj) {
      std::stable_sort(rows.begin(), rows.end(), [&](auto& x, auto& y) { return proj(x) < proj(y); });
    };
    if (key == "id") by([](const engine::Container& c) { return c.rec.id; });
    else if (key == "names") by([](const engine::Container& c) { return c.rec.name; });
    else if (key == "image") by([](const engine::Container& c) { return c.rec.image_name; });
    else if (key == "status") by([](const engine::Container& c) { return engine::status_name(c.state.status); });
    else if (key == "command") by([](const engine::Container& c) { return c.rec.path; });
    else if (key != "created" && key != "runningfor" && key != "size")
      return fail(kInvalid, fmt::format("invalid option for --sort {}: use command, created, id, image, names, "
                                        "runningfor, size or status", go_quote(key)));
    bool no_trunc = a.flag("no-trunc");
    if (a.flag("quiet")) {
      for (auto& c : rows) outf("{}\n", no_trunc ? c.rec.id : c.rec.id.substr(0, 12));
      return 0;
    }
    int64_t now = now_ns();
    if (json) {
      Json arr = Json::array();
      for (auto& c : rows) {
        // Full record for the command, labels and mounts (summaries hold only some of them).
        auto full = engine::find_container(*e, c.rec.id);
        const engine::ContainerRecord& r = full ? full->rec : c.rec;
        Json o = Json::object();
        o["AutoRemove"] = json_bool(r.host_config, "AutoRemove");
        Json cmd = Json::array({r.path});
        for (auto& x : r.args) cmd.push_back(x);
        o["Command"] = cmd;
        o["CreatedAt"] = human_duration(now - r.created) + " ago";
        bool exited = c.state.status == engine::RunState::Exited;
        o["Exited"] = exited;
        o["ExitedAt"] = unix_or_zero(c.state.finished_at);
        o["ExitCode"] = c.state.exit_code;
        o["Id"] = r.id;
        o["Image"] = r.image_name.empty() ? (r.image.empty() ? r.rootfs : r.image) : r.image_name;
        o["ImageID"] = r.image_id.starts_with("sha256:") ? r.image_id.substr(7) : r.image_id;
        o["IsInfra"] = engine::is_pod_infra(r);
        const Json& labels = r.config.labels;
        o["Labels"] = labels.is_object() && !labels.empty() ? labels : Json(nullptr);
        Json mounts = Json::array();
        const Json& ms = r.extra.mounts;
        if (ms.is_array())
          for (auto& m : ms) mounts.push_back(json_str(m, "Destination"));
        o["Mounts"] = mounts;
        o["Names"] = Json::array({r.name});
        o["Namespaces"] = Json::object();
        std::string net = json_str(r.host_config, "NetworkMode", "none");
        o["Networks"] = net == "none" || net == "host" ? Json::array() : Json::array({net});
        o["Pid"] = c.state.status == engine::RunState::Running ? c.state.pid : 0;
        o["Pod"] = engine::pod_of(r);
        o["PodName"] = engine::pod_name(*e, engine::pod_of(r));
        o["Ports"] = nullptr;
        o["Size"] = nullptr;
        o["StartedAt"] = unix_or_zero(c.state.started_at);
        o["State"] = engine::status_name(c.state.status);
        o["Status"] = podman_status(c, now);
        o["Created"] = r.created / 1000000000;
        arr.push_back(std::move(o));
      }
      out(pretty(arr, 2));
      return 0;
    }
    bool pods = a.flag("pod");
    std::string text = a.flag("noheading") ? "" : pods ? "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\tPOD ID\tPODNAME\n"
                                                       : "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n";
    for (auto& c : rows) {
      const auto& r = c.rec;
      std::string cmd = r.path;
      for (auto& x : r.args) cmd += " " + x;
      if (!no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";
      std::string image = r.image_name.empty() ? (r.image.empty() ? r.rootfs : r.image) : r.image_name;
      text += fmt::format("{}\t{}\t{}\t{}\t{}\t\t{}", no_trunc ? r.id : r.id.substr(0, 12), image, cmd,
                          human_duration(now - r.created) + " ago", podman_status(c, now), r.name);
      if (pods) {
        std::string pod = engine::pod_of(r);
        text += fmt::format("\t{}\t{}", no_trunc ? pod : pod.substr(0, 12), engine::pod_name(*e, pod));
      }
      text += "\n";
    }
    out(table(text));
    return 0;
  };
  return run();
}

std::optional<Result<int>> podman_images(Context& ctx, const ParsedArgs& a) {
  std::string format = a.str("format");
  bool json = format == "json";
  if (!format.empty() && format != "table" && !json) return std::nullopt;
  if (!a.list("filter").empty() || !a.positional.empty() || a.flag("digests")) return std::nullopt;
  auto run = [&]() -> Result<int> {
    auto* e = ctx.engine;  // ps and images: Open::EngineRead
    storage::Store* store = TRY(e->store(false));
    auto images = TRY(store->list_images());
    std::map<std::string, int> users;
    if (auto cs = engine::list_containers(*e))
      for (auto& c : *cs) users[c.rec.image_id]++;
    bool quiet = a.flag("quiet"), no_trunc = a.flag("no-trunc");
    auto hex = [](const std::string& id) { return id.starts_with("sha256:") ? id.substr(7) : id; };
    if (quiet) {
      for (auto& img : images) outf("{}\n", no_trunc ? img.id : hex(img.id).substr(0, 12));
      return 0;
    }
    int64_t now = now_ns();
    if (json) {
      Json arr = Json::array();
      for (auto& img : images) {
        Json o = Json::object();
        o["Id"] = hex(img.id);
        o["ParentId"] = hex(img.parent);
        o["RepoTags"] = nullptr;
        o["RepoDigests"] = img.digests;
        o["Size"] = img.size;
        o["SharedSize"] = 0;
        o["VirtualSize"] = img.size;
        Json labels = nullptr;
        if (auto cfg = store->image_config(img.id))
          if (auto j = parse_json(*cfg, "image config")) {
            const Json& l = json_get(json_get(*j, "config"), "Labels");
            if (l.is_object() && !l.empty()) labels = l;
          }
        o["Labels"] = labels;
        o["Containers"] = users[img.id];
        o["Names"] = img.tags;
        o["Digest"] = img.manifest_digest;
        o["History"] = img.tags;
        o["Created"] = img.created_ns / 1000000000;
        o["CreatedAt"] = format_rfc3339(img.created_ns);
        arr.push_back(std::move(o));
      }
      out(pretty(arr, 4));
      return 0;
    }
    std::string text = a.flag("noheading") ? "" : "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n";
    for (auto& img : images) {
      std::string id = no_trunc ? img.id : hex(img.id).substr(0, 12);
      std::string created = img.created_ns ? ago(img.created_ns, now) : "N/A";
      std::string size = human_size(double(img.size));
      // Podman: "2.14 MB", a space before the unit.
      size_t u = size.find_first_not_of("0123456789.");
      if (u != std::string::npos) size.insert(u, " ");
      if (img.tags.empty()) {
        text += fmt::format("<none>\t<none>\t{}\t{}\t{}\n", id, created, size);
        continue;
      }
      for (auto& t : img.tags) {
        auto colon = t.rfind(':');
        bool has_tag = colon != std::string::npos && t.find('/', colon) == std::string::npos;
        text += fmt::format("{}\t{}\t{}\t{}\t{}\n", has_tag ? t.substr(0, colon) : t, has_tag ? t.substr(colon + 1) : "<none>",
                            id, created, size);
      }
    }
    out(table(text));
    return 0;
  };
  return run();
}

}  // namespace skiff::cli
