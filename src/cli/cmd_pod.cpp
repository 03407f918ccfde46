// pod create, ps, inspect, exists, start, stop, restart, kill, pause, unpause, rm, prune, top,
// logs, stats: Podman's pods (include/skiff/engine/pod.hpp). Output is Podman's in both
// personalities (Docker has no pods).
#include <signal.h>

#include <algorithm>
#include <map>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/gotmpl/tabwriter.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

std::string podman_table(const std::string& text) {
  gotmpl::TabWriter::Options o;
  o.min_width = 12;
  o.padding = 2;
  gotmpl::TabWriter tw(o);
  std::string s;
  tw.write(text, s);
  tw.flush(s);
  return s;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(tolower(ch));
  return s;
}

std::string ctr_state(const engine::Container& c) {
  if (c.state.paused) return "paused";
  return engine::status_name(c.state.status);
}

Result<std::vector<std::string>> pod_refs(Context& ctx, engine::Engine& e, const ParsedArgs& a) {
  std::vector<std::string> refs = a.positional;
  for (auto& f : a.list("pod-id-file")) {
    auto id = read_file(f, 4096);
    if (!id) return wrap(id.error(), fmt::format("read the pod ID file `{}`", f));
    refs.emplace_back(trim(*id));
  }
  bool all = a.flag("all"), latest = a.flag("latest");
  if ((all || latest) && !refs.empty()) return fail(kUsage, "--all and --latest cannot be used with pod names or IDs");
  if (all || latest) {
    auto pods = TRY(engine::list_pods(e));
    for (auto& p : pods) {
      refs.push_back(p.rec.id);
      if (latest) break;
    }
  } else if (refs.empty()) {
    return fail(kUsage, fmt::format("\"{}\" requires a pod name or ID, or --all or --latest", ctx.invoked_as));
  }
  return refs;
}

