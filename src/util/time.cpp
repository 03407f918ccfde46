#include "skiff/util/time.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "skiff/util/strings.hpp"

namespace skiff {

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Seconds (and nanoseconds) to Unix nanoseconds, saturated: int64 nanoseconds reach only the
// years 1678..2262, and a timestamp beyond them (`--until 9999999999`, a registry's "created":
// "9999-12-31T…") is valid: it means "before/after everything", never an overflow.
constexpr int64_t kGoZeroTimeSec = -62135596800;  // 0001-01-01T00:00:00Z

static int64_t saturated_ns(int64_t sec, int64_t nanos) {
  int64_t r;
  if (__builtin_mul_overflow(sec, int64_t(1000000000), &r) || __builtin_add_overflow(r, nanos, &r))
    return sec < 0 ? INT64_MIN : INT64_MAX;
  return r;
}

static int64_t saturated_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

static std::string frac_trimmed(int64_t nanos) {
  if (nanos == 0) return "";
  std::string f = fmt::format("{:09d}", nanos);
  while (!f.empty() && f.back() == '0') f.pop_back();
  return "." + f;
}

static void split_ns(int64_t ns, time_t& sec, int64_t& nanos) {
  sec = time_t(ns / 1000000000);
  nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --sec;
  }
}

std::string format_rfc3339nano(int64_t ns) {
  if (ns == 0) return "0001-01-01T00:00:00Z";
  time_t sec;
  int64_t nanos;
  split_ns(ns, sec, nanos);
  struct tm tm;
  gmtime_r(&sec, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac_trimmed(nanos));
}

std::string format_rfc3339(int64_t ns) {
  if (ns == 0) return "0001-01-01T00:00:00Z";
  time_t sec;
  int64_t nanos;
  split_ns(ns, sec, nanos);
  struct tm tm;
  gmtime_r(&sec, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_go_time(int64_t ns) {
  if (ns == 0) return "0001-01-01 00:00:00 +0000 UTC";
  time_t sec;
  int64_t nanos;
  split_ns(ns, sec, nanos);
  struct tm tm;
  gmtime_r(&sec, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d} +0000 UTC", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_local_rfc3339nano(int64_t ns) {
  time_t sec;
  int64_t nanos;
  split_ns(ns, sec, nanos);
  struct tm tm;
  localtime_r(&sec, &tm);
  long off = tm.tm_gmtoff;
  std::string zone;
  if (off == 0) {
    zone = "Z";
  } else {
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    zone = fmt::format("{}{:02d}:{:02d}", sign, off / 3600, (off % 3600) / 60);
  }
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:09d}{}", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nanos, zone);
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (s.size() < 20) return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> std::optional<int> {
    auto v = parse_uint(s.substr(pos, len));
    if (!v) return std::nullopt;
    return int(*v);
  };
  auto Y = num(0, 4), M = num(5, 2), D = num(8, 2), h = num(11, 2), m = num(14, 2), sec = num(17, 2);
  if (!Y || !M || !D || !h || !m || !sec || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 <= s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = num(i + 1, 2), om = num(i + 4, 2);
    if (!oh || !om || s[i + 3] != ':') return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  struct tm tm{};
  tm.tm_year = *Y - 1900;
  tm.tm_mon = *M - 1;
  tm.tm_mday = *D;
  tm.tm_hour = *h;
  tm.tm_min = *m;
  tm.tm_sec = *sec;
  time_t t = timegm(&tm);
  // Go's zero time (0001-01-01T00:00:00Z: "never", in Docker's records) is our 0, as the
  // formatters above print it.
  if (int64_t(t) - offset == kGoZeroTimeSec && nanos == 0) return 0;
  return saturated_ns(int64_t(t) - offset, nanos);
}

std::string human_duration(int64_t ns) {
  int64_t seconds = ns / 1000000000;
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = ns / 60000000000LL;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  int64_t hours = int64_t(std::llround(double(ns) / 3600e9));
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", hours / 24 / 365);
}

// Go's %.Ng: shortest of %e/%f with N significant digits, trailing zeros removed.
static std::string go_g(double v, int precision) {
  std::string s = fmt::format("{:.{}g}", v, precision);
  // fmt's g matches C's %g, which Go's %g matches for these magnitudes (< 1e21) except that
  // Go writes exponents with at least two digits, as C does. Good enough for sizes.
  return s;
}

std::string human_size(double bytes, int precision) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (bytes >= 1000.0 && i < 8) {
    bytes /= 1000.0;
    ++i;
  }
  return go_g(bytes, precision) + units[i];
}

std::string human_size_binary(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  int i = 0;
  while (bytes >= 1024.0 && i < 8) {
    bytes /= 1024.0;
    ++i;
  }
  return go_g(bytes, 4) + units[i];
}

std::optional<int64_t> parse_go_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  double total = 0;
  size_t i = 0;
  if (s.empty()) return std::nullopt;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double v;
    try {
      v = std::stod(std::string(s.substr(start, i - start)));
    } catch (...) {
      return std::nullopt;
    }
    size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    auto unit = s.substr(ustart, i - ustart);
    double mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else return std::nullopt;
    total += v * mult;
  }
  // Go's ParseDuration refuses what does not fit int64 nanoseconds (~292 years): so do we,
  // rather than convert an out-of-range double (undefined behaviour).
  if (!(total < 9223372036854775807.0)) return std::nullopt;
  int64_t r = int64_t(total);
  return neg ? -r : r;
}

std::optional<int64_t> parse_ram_size(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  double v;
  try {
    v = std::stod(std::string(s.substr(0, i)));
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = to_lower(trim(s.substr(i)));
  if (unit.size() > 1 && (unit.back() == 'b')) unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
  double mult;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k") mult = 1024.0;
  else if (unit == "m") mult = 1024.0 * 1024;
  else if (unit == "g") mult = 1024.0 * 1024 * 1024;
  else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "p") mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else return std::nullopt;
  // Sizes are int64 (Docker's units.RAMInBytes): anything larger is an error, never a wrap.
  double bytes = v * mult;
  if (!(bytes < 9223372036854775808.0)) return std::nullopt;
  return int64_t(bytes);
}

std::optional<int64_t> parse_time_filter(std::string_view s, int64_t now) {
  if (auto t = parse_rfc3339(s)) return t;
  // Date only or without zone: treat as UTC (Docker uses local time; UTC is our hosts' zone).
  if (s.size() == 10 && s[4] == '-' && s[7] == '-')
    return parse_rfc3339(std::string(s) + "T00:00:00Z");
  if (s.size() == 19 && s[10] == 'T') return parse_rfc3339(std::string(s) + "Z");
  // Unix seconds with optional fraction.
  {
    auto [secs, frac] = split_once(s, '.');
    auto sv = parse_int(secs);
    if (sv) {
      int64_t nanos = 0;
      if (frac) {
        std::string f = *frac;
        if (f.size() > 9 || !parse_uint(f)) return std::nullopt;
        while (f.size() < 9) f += '0';
        nanos = int64_t(*parse_uint(f));
      }
      return saturated_ns(*sv, *sv < 0 ? -nanos : nanos);
    }
  }
  if (auto d = parse_go_duration(s)) return saturated_sub(now, *d);
  return std::nullopt;
}

}  // namespace skiff
