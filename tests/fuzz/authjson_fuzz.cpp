// auth.json / ~/.docker/config.json as a user or a tool may leave it: credential lookup for a
// few registries. Credential helpers named by the file are looked up in an empty PATH from an
// empty directory, so no program ever runs.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;

static std::string g_dir;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/skiff-fuzz-auth.XXXXXX";
  g_dir = mkdtemp(tmpl);
  setenv("PATH", (g_dir + "/empty-path").c_str(), 1);
  if (chdir(g_dir.c_str()) != 0) abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = g_dir + "/auth.json";
  if (!write_file_atomic(file, std::string(fuzz_text(data, size)), 0600, false)) return 0;
  registry::ConfigEnv env;
  env.home = g_dir;
  env.xdg_config_home = g_dir;
  env.uid = getuid();
  for (const char* reg : {"docker.io", "localhost:5000", "quay.io", "index.docker.io"})
    (void)registry::find_credentials(env, reg, "library/busybox", file);
  return 0;
}