// Runs `op` on each pod: prints its ID, or the errors (all of them, Podman's way).
Result<int> for_each_pod(Context& ctx, const ParsedArgs& a,
                         const std::function<Status(engine::Engine&, const std::string&, std::vector<Error>&)>& op,
                         bool ignore_missing = false) {
  auto e = TRY(open_engine(ctx, true));
  auto refs = TRY(pod_refs(ctx, *e, a));
  bool failed = false;
  for (auto& ref : refs) {
    auto pod = engine::find_pod(*e, ref);
    if (!pod) {
      if (ignore_missing && pod.error().code == kNotFound) continue;
      flush_out();
      print_error(pod.error(), "");
      failed = true;
      continue;
    }
    std::vector<Error> errors;
    auto st = op(*e, pod->rec.id, errors);
    if (!st) errors.insert(errors.begin(), st.error());
    if (errors.empty()) {
      outf("{}\n", pod->rec.id);
      continue;
    }
    flush_out();
    for (auto& er : errors) print_error(er, "");
    failed = true;
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

std::optional<int> timeout_of(const ParsedArgs& a) {
  if (a.has("time")) return int(a.num("time"));
  return std::nullopt;
}

Result<bool> pod_matches(const engine::Pod& p, const std::vector<std::string>& filters, int64_t now) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (auto& f : filters) {
    auto [k, v] = split_once(f, '=');
    if (!v) return fail(kInvalid, fmt::format("invalid filter {}: want KEY=VALUE", go_quote(f)));
    by_key[k].push_back(*v);
  }
  std::string status = lower(engine::pod_status(p));
  for (auto& [k, values] : by_key) {
    bool any = false;
    for (auto& v : values) {
      if (k == "id") any |= p.rec.id.starts_with(v);
      else if (k == "name") any |= p.rec.name.find(v) != std::string::npos;
      else if (k == "status") {
        static const char* kStates[] = {"stopped", "running", "paused", "exited", "dead", "created", "degraded", "error"};
        if (std::none_of(std::begin(kStates), std::end(kStates), [&](const char* s) { return v == s; }))
          return fail(kInvalid, fmt::format("{} is not a valid status", v));
        any |= status == v;
      } else if (k == "label") {
        auto [lk, lv] = split_once(v, '=');
        any |= p.rec.labels.contains(lk) && (!lv || p.rec.labels[lk] == *lv);
      } else if (k == "ctr-names" || k == "ctr-ids" || k == "ctr-status") {
        for (auto& c : p.containers) {
          if (k == "ctr-names") any |= c.rec.name.find(v) != std::string::npos;
          if (k == "ctr-ids") any |= c.rec.id.starts_with(v);
          if (k == "ctr-status") any |= ctr_state(c) == v;
        }
      } else if (k == "ctr-number") {
        auto n = parse_int(v);
        if (!n) return fail(kInvalid, fmt::format("invalid ctr-number filter {}: want a number", go_quote(v)));
        any |= int64_t(p.containers.size()) == *n;
      } else if (k == "network") {
        const Json& nets = json_get(p.rec.infra_config, "Networks");
        if (nets.is_array())
          for (auto& n : nets) any |= n.is_string() && n.get<std::string>() == v;
      } else if (k == "until") {
        auto t = parse_time_filter(v, now);
        if (!t) return fail(kInvalid, fmt::format("invalid until filter {}", go_quote(v)));
        any |= p.rec.created < *t;
      } else {
        return fail(kInvalid, fmt::format("{} is an invalid filter", go_quote(k)));
      }
    }
    if (!any) return false;
  }
  return true;
}

Json networks_of(const engine::PodRecord& p) {
  const Json& n = json_get(p.infra_config, "Networks");
  return n.is_array() ? n : Json::array();
}

// `pod inspect`'s object (Podman 4's field names and order).
Json inspect_json(const engine::Pod& p) {
  Json j = Json::object();
  j["Id"] = p.rec.id;
  j["Name"] = p.rec.name;
  j["Created"] = format_local_rfc3339nano(p.rec.created);
  j["CreateCommand"] = p.rec.create_command;
  j["ExitPolicy"] = p.rec.exit_policy;
  j["State"] = engine::pod_status(p);
  j["Hostname"] = p.rec.hostname;
  j["Labels"] = p.rec.labels;
  j["CreateCgroup"] = false;
  j["CgroupParent"] = "";
  j["CgroupPath"] = "";
  j["CreateInfra"] = p.rec.infra;
  if (!p.rec.infra_id.empty()) {
    j["InfraContainerID"] = p.rec.infra_id;
    j["InfraConfig"] = p.rec.infra_config;
  }
  j["SharedNamespaces"] = p.rec.share.empty() ? Json(nullptr) : Json(p.rec.share);
  j["NumContainers"] = p.containers.size();
  Json cs = Json::array();
  for (auto& c : p.containers) {
    Json x = Json::object();
    x["Id"] = c.rec.id;
    x["Name"] = c.rec.name;
    x["State"] = ctr_state(c);
    cs.push_back(x);
  }
  j["Containers"] = cs;
  return j;
}

}  // namespace

Result<int> cmd_pod_create(Context& ctx, const ParsedArgs& a) {
  engine::PodCreateOptions o;
  if (!a.positional.empty()) {
    if (a.has("name")) return fail(kUsage, "cannot specify --name and a pod name as an argument");
    o.name = a.positional[0];
  } else {
    o.name = a.str("name");
  }
  o.hostname = a.str("hostname");
  o.network = a.has("network") ? a.str("network") : a.str("net");
  o.userns = a.str("userns");
  o.exit_policy = a.str("exit-policy", "continue");
  o.pod_id_file = a.str("pod-id-file");
  o.publish = a.list("publish");
  o.labels = a.list("label");
  o.label_files = a.list("label-file");
  o.add_hosts = a.list("add-host");
  o.dns = a.list("dns");
  o.dns_search = a.list("dns-search");
  o.dns_options = a.list("dns-option");
  if (a.has("share")) {
    o.share = a.str("share");
    o.share_given = true;
  }
  o.infra = a.flag("infra", true);
  o.infra_name = a.str("infra-name");
  o.replace = a.flag("replace");
  o.create_command = {"skiff"};
  o.create_command.insert(o.create_command.end(), command_line().begin(), command_line().end());
  auto e = TRY(open_engine(ctx, true));
  auto p = TRY(engine::create_pod(*e, o));
  outf("{}\n", p.id);
  return 0;
}

