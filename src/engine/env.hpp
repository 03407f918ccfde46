#pragma once
// Private to src/engine: Docker's environment rules for create and exec (-e, --env-file, the
// image's and containers.conf's Env), one implementation for both.

#include <string>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff::engine {

/// Sets one variable in `env` (replacing an earlier value of the same name, keeping its place):
/// "NAME=value" literally; a bare "NAME" copies the caller's value, or nothing if it is unset.
/// A name with whitespace is refused (Docker's env files); `origin` names where it came from.
Status add_env(std::vector<std::string>& env, const std::string& entry, const std::string& origin);

/// Sets one variable of an image's config Env: "NAME=value" as add_env; a bare "NAME" (no '=')
/// is skipped, never read from the caller's environment (an image must not be able to name the
/// caller's variables, AWS_SECRET_ACCESS_KEY, and get their values).
Status add_image_env(std::vector<std::string>& env, const std::string& entry);

/// Adds the variables of an env file (Docker's format): one per line, leading whitespace
/// trimmed and trailing kept, `#` comments and blank lines skipped, CRLF accepted.
Status add_env_file(std::vector<std::string>& env, const std::string& path);

}  // namespace skiff::engine
