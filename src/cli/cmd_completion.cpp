// completion, __complete, __completeNoDesc.
#include <cstdlib>
#include <optional>

#include "complete.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

Result<int> cmd_completion(Context&, const ParsedArgs& a) {
  const std::string& shell = a.positional[0];
  std::string script = completion_script(shell, !a.flag("no-desc"));
  if (script.empty()) return fail(kUsage, fmt::format("unsupported shell {}: use bash, zsh or fish", go_quote(shell)));
  out(script);
  return 0;
}

// cobra: descriptions are off for __completeNoDesc, or when SKIFF_COMPLETION_DESCRIPTIONS
// (else COBRA_COMPLETION_DESCRIPTIONS) parses as false.
static bool want_descriptions(std::string_view invoked) {
  if (invoked == "__completeNoDesc") return false;
  const char* v = getenv("SKIFF_COMPLETION_DESCRIPTIONS");
  if (!v || !*v) v = getenv("COBRA_COMPLETION_DESCRIPTIONS");
  if (v && *v)
    if (auto b = parse_bool(v)) return *b;
  return true;
}

namespace {

// The store's candidates, with short names resolved as `run` and `rmi` resolve them: Docker Hub,
// then registries.conf's aliases or unqualified-search registries (read once, when needed).
class ConfSource final : public CompSource {
 public:
  explicit ConfSource(std::unique_ptr<CompSource> store) : store_(std::move(store)) {}
  std::vector<std::string> container_names(Which w, std::string_view p) override { return store_->container_names(w, p); }
  std::vector<std::string> container_ids(Which w, std::string_view p) override { return store_->container_ids(w, p); }
  std::vector<ImageName> image_names() override { return store_->image_names(); }
  std::vector<std::string> image_ids() override { return store_->image_ids(); }
  std::vector<std::string> volume_names(std::string_view p) override { return store_->volume_names(p); }
  std::vector<std::string> network_names(std::string_view p) override { return store_->network_names(p); }
  std::vector<std::string> pod_names(std::string_view p) override { return store_->pod_names(p); }
  std::vector<std::string> short_name_refs(std::string_view name) override {
    auto out = CompSource::short_name_refs(name);
    auto ref = oci::Reference::parse(name);
    if (out.empty() || !ref || !ref->is_short()) return out;
    if (!conf_loaded_) {
      conf_loaded_ = true;
      if (auto c = registry::load_registries_conf(registry::ConfigEnv::from_process())) conf_ = std::move(*c);
    }
    if (conf_)
      if (auto res = registry::resolve_short_name(*conf_, *ref, false))
        for (auto& c : res->candidates) out.push_back(c.str_with_default_tag());
    return out;
  }

 private:
  std::unique_ptr<CompSource> store_;
  bool conf_loaded_ = false;
  std::optional<registry::RegistriesConf> conf_;
};

}  // namespace

Result<int> cmd_complete(Context& ctx, const ParsedArgs& a) {
  auto make_source = [&](const GlobalOptions& typed) -> std::unique_ptr<CompSource> {
    GlobalOptions g = ctx.global;  // `skiff --root X __complete …` and `skiff __complete --root X …`
    if (!typed.root.empty()) g.root = typed.root;
    if (!typed.runroot.empty()) g.runroot = typed.runroot;
    auto p = resolve_paths(g.root, g.runroot);
    if (!p || !engine::settle_run_root(*p, false)) return nullptr;
    return std::make_unique<ConfSource>(store_source(p->graph_root, p->run_root));
  };
  std::vector<std::string> args = a.positional;
  if (args.empty()) args.emplace_back();
  CompResult r = complete(table(), args, make_source);
  if (!r.error.empty()) err(fmt::format("[Debug] [Error] {}\n", r.error));
  out(render_candidates(r, want_descriptions(ctx.invoked_as)));
  flush_out();
  err(fmt::format("Completion ended with directive: {}\n", directive_names(r.directive)));
  return 0;
}

}  // namespace skiff::cli
