// The event log's writer (events.hpp).
#include "skiff/util/events.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/util/time.hpp"

namespace skiff::events {

std::string dir(const std::string& run_root) { return run_root + "/events"; }

Json make(const std::string& type, const std::string& action, const std::string& id,
          const std::vector<std::pair<std::string, std::string>>& attributes) {
  int64_t now = now_ns();
  Json attrs = Json::object();
  for (auto& [k, v] : attributes) attrs[k] = v;
  Json ev = Json::object();
  // Docker's legacy fields for containers and images (status/id/from).
  if (type == "container" || type == "image") {
    ev["status"] = action;
    ev["id"] = id;
    if (type == "container" && attrs.contains("image")) ev["from"] = attrs["image"];
  }
  ev["Type"] = type;
  ev["Action"] = action;
  Json actor = Json::object();
  actor["ID"] = id;
  actor["Attributes"] = attrs;
  ev["Actor"] = actor;
  ev["scope"] = "local";
  ev["time"] = now / 1000000000;
  ev["timeNano"] = now;
  return ev;
}

void append(const std::string& run_root, const Json& event) {
  std::string d = dir(run_root);
  std::string line = event.dump() + "\n";
  std::string path = d + "/events.log";
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    (void)mkdir(run_root.c_str(), 0700);
    (void)mkdir(d.c_str(), 0700);
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  }
  if (fd < 0) return;
  ssize_t n = write(fd, line.data(), line.size());
  struct stat st;
  bool rotate = n > 0 && fstat(fd, &st) == 0 && uint64_t(st.st_size) > kMaxLog;
  close(fd);
  if (!rotate) return;
  int lk = open((d + "/rotate.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lk < 0) return;
  if (flock(lk, LOCK_EX | LOCK_NB) == 0) {
    // Someone may have rotated between our write and the lock: look again.
    if (stat(path.c_str(), &st) == 0 && uint64_t(st.st_size) > kMaxLog) (void)rename(path.c_str(), (path + ".1").c_str());
  }
  close(lk);
}

void emit(const std::string& run_root, const std::string& type, const std::string& action, const std::string& id,
          const std::vector<std::pair<std::string, std::string>>& attributes) {
  append(run_root, make(type, action, id, attributes));
}

}  // namespace skiff::events
