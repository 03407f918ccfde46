// completion, __complete, __completeNoDesc.
#include <cstdlib>

#include "complete.hpp"
#include "handlers.hpp"
#include "output.hpp"
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

Result<int> cmd_complete(Context& ctx, const ParsedArgs& a) {
  auto make_source = [&](const GlobalOptions& typed) -> std::unique_ptr<CompSource> {
    GlobalOptions g = ctx.global;  // `skiff --root X __complete …` and `skiff __complete --root X …`
    if (!typed.root.empty()) g.root = typed.root;
    if (!typed.runroot.empty()) g.runroot = typed.runroot;
    auto p = resolve_paths(g.root, g.runroot);
    if (!p || !engine::settle_run_root(*p, false)) return nullptr;
    return store_source(p->graph_root, p->run_root);
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
