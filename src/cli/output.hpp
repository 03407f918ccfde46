#pragma once
// stdout writing for command handlers (src/cli is the only module that prints).

#include <string_view>

#include <fmt/format.h>

namespace skiff::cli {

/// Writes to stdout (buffered; flushed at exit and before anything that waits for input).
void out(std::string_view s);
template <class... A>
void outf(fmt::format_string<A...> f, A&&... a) {
  out(fmt::format(f, std::forward<A>(a)...));
}
/// Writes to stderr immediately.
void err(std::string_view s);
/// Asks a yes/no question on stderr (prune and friends without -f); true for an answer
/// starting with y or Y, false otherwise (EOF included).
bool confirm(std::string_view question);
template <class... A>
void errf(fmt::format_string<A...> f, A&&... a) {
  err(fmt::format(f, std::forward<A>(a)...));
}
/// Flushes stdout.
void flush_out();
/// True if stdout / stdin is a terminal.
bool stdout_is_tty();
bool stdin_is_tty();

}  // namespace skiff::cli
