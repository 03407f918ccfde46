#pragma once
// Time and size formatting exactly as Docker prints them (go-units, Go's time formats).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff {

/// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
int64_t now_ns();

/// RFC3339Nano in UTC, Go style: trailing zeros of the fraction dropped,
/// "2026-11-22T08:17:07.454605633Z"; 0 prints "0001-01-01T00:00:00Z" (Go's zero time).
std::string format_rfc3339nano(int64_t ns);
/// RFC3339 in UTC without fraction: "2024-01-01T00:00:00Z".
std::string format_rfc3339(int64_t ns);
/// Go's time.Time.String() in UTC: "2026-11-22 08:17:13 +0000 UTC".
std::string format_go_time(int64_t ns);
/// Local time with nanoseconds and numeric offset (k8s-file log lines):
/// "2026-01-02T15:04:05.123456789+01:00".
std::string format_local_rfc3339nano(int64_t ns);

/// Parses RFC3339 / RFC3339Nano (with Z or ±hh:mm), as Docker and OCI configs write it.
std::optional<int64_t> parse_rfc3339(std::string_view s);

/// go-units HumanDuration: "Less than a second", "1 second", "About a minute", "3 hours", …
std::string human_duration(int64_t ns);

/// go-units HumanSizeWithPrecision(n, 3): decimal units, no space: "1.98MB", "2B", "69.1MB".
std::string human_size(double bytes, int precision = 3);

/// go-units BytesSize (binary units with "iB"): "1.5MiB" (used by `system df -v`).
std::string human_size_binary(double bytes);

/// Parses a Go duration ("300ms", "1m30s", "2h"); nullopt on error.
std::optional<int64_t> parse_go_duration(std::string_view s);

/// Parses a size with optional binary unit suffix (b, k, m, g, t; "kb"/"KiB" forms too):
/// "512m" = 536870912. nullopt on error.
std::optional<int64_t> parse_ram_size(std::string_view s);

/// Parses Docker's --since/--until value: RFC3339 timestamp, Unix seconds[.nanos], or a Go
/// duration meaning "that long before now".
std::optional<int64_t> parse_time_filter(std::string_view s, int64_t now);

}  // namespace skiff
