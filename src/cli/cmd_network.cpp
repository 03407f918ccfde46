// network create, ls, inspect, rm, prune, connect, disconnect, exists, reload.
#include <unistd.h>

#include <algorithm>

#include "docker_types.hpp"
#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/netnames.hpp"
#include "skiff/engine/prune.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

// cmd_images.cpp: inspect's shared steps.
void inspect_object(const std::string& format, Json j, const Json& type, Json& all, bool& template_failed);
Result<int> inspect_result(const std::string& format, const Json& all, bool failed, bool template_failed);

// cmd_volume.cpp: KEY=VALUE items as a JSON object.
Json kv_object(const std::vector<std::string>& items);

Result<int> cmd_network_create(Context& ctx, const ParsedArgs& a) {
  network::CreateRequest req;
  req.name = a.positional[0];
  req.driver = a.str("driver", "bridge");
  req.subnet = a.str("subnet");
  req.gateway = a.str("gateway");
  req.internal = a.flag("internal");
  req.labels = kv_object(a.list("label"));
  req.options = kv_object(a.list("opt"));
  auto* e = ctx.engine;
  auto n = TRY(engine::net_store(*e).create(req));
  outf("{}\n", n.id);
  return 0;
}

Result<int> cmd_network_ls(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto nets = TRY(engine::net_store(*e).list());
  std::sort(nets.begin(), nets.end(), [](auto& x, auto& y) { return x.name < y.name; });
  bool trunc = !a.flag("no-trunc");
  std::vector<Json> rows;
  for (auto& n : nets) {
    if (!TRY(engine::network_matches(*e, n, a.list("filter")))) continue;
    std::string id = trunc ? n.id.substr(0, 12) : n.id;
    if (a.flag("quiet")) {
      outf("{}\n", id);
      continue;
    }
    Json r = Json::object();
    r["ID"] = id;
    r["Name"] = n.name;
    r["Driver"] = n.driver;
    r["Scope"] = "local";
    r["IPv6"] = "false";
    r["Internal"] = n.internal ? "true" : "false";
    std::vector<std::string> labels;
    for (auto& [k, v] : n.labels.items()) labels.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
    std::sort(labels.begin(), labels.end());
    r["Labels"] = join(labels, ",");
    r["CreatedAt"] = n.predefined ? "" : format_go_time(n.created);
    rows.push_back(std::move(r));
  }
  if (a.flag("quiet")) return 0;
  static const std::map<std::string, std::string> kHeaders = {
      {"ID", "NETWORK ID"}, {"Name", "NAME"},         {"Driver", "DRIVER"},  {"Scope", "SCOPE"},
      {"IPv6", "IPV6"},     {"Internal", "INTERNAL"}, {"Labels", "LABELS"}, {"CreatedAt", "CREATED AT"}};
  out(TRY(format_list(a.str("format"), "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}", rows, kHeaders)));
  return 0;
}

Result<int> cmd_network_inspect(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto store = engine::net_store(*e);
  Json all = Json::array();
  bool failed = false, template_failed = false;
  std::string format = a.str("format");
  for (auto& name : a.positional) {
    auto n = store.find(name);
    if (!n) {
      flush_out();
      print_error(n.error(), "");
      failed = true;
      continue;
    }
    inspect_object(format, engine::network_json(*e, *n), network_type(), all, template_failed);
  }
  return inspect_result(format, all, failed, template_failed);
}

Result<int> cmd_network_rm(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  bool failed = false;
  for (auto& name : a.positional) {
    auto st = engine::remove_network(*e, name, a.flag("force"));
    if (!st) {
      if (a.flag("force") && st.error().code == kNotFound) continue;  // Docker's -f
      flush_out();
      print_error(st.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", name);
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_network_prune(Context& ctx, const ParsedArgs& a) {
  if (!a.flag("force") && !confirm("WARNING! This will remove all custom networks not used by at least one container.\n"
                                   "Are you sure you want to continue? [y/N] "))
    return 0;
  auto* e = ctx.engine;
  auto pruned = TRY(engine::prune_networks(*e, a.list("filter")));
  if (!pruned.removed.empty()) {
    out("Deleted Networks:\n");
    for (auto& n : pruned.removed) outf("{}\n", n);
  }
  return 0;
}

Result<int> cmd_network_connect(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  TRY(engine::connect_network(*e, a.positional[0], a.positional[1], a.str("ip"), a.list("alias")));
  return 0;
}

Result<int> cmd_network_disconnect(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  TRY(engine::disconnect_network(*e, a.positional[0], a.positional[1], a.flag("force")));
  return 0;
}

Result<int> cmd_network_exists(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto n = engine::net_store(*e).find(a.positional[0]);
  if (n) return 0;
  if (n.error().code == kNotFound) return 1;
  return n.error();
}

Result<int> cmd_network_reload(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  std::vector<std::string> ids;
  if (a.flag("all")) {
    if (!a.positional.empty()) return fail(kUsage, "--all and containers cannot be given together");
    for (auto& c : TRY(engine::list_containers(*e)))
      if (c.state.status == engine::RunState::Running) ids.push_back(c.rec.id);
  } else {
    if (a.positional.empty()) return fail(kUsage, "give one or more containers, or --all");
    for (auto& ref : a.positional) ids.push_back(TRY(engine::find_container(*e, ref)).rec.id);
  }
  bool failed = false;
  for (auto& id : ids) {
    auto st = engine::reload_names(*e, id);
    if (!st) {
      flush_out();
      print_error(st.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", id);
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

}  // namespace skiff::cli