Result<int> cmd_pod_ps(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  auto pods = TRY(engine::list_pods(*e));
  int64_t now = now_ns();
  std::vector<engine::Pod> shown;
  for (auto& p : pods)
    if (TRY(pod_matches(p, a.list("filter"), now))) shown.push_back(std::move(p));
  if (a.flag("latest") && shown.size() > 1) shown.resize(1);
  std::string sort = a.str("sort", "created");
  auto key = [&](const engine::Pod& p) -> std::string {
    if (sort == "id") return p.rec.id;
    if (sort == "name") return p.rec.name;
    if (sort == "status") return engine::pod_status(p);
    if (sort == "number") return fmt::format("{:08}", p.containers.size());
    return "";
  };
  if (sort != "created") {
    if (sort != "id" && sort != "name" && sort != "status" && sort != "number")
      return fail(kInvalid, fmt::format("invalid option for --sort, options are: created, id, name, number, or status"));
    std::stable_sort(shown.begin(), shown.end(), [&](auto& x, auto& y) { return key(x) < key(y); });
  }
  bool trunc = !a.flag("no-trunc");
  auto id = [&](const std::string& s) { return trunc ? s.substr(0, 12) : s; };
  if (a.flag("quiet")) {
    for (auto& p : shown) outf("{}\n", id(p.rec.id));
    return 0;
  }
  std::string format = a.str("format");
  if (format == "json") {
    Json arr = Json::array();
    for (auto& p : shown) {
      Json j = Json::object();
      j["Cgroup"] = "";
      Json cs = Json::array();
      for (auto& c : p.containers) {
        Json x = Json::object();
        x["Id"] = c.rec.id;
        x["Names"] = c.rec.name;
        x["Status"] = ctr_state(c);
        cs.push_back(x);
      }
      j["Containers"] = cs;
      j["Created"] = format_local_rfc3339nano(p.rec.created);
      j["Id"] = p.rec.id;
      j["InfraId"] = p.rec.infra_id;
      j["Name"] = p.rec.name;
      j["Namespace"] = "";
      j["Networks"] = networks_of(p.rec);
      j["Status"] = engine::pod_status(p);
      j["Labels"] = p.rec.labels;
      arr.push_back(j);
    }
    outf("{}\n", arr.dump(2));
    return 0;
  }
  bool names = a.flag("ctr-names"), ids = a.flag("ctr-ids"), status = a.flag("ctr-status");
  std::vector<Json> rows;
  for (auto& p : shown) {
    Json r = Json::object();
    std::vector<std::string> cn, ci, cst;
    for (auto& c : p.containers) {
      cn.push_back(c.rec.name);
      ci.push_back(id(c.rec.id));
      cst.push_back(ctr_state(c));
    }
    r["ID"] = id(p.rec.id);
    r["Name"] = p.rec.name;
    r["Status"] = engine::pod_status(p);
    r["Created"] = human_duration(now - p.rec.created) + " ago";
    if (now - p.rec.created < 1000000000LL) r["Created"] = "Less than a second ago";
    r["InfraID"] = id(p.rec.infra_id);
    r["NumberOfContainers"] = std::to_string(p.containers.size());
    r["ContainerNames"] = join(cn, ",");
    r["ContainerIds"] = join(ci, ",");
    r["ContainerStatuses"] = join(cst, ",");
    r["Labels"] = p.rec.labels;
    r["Networks"] = join(json_get(p.rec.infra_config, "Networks").is_array()
                             ? json_get(p.rec.infra_config, "Networks").get<std::vector<std::string>>()
                             : std::vector<std::string>{},
                         ",");
    r["Cgroup"] = "";
    r["Namespace"] = "";
    rows.push_back(r);
  }
  if (format.empty() || format == "table") {
    std::string text;
    if (!a.flag("noheading")) {
      text = "POD ID\tNAME\tSTATUS\tCREATED\tINFRA ID\t";
      if (ids) text += "IDS\t";
      if (names) text += "NAMES\t";
      if (status) text += "STATUS\t";
      if (!ids && !names && !status) text += "# OF CONTAINERS\t";
      text.back() = '\n';
    }
    for (auto& r : rows) {
      text += fmt::format("{}\t{}\t{}\t{}\t{}\t", r["ID"].get<std::string>(), r["Name"].get<std::string>(),
                          r["Status"].get<std::string>(), r["Created"].get<std::string>(),
                          r["InfraID"].get<std::string>());
      if (ids) text += r["ContainerIds"].get<std::string>() + "\t";
      if (names) text += r["ContainerNames"].get<std::string>() + "\t";
      if (status) text += r["ContainerStatuses"].get<std::string>() + "\t";
      if (!ids && !names && !status) text += r["NumberOfContainers"].get<std::string>() + "\t";
      text.back() = '\n';
    }
    out(podman_table(text));
    return 0;
  }
  static const std::map<std::string, std::string> kHeaders = {
      {"ID", "POD ID"}, {"InfraID", "INFRA ID"}, {"NumberOfContainers", "# OF CONTAINERS"},
      {"ContainerNames", "NAMES"}, {"ContainerIds", "IDS"}, {"ContainerStatuses", "STATUS"}};
  ListFormat lf;
  lf.no_header = a.flag("noheading");
  out(TRY(format_list(format, "", rows, kHeaders, lf)));
  return 0;
}

