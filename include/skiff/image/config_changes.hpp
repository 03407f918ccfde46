#pragma once
// Dockerfile instructions applied to an image's runtime config: `commit -c/--change` and
// `import -c/--change` ("CMD ["sh"]", "ENV A=1 B=2", "EXPOSE 80/udp", …).
//
// Docker runs the changes through its Dockerfile builder on top of the container's config
// (builder/dockerfile BuildFromConfig); the same rules apply here:
//   - allowed: CMD ENTRYPOINT ENV EXPOSE HEALTHCHECK LABEL ONBUILD STOPSIGNAL USER VOLUME
//     WORKDIR (case-insensitive); anything else is "<instr> is not a valid change command",
//     an unknown word "unknown instruction: <WORD>";
//   - CMD/ENTRYPOINT take the JSON array form, else the shell form (the config's Shell, or
//     /bin/sh -c, then the text); an ENTRYPOINT clears the Cmd unless a CMD came before it in
//     the same list;
//   - ENV, LABEL, EXPOSE, STOPSIGNAL, USER, VOLUME and WORKDIR expand $VAR, ${VAR},
//     ${VAR:-default} and ${VAR:+alt} from the Env built so far and honour quotes and
//     backslash escapes; ENV and LABEL take `k=v …` or the legacy `k v`;
//   - WORKDIR relative to the current one; EXPOSE ranges (8000-8002) and /tcp, /udp, /sctp.

#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::image {

/// Applies `changes` in order to `config` (the "config" object of an image config: Env, Cmd,
/// Entrypoint, ExposedPorts, Labels, …; created when missing). Errors are kInvalid and name
/// the instruction; `config` is unchanged on error.
Status apply_changes(Json& config, const std::vector<std::string>& changes);

/// Splits a Dockerfile argument string into words as the builder does: whitespace separates,
/// quotes group, backslash escapes, and (when `env` is given) variables are expanded.
/// Exposed for tests.
Result<std::vector<std::string>> split_words(std::string_view text, const std::vector<std::string>* env);

}  // namespace skiff::image
