#include "output.hpp"

#include <unistd.h>

#include <string>

#include "skiff/util/fd.hpp"

namespace skiff::cli {

namespace {
std::string g_buf;
}

void out(std::string_view s) {
  g_buf.append(s);
  if (g_buf.size() > 64 * 1024) flush_out();
}

void err(std::string_view s) {
  flush_out();
  (void)write_all(2, s);
}

void flush_out() {
  if (g_buf.empty()) return;
  (void)write_all(1, g_buf);  // EPIPE (| head) is fine: SIGPIPE is ignored, we just stop
  g_buf.clear();
}

bool stdout_is_tty() { return isatty(1) == 1; }
bool stdin_is_tty() { return isatty(0) == 1; }

bool confirm(std::string_view question) {
  err(question);
  char buf[16] = {};
  ssize_t n = read(0, buf, sizeof buf - 1);
  return n > 0 && (buf[0] == 'y' || buf[0] == 'Y');
}

}  // namespace skiff::cli
