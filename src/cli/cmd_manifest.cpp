// Manifest lists: manifest create, add, annotate, remove, inspect, rm, exists.
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/image/manifest_list.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

// cmd_image.cpp
Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates);

namespace {

Result<std::map<std::string, std::string>> parse_annotations(const ParsedArgs& a) {
  std::map<std::string, std::string> out;
  for (auto& kv : a.list("annotation")) {
    auto [k, v] = split_once(kv, '=');
    if (k.empty() || !v) return fail(kInvalid, fmt::format("no value given for annotation \"{}\": use KEY=VALUE", kv));
    out[k] = *v;
  }
  return out;
}

Result<image::EntryEdit> entry_edit(const ParsedArgs& a) {
  image::EntryEdit e;
  e.os = a.str("os");
  e.arch = a.str("arch");
  e.variant = a.str("variant");
  e.os_version = a.str("os-version");
  for (auto& f : a.list("os-features"))
    for (auto& x : split(f, ',')) e.os_features.push_back(x);
  for (auto& f : a.list("features"))
    for (auto& x : split(f, ',')) e.features.push_back(x);
  e.annotations = TRY(parse_annotations(a));
  return e;
}

// The list named `text`.
Result<image::ManifestList> find_list(storage::Store& store, const std::string& text) {
  auto rec = find_image(store, text, nullptr);
  if (!rec) {
    if (rec.error().code == kNotFound) return fail(kNotFound, fmt::format("{}: no such manifest list", text));
    return rec.error();
  }
  return image::read_list(store, *rec);
}

Result<std::string> list_name(const std::string& text) {
  auto ref = TRY(oci::Reference::parse(text));
  if (ref.digest()) return fail(kInvalid, fmt::format("{}: a manifest list is named by a tag, not a digest", text));
  return ref.str_with_default_tag();
}

// The entries IMAGE stands for: a local image (by name or ID), else the registry's
// (`docker://` forces the registry).
Result<std::vector<oci::Descriptor>> entries_for(storage::Store& store, std::string text, bool all,
                                                 const ParsedArgs& a) {
  bool remote = text.starts_with("docker://");
  if (remote) text = text.substr(9);
  if (!remote) {
    auto rec = find_image(store, text, nullptr);
    if (rec) return std::vector<oci::Descriptor>{TRY(image::local_entry(store, *rec))};
    if (rec.error().code != kNotFound) return rec.error();
  }
  return image::remote_entries(text, all, TRY(registry_client_options(a)));
}

void add_entries(oci::Index& index, const std::vector<oci::Descriptor>& entries, const image::EntryEdit& edit) {
  for (auto d : entries) {
    image::apply_edit(d, edit);
    bool replaced = false;
    for (auto& m : index.manifests)
      if (m.digest == d.digest) {
        m = d;
        replaced = true;
      }
    if (!replaced) index.manifests.push_back(d);
  }
}

// Docker's `manifest inspect` shape: three-space indentation; descriptors as mediaType, size,
// digest, platform.
Json index_inspect(const oci::Index& ix) {
  Json j = Json::object();
  j["schemaVersion"] = ix.schema_version;
  j["mediaType"] = ix.media_type;
  j["manifests"] = Json::array();
  for (auto& d : ix.manifests) {
    Json m = Json::object();
    m["mediaType"] = d.media_type;
    m["size"] = d.size;
    m["digest"] = d.digest.str();
    if (!d.annotations.empty()) {
      m["annotations"] = Json::object();
      for (auto& [k, v] : d.annotations) m["annotations"][k] = v;
    }
    if (d.platform) m["platform"] = oci::platform_json(*d.platform);
    j["manifests"].push_back(m);
  }
  if (!ix.annotations.empty()) {
    j["annotations"] = Json::object();
    for (auto& [k, v] : ix.annotations) j["annotations"][k] = v;
  }
  return j;
}

}  // namespace

Result<int> cmd_manifest_create(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  std::string name = TRY(list_name(a.positional[0]));
  oci::Index index;
  std::string old_id;
  std::vector<std::string> names{name};
  if (auto existing = store->lookup_image(name)) {
    if (!a.flag("amend"))
      return fail(kConflict, fmt::format("{} already exists: use --amend to add to it, or remove it first "
                                         "(`skiff manifest rm {}`)",
                                         a.positional[0], a.positional[0]));
    auto l = TRY(image::read_list(*store, *existing));
    index = l.index;
    old_id = l.id;
    names = l.names;
  }
  image::EntryEdit none;
  for (size_t i = 1; i < a.positional.size(); ++i)
    add_entries(index, TRY(entries_for(*store, a.positional[i], a.flag("all"), a)), none);
  for (auto& [k, v] : TRY(parse_annotations(a))) index.annotations[k] = v;
  outf("{}\n", TRY(image::store_list(*store, index, names, old_id)));
  return 0;
}

