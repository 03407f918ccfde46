// Image commands and image resolution for create/run.
#include "handlers.hpp"

namespace skiff::cli {

Result<engine::ImageDefaults> resolve_run_image(Context&, engine::Engine&, const std::string& ref,
                                                const std::string&, const ParsedArgs&) {
  return fail(kNotFound, fmt::format("No such image: {}", ref));
}

}  // namespace skiff::cli