Result<int> cmd_pod_inspect(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  std::vector<std::string> refs = a.positional;
  if (a.flag("latest")) {
    auto pods = TRY(engine::list_pods(*e));
    if (pods.empty()) return fail(kNotFound, "no pods to inspect");
    refs.push_back(pods[0].rec.id);
  }
  if (refs.empty()) return fail(kUsage, "\"skiff pod inspect\" requires a pod name or ID, or --latest");
  std::string format = a.str("format");
  Json all = Json::array();
  for (auto& ref : refs) {
    auto p = engine::find_pod(*e, ref);
    if (!p) return fail(kNotFound, fmt::format("inspecting object: no such pod {}", ref));
    Json j = inspect_json(*p);
    if (!format.empty() && format != "json") {
      out(TRY(format_object(format, j)));
      continue;
    }
    all.push_back(j);
  }
  if (!format.empty() && format != "json") return 0;
  // Podman 4.3 prints one pod as an object.
  const Json& shown = all.size() == 1 ? all[0] : all;
  outf("{}\n", shown.dump(5));
  return 0;
}

Result<int> cmd_pod_exists(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  auto p = engine::find_pod(*e, a.positional[0]);
  if (p) return 0;
  if (p.error().code == kNotFound) return 1;
  return p.error();
}

Result<int> cmd_pod_start(Context& ctx, const ParsedArgs& a) {
  std::string level = ctx.global.log_level;
  return for_each_pod(ctx, a, [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) {
    return engine::start_pod(e, id, level, errs);
  });
}

Result<int> cmd_pod_stop(Context& ctx, const ParsedArgs& a) {
  auto t = timeout_of(a);
  return for_each_pod(
      ctx, a,
      [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) { return engine::stop_pod(e, id, t, errs); },
      a.flag("ignore"));
}

Result<int> cmd_pod_restart(Context& ctx, const ParsedArgs& a) {
  std::string level = ctx.global.log_level;
  return for_each_pod(ctx, a, [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) -> Status {
    TRY(engine::stop_pod(e, id, std::nullopt, errs));
    if (!errs.empty()) return ok();
    return engine::start_pod(e, id, level, errs);
  });
}

Result<int> cmd_pod_kill(Context& ctx, const ParsedArgs& a) {
  std::string s = a.str("signal", "KILL");
  auto sig = engine::parse_signal(s);
  if (!sig) return fail(kInvalid, fmt::format("invalid signal: {}", s));
  return for_each_pod(ctx, a, [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) {
    return engine::kill_pod(e, id, *sig, errs);
  });
}

Result<int> cmd_pod_pause(Context& ctx, const ParsedArgs& a) {
  return for_each_pod(ctx, a, [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) {
    return engine::pause_pod(e, id, true, errs);
  });
}

Result<int> cmd_pod_unpause(Context& ctx, const ParsedArgs& a) {
  return for_each_pod(ctx, a, [&](engine::Engine& e, const std::string& id, std::vector<Error>& errs) {
    return engine::pause_pod(e, id, false, errs);
  });
}

