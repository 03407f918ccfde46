#include "logging.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/util/json.hpp"
#include "skiff/util/time.hpp"

namespace skiff::monitor {

std::string k8s_line(int64_t ns, std::string_view stream, bool partial, std::string_view text) {
  return fmt::format("{} {} {} {}\n", format_local_rfc3339nano(ns), stream, partial ? 'P' : 'F', text);
}

std::string json_line(int64_t ns, std::string_view stream, std::string_view text) {
  Json j = Json::object();
  j["log"] = std::string(text);
  j["stream"] = std::string(stream);
  j["time"] = format_rfc3339nano(ns);
  return to_json(j) + "\n";
}

Result<LogWriter> LogWriter::open(const std::string& path, const std::string& driver, int64_t max_size) {
  LogWriter w;
  w.path_ = path;
  w.driver_ = driver;
  w.max_size_ = max_size;
  if (driver == "none" || driver == "journald" || driver == "passthrough") return w;  // no file
  w.fd_ = TRY(open_path(path, O_WRONLY | O_CREAT | O_APPEND, 0600));
  struct stat st;
  if (fstat(w.fd_.get(), &st) == 0) w.size_ = st.st_size;
  return w;
}

void LogWriter::rotate_if_needed(size_t incoming) {
  if (max_size_ <= 0 || size_ + int64_t(incoming) <= max_size_ || size_ == 0) return;
  std::string old = path_ + ".1";
  (void)rename(path_.c_str(), old.c_str());
  auto fd = open_path(path_, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
  if (fd) {
    fd_ = std::move(*fd);
    size_ = 0;
  }
}

void LogWriter::append(const std::string& line) {
  rotate_if_needed(line.size());
  if (!fd_) return;
  if (write_all(fd_.get(), line)) size_ += int64_t(line.size());
}

void LogWriter::write(std::string_view stream, std::string_view data) {
  if (!fd_ || data.empty()) return;
  int64_t now = now_ns();
  size_t start = 0;
  std::string batch;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    bool partial = nl == std::string_view::npos;
    std::string_view text = data.substr(start, partial ? std::string_view::npos : nl - start);
    if (driver_ == "json-file") batch += json_line(now, stream, partial ? text : data.substr(start, nl - start + 1));
    else batch += k8s_line(now, stream, partial, text);
    if (partial) break;
    start = nl + 1;
  }
  append(batch);
}

void LogWriter::sync() {
  if (fd_) (void)fsync(fd_.get());
}

}  // namespace skiff::monitor
