#pragma once
// Container log writer: k8s-file (Podman's default), json-file (Docker's) or none, with
// size-based rotation (one rotated file, `<path>.1`).

#include <string>
#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::monitor {

class LogWriter {
 public:
  /// Opens (appending) `path` for `driver` ("k8s-file", "json-file", "none").
  static Result<LogWriter> open(const std::string& path, const std::string& driver, int64_t max_size);
  LogWriter() = default;
  LogWriter(LogWriter&&) = default;
  LogWriter& operator=(LogWriter&&) = default;

  /// Logs a chunk read from the container: `stream` is "stdout" or "stderr". Lines are split
  /// on '\n'; a chunk that does not end a line is written as a partial ('P') entry.
  void write(std::string_view stream, std::string_view data);
  /// fsync (at exit).
  void sync();

 private:
  void append(const std::string& line);
  void rotate_if_needed(size_t incoming);
  std::string path_, driver_;
  int64_t max_size_ = 0;
  int64_t size_ = 0;
  UniqueFd fd_;
};

/// Formats one k8s-file line: "<local RFC3339Nano> <stream> <F|P> <text>\n".
std::string k8s_line(int64_t ns, std::string_view stream, bool partial, std::string_view text);
/// Formats one json-file line: {"log":"<text>","stream":"<stream>","time":"<UTC RFC3339Nano>"}.
std::string json_line(int64_t ns, std::string_view stream, std::string_view text);

}  // namespace skiff::monitor
