// volume create, ls, inspect, rm, prune.
#include <unistd.h>

#include "docker_types.hpp"
#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/prune.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

// cmd_images.cpp: inspect's shared steps.
void inspect_object(const std::string& format, Json j, const Json& type, Json& all, bool& template_failed);
Result<int> inspect_result(const std::string& format, const Json& all, bool failed, bool template_failed);

// KEY=VALUE items (labels, driver options) as a JSON object; shared with cmd_network.cpp.
Json kv_object(const std::vector<std::string>& items) {
  Json o = Json::object();
  for (auto& l : items) {
    auto [k, v] = split_once(l, '=');
    o[k] = v.value_or("");
  }
  return o;
}

Result<int> cmd_volume_create(Context& ctx, const ParsedArgs& a) {
  std::string driver = a.str("driver", "local");
  if (driver != "local") return fail(kInvalid, fmt::format("volume driver \"{}\" is not available (local)", driver));
  auto* e = ctx.engine;
  std::string name = a.positional.empty() ? a.str("name") : a.positional[0];
  auto v = TRY(engine::create_volume(*e, name, kv_object(a.list("label")), kv_object(a.list("opt"))));
  outf("{}\n", v.name);
  return 0;
}

Result<int> cmd_volume_ls(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto vols = TRY(engine::list_volumes(*e));
  std::vector<Json> rows;
  for (auto& v : vols) {
    if (!TRY(engine::volume_matches(*e, v, a.list("filter")))) continue;
    if (a.flag("quiet")) {
      outf("{}\n", v.name);
      continue;
    }
    Json r = Json::object();
    r["Driver"] = v.driver;
    std::vector<std::string> labels;
    for (auto& [k, val] : v.labels.items()) labels.push_back(k + "=" + (val.is_string() ? val.get<std::string>() : ""));
    std::sort(labels.begin(), labels.end());
    r["Labels"] = join(labels, ",");
    r["Links"] = std::to_string(engine::volume_users(*e, v.name).size());
    r["Mountpoint"] = v.mountpoint;
    r["Name"] = v.name;
    r["Scope"] = "local";
    r["Size"] = "N/A";
    rows.push_back(std::move(r));
  }
  if (a.flag("quiet")) return 0;
  static const std::map<std::string, std::string> kHeaders = {{"Driver", "DRIVER"},         {"Name", "VOLUME NAME"},
                                                              {"Mountpoint", "MOUNTPOINT"}, {"Scope", "SCOPE"},
                                                              {"Labels", "LABELS"},         {"Links", "LINKS"},
                                                              {"Size", "SIZE"}};
  ListFormat lf;
  lf.no_header = a.flag("noheading");
  out(TRY(format_list(a.str("format"), "table {{.Driver}}\\t{{.Name}}", rows, kHeaders, lf)));
  return 0;
}

Result<int> cmd_volume_inspect(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  Json all = Json::array();
  bool failed = false, template_failed = false;
  std::string format = a.str("format");
  for (auto& name : a.positional) {
    auto v = engine::find_volume(*e, name);
    if (!v) {
      flush_out();
      print_error(v.error(), "");
      failed = true;
      continue;
    }
    inspect_object(format, engine::volume_json(*v), volume_type(), all, template_failed);
  }
  return inspect_result(format, all, failed, template_failed);
}

Result<int> cmd_volume_rm(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  bool failed = false;
  for (auto& name : a.positional) {
    auto st = engine::remove_volume(*e, name, a.flag("force"));
    if (!st) {
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

Result<int> cmd_volume_prune(Context& ctx, const ParsedArgs& a) {
  bool all = a.flag("all");
  if (!a.flag("force") &&
      !confirm(all ? "WARNING! This will remove all local volumes not used by at least one container.\n"
                     "Are you sure you want to continue? [y/N] "
                   : "WARNING! This will remove anonymous local volumes not used by at least one container.\n"
                     "Are you sure you want to continue? [y/N] "))
    return 0;
  auto* e = ctx.engine;
  auto pruned = TRY(engine::prune_volumes(*e, all, a.list("filter")));
  if (!pruned.removed.empty()) {
    out("Deleted Volumes:\n");
    for (auto& n : pruned.removed) outf("{}\n", n);
    out("\n");
  }
  outf("Total reclaimed space: {}\n", human_size(double(pruned.reclaimed)));
  return 0;
}

}  // namespace skiff::cli
