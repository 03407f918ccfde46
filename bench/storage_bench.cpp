// Storage micro-benchmarks: layer extraction through the store and image listing.
//
//   make out/bench/storage_bench
//   out/bench/storage_bench gen  FILE.tar MIB        a tar of random files (deterministic)
//   out/bench/storage_bench extract FILE.tar ROOT [vfs|overlay] [nosync]
//                                                    create_layer from the file, timed
//   out/bench/storage_bench list ROOT N              N images, then list_images (best/median of 20)
//   out/bench/storage_bench rmi ROOT                 remove_image of the newest image, timed
//
// Compare extraction with `tar -xf FILE.tar -C DIR` (add `sync` for the same durability) and
// run both under /usr/bin/time -v for the peak RSS.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "skiff/storage/store.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/stream.hpp"

using namespace skiff;
using namespace skiff::storage;

namespace {

double since_ms(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

int die(const Error& e) {
  fprintf(stderr, "storage_bench: %s\n", e.msg.c_str());
  return 1;
}

// Random files of 1 KiB to 256 KiB in 64 directories until `mib` MiB of data.
int gen(const char* path, uint64_t mib) {
  auto fd = open_path(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!fd) return die(fd.error());
  FdSink sink(fd->get());
  auto w = make_tar_writer(sink);
  if (!w) return die(w.error());
  uint64_t x = 0x9e3779b97f4a7c15ull, total = 0, n = 0;
  auto next = [&] {  // xorshift64*
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    return x * 0x2545f4914f6cdd1dull;
  };
  for (int d = 0; d < 64; ++d) {
    TarEntry e;
    e.path = fmt::format("dir{:02}", d);
    e.type = TarType::Dir;
    e.mode = 0755;
    e.mtime = 1700000000;
    if (auto st = (*w)->add(e); !st) return die(st.error());
  }
  std::string buf;
  while (total < (mib << 20)) {
    TarEntry e;
    e.path = fmt::format("dir{:02}/file{}", n % 64, n);
    e.type = TarType::File;
    e.mode = 0644;
    e.mtime = 1700000000;
    e.size = 1024 + next() % (255 * 1024);
    buf.resize(e.size);
    for (size_t i = 0; i + 8 <= buf.size(); i += 8) {
      uint64_t v = next();
      memcpy(buf.data() + i, &v, 8);
    }
    if (auto st = (*w)->add(e); !st) return die(st.error());
    if (auto st = (*w)->write_data(buf); !st) return die(st.error());
    total += e.size;
    ++n;
  }
  if (auto st = (*w)->finish(); !st) return die(st.error());
  printf("%s: %llu files, %.1f MiB of data\n", path, (unsigned long long)n, double(total) / (1 << 20));
  return 0;
}

std::unique_ptr<Store> open_store(const char* root, const char* driver, bool sync) {
  StoreOptions o;
  o.graph_root = root;
  o.driver_override = driver ? driver : "";
  o.create = true;
  o.sync = sync;
  auto s = Store::open(o);
  if (!s) {
    die(s.error());
    exit(1);
  }
  return std::move(*s);
}

int extract(const char* tar, const char* root, const char* driver, bool sync) {
  auto s = open_store(root, driver, sync);
  auto fd = open_path(tar, O_RDONLY);
  if (!fd) return die(fd.error());
  FdSource src(fd->get());
  auto t0 = std::chrono::steady_clock::now();
  auto l = s->create_layer("", "", src);
  double ms = since_ms(t0);
  if (!l) return die(l.error());
  struct rusage self {}, kids {};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);  // the extraction worker
  printf("driver %s, sync %s: %llu bytes of tar in %.0f ms = %.0f MiB/s; peak RSS %ld KiB (caller), %ld KiB (worker)\n",
         std::string(driver_name(s->driver())).c_str(), sync ? "on" : "off", (unsigned long long)l->tar_size, ms,
         double(l->tar_size) / (1 << 20) / (ms / 1000), self.ru_maxrss, kids.ru_maxrss);
  return 0;
}

int list(const char* root, int n) {
  auto s = open_store(root, "vfs", false);
  auto have = s->list_images();
  if (!have) return die(have.error());
  if (int(have->size()) < n) {
    std::string tar(1024, '\0');
    StringSource src(tar);
    auto l = s->create_layer("", "", src);
    if (!l) return die(l.error());
    NewImage img;
    img.manifest = R"({"schemaVersion":2})";
    img.manifest_digest = *sha256_digest(img.manifest);
    img.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
    img.layers = {ImageLayer{l->diff_id, "", *sha256_digest("blob"), "application/vnd.oci.image.layer.v1.tar+gzip", 123456}};
    for (int i = int(have->size()); i < n; ++i) {
      img.config = fmt::format(R"({{"architecture":"amd64","os":"linux","i":{}}})", i);
      img.created_ns = int64_t(i) * 1000000000;
      img.names = {fmt::format("registry.example.com/team/app{}:v{}", i, i),
                   fmt::format("registry.example.com/team/app{}@{}", i, *sha256_digest(img.config))};
      if (auto r = s->create_image(img); !r) return die(r.error());
    }
  }
  std::vector<double> t;
  for (int r = 0; r < 20; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto v = s->list_images();
    t.push_back(since_ms(t0));
    if (!v || int(v->size()) != n) return die(v ? Error{EIO, "wrong count"} : v.error());
  }
  std::sort(t.begin(), t.end());
  printf("list_images with %d images: best %.2f ms, median %.2f ms, worst %.2f ms\n", n, t.front(), t[t.size() / 2],
         t.back());
  return 0;
}

// Removes the newest image (one name, one layer of its own) from a store made by `list`.
int rmi(const char* root) {
  auto s = open_store(root, "vfs", false);
  auto v = s->list_images();
  if (!v || v->empty()) return die(v ? Error{ENOENT, "no images"} : v.error());
  auto t0 = std::chrono::steady_clock::now();
  auto ev = s->remove_image(v->front().id, RemoveOptions{true});
  double ms = since_ms(t0);
  if (!ev) return die(ev.error());
  printf("remove_image among %zu images: %.2f ms (%zu lines)\n", v->size(), ms, ev->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "gen" && argc == 4) return gen(argv[2], std::stoull(argv[3]));
  if (cmd == "extract" && argc >= 4) {
    bool sync = !(argc > 5 && std::string(argv[5]) == "nosync");
    return extract(argv[2], argv[3], argc > 4 ? argv[4] : nullptr, sync);
  }
  if (cmd == "list" && argc == 4) return list(argv[2], std::stoi(argv[3]));
  if (cmd == "rmi" && argc == 3) return rmi(argv[2]);
  fprintf(stderr, "usage: storage_bench gen FILE MIB | extract FILE ROOT [vfs|overlay] [nosync] | list ROOT N | rmi ROOT\n");
  return 2;
}
