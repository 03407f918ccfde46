#pragma once
// Shared fixture for registry unit tests: a temporary directory standing in for $HOME, /etc,
// /run (through ConfigEnv::sysroot), with helpers to write files into it.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "skiff/registry/config.hpp"
#include "skiff/util/fs.hpp"

namespace skiff::testing {

class TempEnv {
 public:
  TempEnv() {
    char tmpl[] = "/tmp/skiff-registry-test-XXXXXX";
    root_ = mkdtemp(tmpl) ? tmpl : "";
    env.home = root_ + "/home";
    env.xdg_config_home = env.home + "/.config";
    env.xdg_runtime_dir = root_ + "/run/user";
    env.sysroot = root_ + "/sys";
    env.uid = 1000;
    (void)mkdir_p(env.home, 0700);
  }
  ~TempEnv() { (void)remove_tree(root_); }
  TempEnv(const TempEnv&) = delete;
  TempEnv& operator=(const TempEnv&) = delete;

  /// Writes `text` at `path` (absolute, or relative to the temp root), creating directories.
  std::string write(const std::string& path, const std::string& text) {
    std::string full = path.starts_with(root_) ? path : root_ + "/" + path;
    auto [dir, base] = split_dir_base(full);
    (void)mkdir_p(dir, 0755);
    (void)write_file_atomic(full, text, 0644, false);
    return full;
  }
  const std::string& root() const { return root_; }

  registry::ConfigEnv env;

 private:
  std::string root_;
};

}  // namespace skiff::testing
