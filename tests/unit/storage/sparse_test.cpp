#define BOOST_TEST_DYN_LINK
#include <sys/statfs.h>
#include <sys/stat.h>

#include <linux/magic.h>

#include <boost/test/unit_test.hpp>
#include <chrono>

#include "fixture.hpp"
#include "skiff/storage/extract.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/archive.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/sparse.hpp"

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

namespace {

constexpr uint64_t kTiB = uint64_t(1) << 40;

// A tar (written by our TarWriter: PAX, GNU sparse 1.0) holding `name` of `size` bytes with
// data "hello" at 1 MiB and "tail!" at its end; the rest is holes.
std::string sparse_tar(const std::string& name, uint64_t size) {
  StringSink sink;
  auto w = make_tar_writer(sink);
  BOOST_REQUIRE(w);
  TarEntry e;
  e.path = name;
  e.type = TarType::File;
  e.mode = 0644;
  e.size = size;
  e.mtime = 1700000000;
  e.sparse = {{1u << 20, 5}, {size - 5, 5}};
  BOOST_REQUIRE((*w)->add(e));
  BOOST_REQUIRE((*w)->write_data("hello"));
  BOOST_REQUIRE((*w)->write_data("tail!"));
  BOOST_REQUIRE((*w)->finish());
  return sink.str();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string chunk_hash(const std::vector<std::pair<uint64_t, std::string>>& pieces, uint64_t size) {
  auto fresh = Sha256::make();
  BOOST_REQUIRE(fresh);
  ChunkHasher h;
  h.reset(std::move(*fresh));
  for (auto& [off, data] : pieces) BOOST_REQUIRE(h.feed(off, data.data(), data.size()));
  unsigned char d[32];
  h.finish(size, d);
  return std::string(reinterpret_cast<char*>(d), 32);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_sparse)

BOOST_AUTO_TEST_CASE(the_chunk_hash_depends_on_the_bytes_only) {
  std::string a(200000, 'a');
  a[70000] = 0;
  std::string zeros(3 * kSparseChunk, '\0');
  uint64_t size = 5 * kSparseChunk + 17;
  // The same file fed whole, in odd pieces, and with its zero chunks left out (holes).
  std::string whole = a + zeros;
  whole.resize(size - 10, '\0');
  whole += "0123456789";
  auto h1 = chunk_hash({{0, whole}}, size);
  std::vector<std::pair<uint64_t, std::string>> odd;
  for (uint64_t off = 0; off < whole.size(); off += 12345) odd.emplace_back(off, whole.substr(off, 12345));
  BOOST_TEST(chunk_hash(odd, size) == h1);
  BOOST_TEST(chunk_hash({{0, a}, {size - 10, "0123456789"}}, size) == h1);
  // A byte changes it, and so does the size.
  BOOST_TEST(chunk_hash({{0, a}, {size - 10, "0123456780"}}, size) != h1);
  BOOST_TEST(chunk_hash({{0, a}, {size - 10, "0123456789"}}, size + 1) != h1);
  // Pieces going backwards void the hash.
  auto fresh = Sha256::make();
  BOOST_REQUIRE(fresh);
  ChunkHasher h;
  h.reset(std::move(*fresh));
  BOOST_TEST(h.feed(100, "x", 1));
  BOOST_TEST(!h.feed(50, "y", 1));
}

BOOST_AUTO_TEST_CASE(the_content_digest_ignores_how_zeros_are_stored) {
  TempDir t;
  auto fresh = Sha256::make();
  BOOST_REQUIRE(fresh);
  std::string digests[2][2];
  for (int sparse = 0; sparse < 2; ++sparse) {
    std::string dir = t.sub(sparse ? "sparse" : "dense");
    BOOST_REQUIRE(mkdir(dir.c_str(), 0755) == 0);
    auto fd = open_path(dir + "/f", O_WRONLY | O_CREAT | O_EXCL, 0644);
    BOOST_REQUIRE(fd);
    if (!sparse) BOOST_REQUIRE(write_all(fd->get(), std::string(3 << 20, '\0')));
    BOOST_REQUIRE(pwrite(fd->get(), "data", 4, 1 << 20) == 4);
    BOOST_REQUIRE(ftruncate(fd->get(), 3 << 20) == 0);
    struct stat st;
    BOOST_REQUIRE(fstat(fd->get(), &st) == 0);
    if (sparse) BOOST_TEST(st.st_blocks < 1000);
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    BOOST_REQUIRE(futimens(fd->get(), ts) == 0);
    auto root = open_path(dir, O_RDONLY | O_DIRECTORY);
    BOOST_REQUIRE(root);
    BOOST_REQUIRE(futimens(root->get(), ts) == 0);
    for (int format = 1; format <= 2; ++format) {
      auto d = layer_content_digest(root->get(), *fresh, -1, format);
      BOOST_REQUIRE_MESSAGE(bool(d), why(d));
      digests[sparse][format - 1] = *d;
    }
  }
  BOOST_TEST(digests[0][0] == digests[1][0]);  // format 1: every byte read
  BOOST_TEST(digests[0][1] == digests[1][1]);  // format 2: holes skipped, same answer
  BOOST_TEST(digests[0][0] != digests[0][1]);
}

BOOST_AUTO_TEST_CASE(a_layer_with_a_1_tib_hole_costs_what_its_data_costs) {
  std::string tar = sparse_tar("big", kTiB + 5);
  BOOST_TEST(tar.size() < 10000u);
  for (std::string driver : {"vfs", "overlay"}) {
    TempDir t;
    auto s = open_store(t.path(), driver);
    auto t0 = std::chrono::steady_clock::now();
    auto base = add_layer(*s, "", tar);
    BOOST_REQUIRE_MESSAGE(bool(base), why(base));
    BOOST_TEST(base->content_format == kContentFormat);
    BOOST_TEST(base->size == kTiB + 5);
    // A layer on top: vfs copies the parent's snapshot under it, keeping the hole.
    auto top = add_layer(*s, base->chain_id, RawTar().file("x", "y").finish());
    BOOST_REQUIRE_MESSAGE(bool(top), why(top));
    NewImage n;
    n.config = R"({"os":"linux"})";
    n.layers = {ImageLayer{base->diff_id}, ImageLayer{top->diff_id}};
    BOOST_REQUIRE(s->create_image(n));
    auto r = s->check(CheckOptions{});
    BOOST_REQUIRE_MESSAGE(bool(r), why(r));
    BOOST_TEST(r->clean());
    double took = seconds_since(t0);
    BOOST_TEST_MESSAGE(driver << ": two layers and a check in " << took << " s");
    BOOST_TEST(took < 30.0);  // reading the hole would take many minutes
    for (auto& l : {*base, *top}) {
      auto diff = s->layer_diff_path(l.chain_id);
      BOOST_REQUIRE(diff);
      if (driver == "overlay" && l.chain_id == top->chain_id) continue;  // holds only x
      Status st = run_as_store_owner(s->idmap(), [&]() -> Status {
        struct stat sb;
        if (lstat((*diff + "/big").c_str(), &sb) < 0) return fail_errno("stat big");
        if (uint64_t(sb.st_size) != kTiB + 5) return fail(EINVAL, fmt::format("size {}", sb.st_size));
        if (sb.st_blocks > 1000) return fail(EINVAL, fmt::format("the hole was filled: {} blocks", sb.st_blocks));
        auto fd = TRY(open_path(*diff + "/big", O_RDONLY));
        char buf[5];
        if (pread(fd.get(), buf, 5, 1 << 20) != 5 || std::string_view(buf, 5) != "hello") return fail(EINVAL, "data at 1 MiB");
        if (pread(fd.get(), buf, 5, off_t(kTiB)) != 5 || std::string_view(buf, 5) != "tail!") return fail(EINVAL, "data at the end");
        return ok();
      });
      BOOST_TEST(bool(st), driver << ": " << why(st));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_sparse_writer_is_deterministic_and_read_back_by_offsets) {
  std::string a = sparse_tar("big", kTiB + 5), b = sparse_tar("big", kTiB + 5);
  BOOST_TEST(a == b);
  StringSource src(a);
  auto r = make_tar_reader(src);
  BOOST_REQUIRE(r);
  TarEntry e;
  auto more = (*r)->next(e);
  BOOST_REQUIRE(more && *more);
  BOOST_TEST(e.path == "big");
  BOOST_TEST(e.size == kTiB + 5);
  std::vector<std::pair<uint64_t, std::string>> got;
  for (;;) {
    auto blk = (*r)->read_block();
    BOOST_REQUIRE(blk);
    if (blk->size == 0) break;
    got.emplace_back(blk->offset, std::string(blk->data, blk->size));
  }
  BOOST_REQUIRE(got.size() == 2u);
  BOOST_TEST(got[0].first == uint64_t(1) << 20);
  BOOST_TEST(got[0].second == "hello");
  BOOST_TEST(got[1].first == kTiB);
  BOOST_TEST(got[1].second == "tail!");
}

BOOST_AUTO_TEST_CASE(what_a_sparse_entry_may_claim_is_capped) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  // A map pointing past the size it declares.
  auto gnu_sparse = [](std::string map, std::string data, std::string realsize) {
    std::string area = map;
    area.resize((area.size() + 511) / 512 * 512, '\0');
    area += data;
    RawTar::Hdr h;
    h.name = "GNUSparseFile.0/f";
    h.data = area;
    h.pax = {{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", "f"}, {"GNU.sparse.realsize", realsize}};
    return RawTar().add(h).finish();
  };
  auto beyond = add_layer(*s, "", gnu_sparse("1\n100\n5\n", "hello", "10"));
  BOOST_REQUIRE(!beyond);
  BOOST_TEST(beyond.error().msg.find("data at offset 100 lies beyond the entry's size (10 bytes)") != std::string::npos,
             beyond.error().msg);
  // A size no file on this filesystem can have (ext4: 16 TiB).
  struct statfs sf;
  BOOST_REQUIRE(statfs(t.path().c_str(), &sf) == 0);
  if (sf.f_type == EXT4_SUPER_MAGIC) {
    auto huge = add_layer(*s, "", gnu_sparse("1\n0\n5\n", "hello", std::to_string(uint64_t(1) << 60)));
    BOOST_REQUIRE(!huge);
    BOOST_TEST(huge.error().msg.find("claims a size of 1152921504606846976 bytes") != std::string::npos, huge.error().msg);
  }
  auto r = s->check(CheckOptions{});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->clean());
}

BOOST_AUTO_TEST_CASE(copies_keep_holes) {
  TempDir t;
  auto in = open_path(t.sub("in"), O_RDWR | O_CREAT | O_EXCL, 0644);
  BOOST_REQUIRE(in);
  BOOST_REQUIRE(pwrite(in->get(), "abc", 3, 1 << 30) == 3);
  auto out = open_path(t.sub("out"), O_RDWR | O_CREAT | O_EXCL, 0644);
  BOOST_REQUIRE(out);
  auto st = copy_file_sparse(in->get(), out->get(), (1u << 30) + 3);
  BOOST_REQUIRE_MESSAGE(bool(st), why(st));
  struct stat sb;
  BOOST_REQUIRE(fstat(out->get(), &sb) == 0);
  BOOST_TEST(sb.st_size == (1 << 30) + 3);
  BOOST_TEST(sb.st_blocks < 100);
  char buf[3];
  BOOST_TEST(pread(out->get(), buf, 3, 1 << 30) == 3);
  BOOST_TEST(std::string_view(buf, 3) == "abc");
  auto map = nonzero_map(in->get(), (1u << 30) + 3);
  BOOST_REQUIRE(map);
  BOOST_REQUIRE(map->size() == 1u);
  BOOST_TEST((*map)[0].offset == uint64_t(1) << 30);
  BOOST_TEST((*map)[0].length == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
