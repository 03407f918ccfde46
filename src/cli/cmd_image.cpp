// Image commands: pull, images, rmi, tag, image inspect, history, image prune; and the image
// lookup (pulling if needed) behind create and run.
#include <fnmatch.h>
#include <set>
#include <unistd.h>

#include "complete_sources.hpp"
#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "pull_display.hpp"
#include "skiff/image/manifest_list.hpp"
#include "skiff/image/pull.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

Result<image::PullOptions> pull_options(const ParsedArgs& a) {
  image::PullOptions o;
  o.client = TRY(registry_client_options(a));
  std::string plat = a.str("platform");
  if (plat.empty() && (a.has("arch") || a.has("os") || a.has("variant"))) {
    auto host = oci::Platform::host();
    plat = a.str("os", host.os) + "/" + a.str("arch", host.architecture);
    if (a.has("variant")) plat += "/" + a.str("variant");
  }
  if (!plat.empty()) o.platform = TRY(oci::Platform::parse(plat));
  return o;
}

}  // namespace

// The names a user's text may mean locally, most specific first: the normalised reference
// (docker.io/library/x:latest), and for short names the registries.conf candidates.
std::vector<std::string> local_candidates(const std::string& text) {
  std::vector<std::string> out;
  auto ref = oci::Reference::parse(text);
  if (!ref) return out;
  out.push_back(ref->digest() && ref->tag().empty() ? ref->str() : ref->str_with_default_tag());
  if (ref->is_short()) {
    auto env = registry::ConfigEnv::from_process();
    if (auto conf = registry::load_registries_conf(env)) {
      if (auto res = registry::resolve_short_name(*conf, *ref, false))
        for (auto& c : res->candidates) out.push_back(c.digest() && c.tag().empty() ? c.str() : c.str_with_default_tag());
    }
  }
  return out;
}

/// Finds a local image by name (normalised), ID or ID prefix.
Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates) {
  for (auto& name : candidates ? *candidates : local_candidates(text))
    if (auto r = store.lookup_image(name)) return r;
  if (auto r = store.lookup_image(text); r || r.error().code == kConflict) return r;
  return fail(kNotFound, fmt::format("No such image: {}", text));
}

Result<engine::ImageDefaults> image_defaults(engine::Engine& e, storage::Store& store, const storage::ImageRecord& rec,
                                             const std::string& name) {
  (void)e;
  if (image::is_list_media_type(rec.manifest_media_type))
    return fail(kInvalid, fmt::format("{} is a manifest list: run one of its images (`skiff manifest inspect {}` lists them)",
                                      name.empty() ? rec.id : name, name.empty() ? rec.id : name));
  engine::ImageDefaults d;
  d.id = rec.id;
  d.name = name.empty() && !rec.tags.empty() ? rec.tags[0] : name;
  auto cfg = TRY(parse_json(TRY(store.image_config(rec.id)), "image config"));
  d.config = json_get(cfg, "config").is_object() ? cfg["config"] : Json::object();
  d.top_layer = rec.top_layer;
  if (store.driver() == storage::Driver::Overlay && !rec.top_layer.empty())
    d.layer_dirs = TRY(store.overlay_lowers(rec.top_layer));
  else if (!rec.top_layer.empty())
    d.vfs_source = TRY(store.layer_diff_path(rec.top_layer));
  return d;
}

Result<engine::ImageDefaults> resolve_run_image(Context& ctx, engine::Engine& e, const std::string& ref,
                                                const std::string& pull_policy, const ParsedArgs& a) {
  (void)ctx;
  if (pull_policy != "always" && pull_policy != "missing" && pull_policy != "never" && pull_policy != "newer")
    return fail(kInvalid, fmt::format("invalid pull policy \"{}\" (always, missing, never, newer)", pull_policy));
  storage::Store* store = TRY(e.store(true));
  // By name first without the image's other names (reading them all costs ~2 ms with 500
  // images, on every `run`): the container records the name it was found by.
  auto candidates = local_candidates(ref);
  if (pull_policy != "always" && pull_policy != "newer")
    for (auto& name : candidates)
      if (auto r = store->lookup_image(name, false)) return image_defaults(e, *store, *r, name);
  auto local = find_image(*store, ref, &candidates);
  if (local && pull_policy != "always" && pull_policy != "newer") return image_defaults(e, *store, *local, "");
  if (!local && local.error().code != kNotFound) return local.error();
  if (pull_policy == "never") return fail(kNotFound, fmt::format("No such image: {}", ref));
  // A malformed reference (`Busybox`) is refused before the "Unable to find" notice, as Docker
  // does (it parses the reference before asking the daemon).
  std::string shown = ref;
  if (!local) {
    auto parsed = TRY(oci::Reference::parse(ref));
    // Docker names it in its familiar form with the default tag: 'busybox:latest'.
    shown = oci::familiar(parsed.digest() && parsed.tag().empty() ? parsed.str() : parsed.str_with_default_tag());
  }
  // Docker: the notice and the pull progress go to stderr, so stdout stays the container's.
  bool quiet = a.flag("quiet");
  if (!local && !quiet) err(fmt::format("Unable to find image '{}' locally\n", shown));
  auto po = TRY(pull_options(a));
  PullDisplay display(2, quiet);
  po.progress = [&](const image::PullEvent& ev) { display.on_event(ev); };
  auto res = image::pull(*store, ref, po);
  if (!res) {
    if (local && pull_policy == "newer") return image_defaults(e, *store, *local, "");
    return res.error();
  }
  if (!quiet) {
    err(fmt::format("Digest: {}\nStatus: {} for {}\n", res->digest,
                    res->downloaded ? "Downloaded newer image" : "Image is up to date", res->familiar));
  }
  auto rec = TRY(store->lookup_image(res->image_id));
  return image_defaults(e, *store, rec, res->name);
}

Result<int> cmd_pull(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto po = TRY(pull_options(a));
  bool quiet = a.flag("quiet");
  PullDisplay display(1, quiet);
  po.progress = [&](const image::PullEvent& ev) {
    flush_out();
    display.on_event(ev);
  };
  std::vector<std::string> refs{a.positional[0]};
  auto ref = TRY(oci::Reference::parse(a.positional[0]));
  if (a.flag("all-tags")) {
    if (!ref.tag().empty() || ref.digest()) return fail(kInvalid, "tag can't be used with --all-tags/-a");
    auto tags = TRY(image::list_tags(ref.name(), po));
    refs.clear();
    for (auto& t : tags) refs.push_back(ref.name() + ":" + t);
  } else if (ref.tag().empty() && !ref.digest() && !quiet) {
    outf("Using default tag: latest\n");
  }
  for (auto& r : refs) {
    auto res = TRY(image::pull(*store, r, po));
    log_event(*e, "image", "pull", res.name, {{"name", res.name}});
    // Docker prints the reference it pulled, also with -q (which only hides the progress).
    if (quiet) {
      outf("{}\n", res.name);
      continue;
    }
    outf("Digest: {}\nStatus: {} for {}\n{}\n", res.digest,
         res.downloaded ? "Downloaded newer image" : "Image is up to date", res.familiar, res.name);
  }
  return 0;
}

}  // namespace skiff::cli
