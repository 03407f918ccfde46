// auto-update: containers labelled io.containers.autoupdate=registry|local, running in systemd
// units (their PODMAN_SYSTEMD_UNIT label, recorded at create from the unit's environment), get
// the newer image and their unit restarted, rolled back when the restart fails (Podman's).
#include <unistd.h>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/image/manifest_list.hpp"
#include "skiff/image/pull.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

namespace {

// systemctl [--user] restart UNIT (the user's manager when not root).
Status restart_unit(const std::string& unit) {
  std::vector<std::string> argv{"systemctl"};
  if (geteuid() != 0) argv.push_back("--user");
  argv.insert(argv.end(), {"restart", unit});
  auto r = TRY(run_program(argv));
  if (!r.ok()) return fail(EIO, fmt::format("restart {}: {}", unit, trim(r.err)));
  return ok();
}

}  // namespace

Result<int> cmd_auto_update(Context& ctx, const ParsedArgs& a) {
  bool dry = a.flag("dry-run"), rollback = a.flag("rollback", true);
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto list = TRY(engine::list_containers(*e));
  image::PullOptions po;
  po.client = TRY(registry_client_options(a));
  std::vector<Json> rows;
  std::vector<std::string> errors;
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    std::string policy = it->rec.config.label("io.containers.autoupdate");
    if (policy.empty() || it->state.status != engine::RunState::Running) continue;
    auto c = engine::find_container(*e, it->rec.id);
    if (!c) continue;
    std::string unit = c->rec.config.label("PODMAN_SYSTEMD_UNIT");
    std::string image = c->rec.image_name.empty() ? c->rec.image : c->rec.image_name;
    Json row = Json::object();
    row["Unit"] = unit;
    row["ContainerID"] = c->rec.id.substr(0, 12);
    row["ContainerName"] = c->rec.name;
    row["Container"] = fmt::format("{} ({})", c->rec.id.substr(0, 12), c->rec.name);
    row["Image"] = image;
    row["Policy"] = policy;
    auto problem = [&](const std::string& msg) {
      errors.push_back(fmt::format("auto-updating container {}: {}", c->rec.id, msg));
    };
    if (policy != "registry" && policy != "local") {
      problem(fmt::format("invalid auto-update policy \"{}\" (registry, local)", policy));
      continue;
    }
    if (unit.empty()) {
      problem("no PODMAN_SYSTEMD_UNIT label found (it is recorded when the container is created by a systemd unit)");
      continue;
    }
    // Is a newer image there? registry: the registry's manifest for the name against the
    // container's image; local: the image the name now points to in the store.
    bool newer = false;
    if (policy == "registry") {
      auto ref = oci::Reference::parse(image);
      if (!ref || ref->str_with_default_tag() != image) {
        problem(fmt::format("image {} is not a fully-qualified name: the registry policy needs one", image));
        continue;
      }
      auto remote = image::remote_entries(image, false, po.client);
      if (!remote || remote->empty()) {
        problem(remote ? "the registry lists no image for this platform" : remote.error().msg);
        continue;
      }
      auto local = store->lookup_image(c->rec.image_id, false);
      newer = !local || local->manifest_digest != (*remote)[0].digest.str();
    } else {
      auto now = store->lookup_image(image, false);
      newer = now && now->id != c->rec.image_id;
    }
    if (!newer) {
      row["Updated"] = "false";
    } else if (dry) {
      row["Updated"] = "pending";
    } else {
      if (policy == "registry") {
        auto pulled = image::pull(*store, image, po);
        if (!pulled) {
          row["Updated"] = "failed";
          problem(fmt::format("pull {}: {}", image, pulled.error().msg));
          rows.push_back(row);
          continue;
        }
      }
      auto st = restart_unit(unit);
      if (st) {
        row["Updated"] = "true";
      } else if (rollback) {
        // The old image takes the name back; the unit is restarted with it.
        auto back = store->tag_image(c->rec.image_id, image);
        auto again = back ? restart_unit(unit) : Status(back.error());
        row["Updated"] = again ? "rolled back" : "failed";
        problem(again ? st.error().msg : fmt::format("{}; rolling back: {}", st.error().msg, again.error().msg));
      } else {
        row["Updated"] = "failed";
        problem(st.error().msg);
      }
    }
    rows.push_back(row);
  }
  static const std::map<std::string, std::string> kHeaders = {
      {"Unit", "UNIT"},   {"Container", "CONTAINER"}, {"ContainerName", "CONTAINER NAME"}, {"ContainerID", "CONTAINER ID"},
      {"Image", "IMAGE"}, {"Policy", "POLICY"},       {"Updated", "UPDATED"}};
  out(TRY(format_list(a.str("format"), "table {{.Unit}}\\t{{.Container}}\\t{{.Image}}\\t{{.Policy}}\\t{{.Updated}}", rows,
                      kHeaders)));
  if (!errors.empty()) {
    flush_out();
    for (auto& m : errors) err(fmt::format("Error: {}\n", m));
    return fail(kPartial, "");
  }
  return 0;
}

}  // namespace skiff::cli
