// Image archives: save and load.
#include <fcntl.h>
#include <unistd.h>

#include <map>

#include "handlers.hpp"
#include "output.hpp"
#include "skiff/image/archive.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

// cmd_image.cpp
Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates);

namespace {

// The images `save` writes, in the order first named, each with the tags it is saved under.
// As Docker: NAME:TAG saves that tag; a repository without a tag saves every tag it has (or
// :latest); an ID saves the image untagged.
Result<std::vector<image::SaveItem>> save_items(storage::Store& store, const std::vector<std::string>& args) {
  std::vector<image::SaveItem> items;
  std::map<std::string, size_t> by_id;
  auto add = [&](const std::string& id, const std::string& name) {
    auto [it, fresh] = by_id.emplace(id, items.size());
    if (fresh) items.push_back({id, {}});
    auto& names = items[it->second].names;
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  std::vector<storage::ImageRecord> all;
  bool listed = false;
  for (auto& arg : args) {
    auto ref = oci::Reference::parse(arg);
    if (ref && ref->tag().empty() && !ref->digest()) {
      if (!listed) {
        all = TRY(store.list_images());
        listed = true;
      }
      bool found = false;
      for (auto& img : all)
        for (auto& t : img.tags) {
          auto tr = oci::Reference::parse(t);
          if (tr && tr->name() == ref->name()) {
            add(img.id, t);
            found = true;
          }
        }
      if (found) continue;
    }
    auto rec = TRY(find_image(store, arg, nullptr));
    std::string name;
    if (ref) {
      std::string full = ref->digest() && ref->tag().empty() ? "" : ref->str_with_default_tag();
      for (auto& t : rec.tags)
        if (t == full) name = t;
    }
    add(rec.id, name);
  }
  return items;
}

}  // namespace

Result<int> cmd_save(Context& ctx, const ParsedArgs& a) {
  auto format = TRY(image::parse_archive_format(a.str("format", "docker-archive")));
  std::string output = a.str("output");
  if (!image::is_tar_format(format) && output.empty())
    return fail(kUsage, fmt::format("--format {} writes a directory: name it with -o", a.str("format")));
  if (output.empty() && stdout_is_tty())
    return fail(kUsage, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(false));
  auto items = TRY(save_items(*store, a.positional));
  if (!image::is_tar_format(format)) {
    auto st = image::save_dir(*store, items, format, output);
    if (!st) return wrap(std::move(st).error(), fmt::format("save to `{}`", output));
    return 0;
  }
  if (output.empty() || output == "-") {
    flush_out();
    FdSink sink(1);
    TRY(image::save_archive(*store, items, format, sink));
    return 0;
  }
  // Written next to the target and renamed into place: a failed save leaves no partial file.
  auto [dir, base] = split_dir_base(output);
  std::string tmp = fmt::format("{}/.{}.skiff-save-{}", dir.empty() ? "." : dir, base, random_hex(4));
  auto fd = TRY_CTX(open_path(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644), "save to `{}`", output);
  FdSink sink(fd.get());
  auto st = image::save_archive(*store, items, format, sink);
  if (st && fsync(fd.get()) < 0) st = fail_errno("fsync");
  fd.reset();
  if (st && rename(tmp.c_str(), output.c_str()) < 0) st = fail_errno(fmt::format("rename to `{}`", output));
  if (!st) {
    (void)unlink(tmp.c_str());
    return wrap(std::move(st).error(), fmt::format("save to `{}`", output));
  }
  return 0;
}

Result<int> cmd_load(Context& ctx, const ParsedArgs& a) {
  std::string input = a.str("input");
  UniqueFd fd;
  int in = 0;
  if (!input.empty() && input != "-") {
    fd = TRY_CTX(open_path(input, O_RDONLY), "load {}", input);
    in = fd.get();
  } else if (stdin_is_tty()) {
    return fail(kUsage, "requested load from stdin, but stdin is empty");
  }
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  FdSource src(in);
  auto loaded = TRY(image::load_archive(*store, src));
  for (auto& img : loaded) {
    if (img.names.empty()) {
      outf("Loaded image ID: {}\n", img.image_id);
      continue;
    }
    for (auto& n : img.names) {
      auto ref = oci::Reference::parse(n);
      outf("Loaded image: {}\n", ref ? ref->familiar() : n);
    }
  }
  return 0;
}

}  // namespace skiff::cli