Result<int> cmd_pod_rm(Context& ctx, const ParsedArgs& a) {
  bool force = a.flag("force");
  auto t = timeout_of(a);
  return for_each_pod(
      ctx, a,
      [&](engine::Engine& e, const std::string& id, std::vector<Error>&) { return engine::remove_pod(e, id, force, t); },
      a.flag("ignore"));
}

Result<int> cmd_pod_prune(Context& ctx, const ParsedArgs& a) {
  if (!a.flag("force") &&
      !confirm("WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] "))
    return 0;
  auto e = TRY(open_engine(ctx, true));
  auto pods = TRY(engine::list_pods(*e));
  bool failed = false;
  for (auto& p : pods) {
    std::string st = engine::pod_status(p);
    if (st == "Running" || st == "Degraded" || st == "Paused") continue;
    auto r = engine::remove_pod(*e, p.rec.id, false, std::nullopt);
    if (!r) {
      flush_out();
      print_error(r.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", p.rec.id);
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

// top, logs, stats: the container command over the pod's containers.
static Result<engine::Pod> one_pod(Context& ctx, engine::Engine& e, const ParsedArgs& a, size_t& used) {
  used = 0;
  if (a.flag("latest")) {
    auto pods = TRY(engine::list_pods(e));
    if (pods.empty()) return fail(kNotFound, "no pods found");
    return pods[0];
  }
  if (a.positional.empty()) return fail(kUsage, fmt::format("\"{}\" requires a pod name or ID, or --latest", ctx.invoked_as));
  used = 1;
  return engine::find_pod(e, a.positional[0]);
}

Result<int> cmd_pod_top(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  size_t used;
  auto p = TRY(one_pod(ctx, *e, a, used));
  std::vector<std::string> ps_args(a.positional.begin() + long(used), a.positional.end());
  std::vector<std::vector<std::string>> rows;
  bool any = false;
  for (auto& c : p.containers) {
    if (c.state.pid <= 0) continue;
    any = true;
    auto r = engine::top_container(*e, c.rec.id, ps_args);
    if (!r) return r.error();
    for (size_t i = rows.empty() ? 0 : 1; i < r->size(); ++i) rows.push_back((*r)[i]);
  }
  if (!any) return fail(kConflict, fmt::format("pod top can only be used on pods with at least one running container"));
  std::string text;
  for (auto& r : rows) text += join(r, "\t") + "\n";
  out(podman_table(text));
  return 0;
}

Result<int> cmd_pod_logs(Context& ctx, const ParsedArgs& a) {
  std::vector<std::string> ids;
  {
    auto* e = ctx.engine;  // .open: cmd_logs/cmd_stats below use it too
    size_t used;
    auto p = TRY(one_pod(ctx, *e, a, used));
    std::string only = a.str("container");
    for (auto& c : p.containers) {
      if (c.rec.id == p.rec.infra_id) continue;  // the infra writes no log
      if (!only.empty() && c.rec.name != only && !c.rec.id.starts_with(only)) continue;
      ids.push_back(c.rec.id);
    }
    if (!only.empty() && ids.empty())
      return fail(kNotFound, fmt::format("container {} is not in pod {}", only, p.rec.name));
  }
  if (ids.empty()) return 0;
  ParsedArgs b = a;
  b.positional = ids;
  b.values.erase("latest");
  b.values.erase("container");
  return cmd_logs(ctx, b);
}

Result<int> cmd_pod_stats(Context& ctx, const ParsedArgs& a) {
  std::vector<std::string> ids;
  {
    auto* e = ctx.engine;  // .open: cmd_logs/cmd_stats below use it too
    std::vector<engine::Pod> pods;
    if (a.flag("all") || a.positional.empty()) {
      pods = TRY(engine::list_pods(*e));
    } else {
      for (auto& ref : a.positional) pods.push_back(TRY(engine::find_pod(*e, ref)));
    }
    for (auto& p : pods)
      for (auto& c : p.containers)
        if (c.state.status == engine::RunState::Running) ids.push_back(c.rec.id);
  }
  if (ids.empty()) return fail(kConflict, "no running containers in the pods given");
  ParsedArgs b = a;
  b.positional = ids;
  b.values.erase("all");
  b.values.erase("latest");
  return cmd_stats(ctx, b);
}

}  // namespace skiff::cli
