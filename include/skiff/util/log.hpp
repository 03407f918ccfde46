#pragma once
// Diagnostics to stderr through spdlog (header-only, confined to src/util/log.cpp).
// Library code may log at debug level; only src/cli reports errors to the user.

#include <string_view>

#include <fmt/format.h>

namespace skiff::log {

enum class Level { Trace, Debug, Info, Warn, Error, Off };

/// Parses "trace|debug|info|warn|warning|error|fatal|panic|off"; false if unknown.
bool parse_level(std::string_view s, Level& out);

/// Sets the threshold (default Warn) and the line prefix (e.g. "skiff" or "skiff-monitor").
void init(Level level, std::string_view name = "skiff");

/// The threshold in effect.
Level level();

/// Writes one line (already formatted) at `lvl` if enabled.
void write(Level lvl, std::string_view msg);

inline bool enabled(Level lvl) { return lvl >= level(); }

template <class... A>
void debug(fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::Debug)) write(Level::Debug, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::Info)) write(Level::Info, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void warn(fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::Warn)) write(Level::Warn, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void error(fmt::format_string<A...> f, A&&... a) {
  if (enabled(Level::Error)) write(Level::Error, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace skiff::log