Result<int> cmd_manifest_add(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto l = TRY(find_list(*store, a.positional[0]));
  auto edit = TRY(entry_edit(a));
  add_entries(l.index, TRY(entries_for(*store, a.positional[1], a.flag("all"), a)), edit);
  outf("{}\n", TRY(image::store_list(*store, l.index, l.names, l.id)));
  return 0;
}

Result<int> cmd_manifest_annotate(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto l = TRY(find_list(*store, a.positional[0]));
  auto edit = TRY(entry_edit(a));
  const std::string& target = a.positional[1];
  std::optional<oci::Digest> digest;
  if (target.starts_with("sha256:")) {
    digest = TRY(oci::Digest::parse(target));
  } else {
    auto entries = TRY(entries_for(*store, target, false, a));
    digest = entries.at(0).digest;
  }
  bool found = false;
  for (auto& m : l.index.manifests)
    if (m.digest == *digest) {
      image::apply_edit(m, edit);
      found = true;
    }
  if (!found) return fail(kNotFound, fmt::format("{} is not in manifest list {}", digest->str(), a.positional[0]));
  outf("{}\n", TRY(image::store_list(*store, l.index, l.names, l.id)));
  return 0;
}

Result<int> cmd_manifest_remove(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto l = TRY(find_list(*store, a.positional[0]));
  auto digest = TRY(oci::Digest::parse(a.positional[1]));
  size_t before = l.index.manifests.size();
  std::erase_if(l.index.manifests, [&](const oci::Descriptor& d) { return d.digest == digest; });
  if (l.index.manifests.size() == before)
    return fail(kNotFound, fmt::format("{} is not in manifest list {}", digest.str(), a.positional[0]));
  outf("{}\n", TRY(image::store_list(*store, l.index, l.names, l.id)));
  return 0;
}

Result<int> cmd_manifest_inspect(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(false));
  const std::string& text = a.positional[0];
  auto rec = find_image(*store, text, nullptr);
  if (rec && image::is_list_media_type(rec->manifest_media_type)) {
    auto l = TRY(image::read_list(*store, *rec));
    outf("{}\n", to_json_pretty(index_inspect(l.index), 3));
    return 0;
  }
  if (!rec && rec.error().code != kNotFound) return rec.error();
  // Not a local list: the registry's manifest or index, as Docker does.
  auto raw = TRY(image::remote_manifest(text, TRY(registry_client_options(a))));
  auto j = TRY(parse_json(raw, "manifest"));
  outf("{}\n", to_json_pretty(j, 3));
  return 0;
}

Result<int> cmd_manifest_push(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, a.flag("purge")));
  storage::Store* store = TRY(e->store(a.flag("purge")));
  auto l = TRY(find_list(*store, a.positional[0]));
  std::string dest = a.positional.size() > 1 ? a.positional[1] : a.positional[0];
  if (dest.starts_with("docker://")) dest = dest.substr(9);
  std::string digest = TRY(image::push_list(l, dest, TRY(registry_client_options(a))));
  if (a.has("digestfile")) TRY(write_file_atomic(a.str("digestfile"), digest, 0644, false));
  if (a.flag("purge")) TRY(store->remove_image(l.id, {.force = true}));
  outf("{}\n", digest);
  return 0;
}

Result<int> cmd_manifest_rm(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  bool failed = false;
  for (auto& text : a.positional) {
    auto l = find_list(*store, text);
    Result<std::vector<storage::RemoveEvent>> ev = l ? store->remove_image(l->id, {.force = true})
                                                     : Result<std::vector<storage::RemoveEvent>>(l.error());
    if (!ev) {
      flush_out();
      print_error(ev.error(), "");
      failed = true;
      continue;
    }
    for (auto& x : *ev) {
      auto ref = oci::Reference::parse(x.what);
      outf("{}: {}\n", x.deleted ? "Deleted" : "Untagged", x.deleted || !ref ? x.what : ref->familiar());
    }
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_manifest_exists(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(false));
  auto l = find_list(*store, a.positional[0]);
  if (l) return 0;
  if (l.error().code == kNotFound || l.error().code == kInvalid) return 1;
  return l.error();
}

}  // namespace skiff::cli
