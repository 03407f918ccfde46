// Layer tars as a hostile registry may send them: extracted under a fresh directory with the
// store's rules (overlay whiteouts, owners kept), then a canary beside that directory must be
// untouched and nothing may exist outside it. Runs unprivileged-style (rootless rules) so no
// device node is made even when the fuzzer runs as root.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.hpp"
#include "skiff/storage/extract.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/stream.hpp"

using namespace skiff;

static std::string g_base;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/skiff-fuzz-tar.XXXXXX";
  g_base = mkdtemp(tmpl);
  if (!write_file_atomic(g_base + "/canary", "canary\n", 0644, false)) abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string root = g_base + "/root";
  (void)remove_tree(root);
  if (mkdir(root.c_str(), 0755) != 0) abort();
  int rootfd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) abort();
  StringSource src{std::string(fuzz_text(data, size))};
  if (auto r = make_tar_reader(src)) {
    storage::ExtractOptions o;
    o.whiteouts = storage::WhiteoutMode::OverlayUser;
    o.rootless = true;
    o.chown = false;
    (void)storage::extract_layer_tar(rootfd, **r, o);
  }
  close(rootfd);
  // Nothing escaped: the base holds only the canary and the root, the canary unchanged.
  auto canary = read_file(g_base + "/canary");
  if (!canary || *canary != "canary\n") __builtin_trap();
  auto names = list_dir(g_base);
  if (!names) abort();
  for (auto& n : *names)
    if (n != "canary" && n != "root") __builtin_trap();
  return 0;
}
