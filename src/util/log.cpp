#include "skiff/util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace skiff::log {

namespace {
std::atomic<Level> g_level{Level::Warn};
std::shared_ptr<spdlog::logger> g_logger;  // created on first enabled write: no cost otherwise
std::string g_name = "skiff";

spdlog::level::level_enum to_spd(Level l) {
  switch (l) {
    case Level::Trace: return spdlog::level::trace;
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warn: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
    case Level::Off: return spdlog::level::off;
  }
  return spdlog::level::warn;
}
}  // namespace

bool parse_level(std::string_view s, Level& out) {
  if (s == "trace") out = Level::Trace;
  else if (s == "debug") out = Level::Debug;
  else if (s == "info") out = Level::Info;
  else if (s == "warn" || s == "warning") out = Level::Warn;
  else if (s == "error" || s == "fatal" || s == "panic") out = Level::Error;
  else if (s == "off") out = Level::Off;
  else return false;
  return true;
}

void init(Level level, std::string_view name) {
  g_level = level;
  g_name = std::string(name);
  g_logger.reset();
}

Level level() { return g_level.load(std::memory_order_relaxed); }

void write(Level lvl, std::string_view msg) {
  if (lvl < level()) return;
  if (lvl == Level::Warn || lvl == Level::Error) {
    // Warnings look like Podman's so users recognise them; no spdlog needed for these.
    std::string line = fmt::format("{}: {}\n", lvl == Level::Warn ? "WARN" : "ERRO", msg);
    (void)!::write(2, line.data(), line.size());
    return;
  }
  try {
    if (!g_logger) {
      g_logger = std::make_shared<spdlog::logger>(g_name, std::make_shared<spdlog::sinks::stderr_sink_st>());
      g_logger->set_pattern(fmt::format("%Y-%m-%dT%H:%M:%S.%f [{}:%P] %l %v", g_name));
    }
    g_logger->set_level(to_spd(level()));
    g_logger->log(to_spd(lvl), "{}", msg);
  } catch (...) {
    // Logging must never take the program down.
  }
}

}  // namespace skiff::log
