#pragma once
// The event log (`skiff events`): one JSON object per line, Docker's event message
// ({"status","id","from","Type","Action","Actor":{"ID","Attributes"},"scope","time","timeNano"}),
// in <run root>/events/events.log, written by the CLI and the monitors. Each event is one
// write(2) on an O_APPEND descriptor (concurrent writers never interleave inside a line); past
// kMaxLog bytes a writer renames the file to events.log.1 (under events/rotate.lock, taken
// without waiting), so the log keeps between 1 and 2 × kMaxLog bytes of history.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "skiff/util/json.hpp"

namespace skiff::events {

inline constexpr uint64_t kMaxLog = 1 << 20;

/// <run root>/events
std::string dir(const std::string& run_root);

/// The event as Docker's JSON message (time: now).
Json make(const std::string& type, const std::string& action, const std::string& id,
          const std::vector<std::pair<std::string, std::string>>& attributes);

/// Appends an event; never fails the caller (an unwritable log is skipped).
void emit(const std::string& run_root, const std::string& type, const std::string& action, const std::string& id,
          const std::vector<std::pair<std::string, std::string>>& attributes);
void append(const std::string& run_root, const Json& event);

}  // namespace skiff::events
