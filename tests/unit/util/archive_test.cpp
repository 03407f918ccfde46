#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/util/archive.hpp"
#include "skiff/util/compress.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/stream.hpp"

using namespace skiff;

namespace {

template <class R>
std::string why(const R& r) {
  return r ? std::string() : r.error().msg;
}

std::string write_tar(const std::vector<std::pair<TarEntry, std::string>>& entries) {
  StringSink sink;
  auto w = make_tar_writer(sink);
  BOOST_REQUIRE(w);
  for (auto& [e, data] : entries) {
    auto st = (*w)->add(e);
    BOOST_REQUIRE_MESSAGE(bool(st), why(st));
    if (!data.empty()) BOOST_REQUIRE((*w)->write_data(data));
  }
  BOOST_REQUIRE((*w)->finish());
  return sink.str();
}

std::vector<std::pair<TarEntry, std::string>> read_tar(const std::string& bytes) {
  StringSource src(bytes);
  auto r = make_tar_reader(src);
  BOOST_REQUIRE(r);
  std::vector<std::pair<TarEntry, std::string>> out;
  TarEntry e;
  for (;;) {
    auto more = (*r)->next(e);
    BOOST_REQUIRE_MESSAGE(bool(more), why(more));
    if (!*more) break;
    std::string data;
    char buf[4096];
    for (;;) {
      auto n = (*r)->read_data(buf, sizeof buf);
      BOOST_REQUIRE(n);
      if (*n == 0) break;
      data.append(buf, *n);
    }
    out.emplace_back(e, data);
  }
  return out;
}

TarEntry entry(std::string path, TarType t, uint32_t mode = 0644) {
  TarEntry e;
  e.path = std::move(path);
  e.type = t;
  e.mode = mode;
  e.mtime = 1700000000;
  return e;
}

std::string compress(const std::string& data, Compression c) {
  StringSink sink;
  auto z = make_compressor(sink, c);
  BOOST_REQUIRE(z);
  BOOST_REQUIRE((*z)->write(data));
  BOOST_REQUIRE((*z)->close());
  return sink.str();
}

Result<std::string> decompress(const std::string& data) {
  StringSource src(data);
  auto d = TRY(make_auto_decompressor(src));
  std::string out;
  char buf[777];
  for (;;) {
    size_t n = TRY(d->read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(util_archive)

BOOST_AUTO_TEST_CASE(tar_round_trip_keeps_every_field) {
  TarEntry f = entry("dir/file", TarType::File, 04755);
  f.size = 5;
  f.uid = 1000;
  f.gid = 2000000;  // beyond ustar's octal field: needs PAX
  f.mtime_nsec = 0;
  f.xattrs = {{"user.k", std::string("v\0w", 3)}, {"security.capability", "cap"}};
  TarEntry d = entry("dir", TarType::Dir, 0755);
  TarEntry l = entry("dir/link", TarType::Symlink, 0777);
  l.link_target = "../etc/passwd";
  TarEntry h = entry("dir/hard", TarType::Hardlink);
  h.link_target = "dir/file";
  TarEntry c = entry("dev/null", TarType::Char, 0666);
  c.dev_major = 1;
  c.dev_minor = 3;
  TarEntry p = entry("fifo", TarType::Fifo, 0600);
  TarEntry longname = entry(std::string(300, 'n') + "/x", TarType::File);
  longname.size = 1;
  std::string bytes = write_tar({{d, ""}, {f, "hello"}, {l, ""}, {h, ""}, {c, ""}, {p, ""}, {longname, "z"}});
  auto got = read_tar(bytes);
  BOOST_REQUIRE_EQUAL(got.size(), 7u);
  BOOST_TEST(got[0].first.path == "dir/");
  BOOST_TEST((got[0].first.type == TarType::Dir));
  auto& gf = got[1].first;
  BOOST_TEST(gf.path == "dir/file");
  BOOST_TEST(gf.mode == 04755u);
  BOOST_TEST(gf.uid == 1000);
  BOOST_TEST(gf.gid == 2000000);
  BOOST_TEST(gf.mtime == 1700000000);
  BOOST_TEST(got[1].second == "hello");
  BOOST_REQUIRE_EQUAL(gf.xattrs.size(), 2u);
  bool found = false;
  for (auto& [k, v] : gf.xattrs)
    if (k == "user.k") found = v == std::string("v\0w", 3);
  BOOST_TEST(found);
  BOOST_TEST((got[2].first.type == TarType::Symlink));
  BOOST_TEST(got[2].first.link_target == "../etc/passwd");
  BOOST_TEST((got[3].first.type == TarType::Hardlink));
  BOOST_TEST(got[3].first.link_target == "dir/file");
  BOOST_TEST((got[4].first.type == TarType::Char));
  BOOST_TEST(got[4].first.dev_major == 1u);
  BOOST_TEST(got[4].first.dev_minor == 3u);
  BOOST_TEST((got[5].first.type == TarType::Fifo));
  BOOST_TEST(got[6].first.path == std::string(300, 'n') + "/x");
  BOOST_TEST(got[6].second == "z");
}

BOOST_AUTO_TEST_CASE(tar_writer_is_deterministic_and_unpadded) {
  TarEntry f = entry("a", TarType::File);
  f.size = 3;
  std::string a = write_tar({{f, "abc"}});
  std::string b = write_tar({{f, "abc"}});
  BOOST_TEST(a == b);
  BOOST_TEST(a.size() == 512u * 4);  // header, data, two end records: no 10 KiB padding
}

BOOST_AUTO_TEST_CASE(tar_reader_keeps_hostile_names_raw) {
  // The reader never interprets names: that is the extractor's job.
  std::string bytes = write_tar({{entry("../../etc/passwd", TarType::File), ""}, {entry("/abs", TarType::File), ""}});
  auto got = read_tar(bytes);
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0].first.path == "../../etc/passwd");
  BOOST_TEST(got[1].first.path == "/abs");
}

BOOST_AUTO_TEST_CASE(tar_reader_empty_and_truncated) {
  BOOST_TEST(read_tar("").empty());
  TarEntry f = entry("a", TarType::File);
  f.size = 2000;
  std::string bytes = write_tar({{f, std::string(2000, 'x')}});
  StringSource src(bytes.substr(0, 1024));
  auto r = make_tar_reader(src);
  BOOST_REQUIRE(r);
  TarEntry e;
  auto more = (*r)->next(e);
  BOOST_REQUIRE(more);
  char buf[4096];
  Result<size_t> n = size_t(1);
  while (n && *n > 0) n = (*r)->read_data(buf, sizeof buf);
  BOOST_TEST(!n);
  StringSource junk(std::string(1024, 'j'));
  auto r2 = make_tar_reader(junk);
  BOOST_REQUIRE(r2);
  auto m = (*r2)->next(e);
  BOOST_REQUIRE(!m);
  BOOST_TEST(m.error().code == kCorrupt);
}

BOOST_AUTO_TEST_CASE(detects_compression_by_magic) {
  BOOST_TEST((detect_compression("\x1f\x8b\x08") == Compression::Gzip));
  BOOST_TEST((detect_compression(std::string("\x28\xb5\x2f\xfd", 4)) == Compression::Zstd));
  BOOST_TEST((detect_compression("ustar") == Compression::None));
  BOOST_TEST((detect_compression("") == Compression::None));
}

BOOST_AUTO_TEST_CASE(gzip_and_zstd_round_trip) {
  std::string data;
  for (uint64_t i = 0; i < 300000; ++i) data += char('a' + (i * 7919) % 26);
  for (Compression c : {Compression::Gzip, Compression::Zstd}) {
    std::string z = compress(data, c);
    BOOST_TEST(z.size() < data.size());
    BOOST_TEST(compress(data, c) == z);  // deterministic
    auto back = decompress(z);
    BOOST_REQUIRE_MESSAGE(bool(back), why(back));
    BOOST_TEST(*back == data);
    // Concatenated members/frames decode as one stream.
    auto twice = decompress(z + z);
    BOOST_REQUIRE(twice);
    BOOST_TEST(*twice == data + data);
    // Truncated and trailing garbage are errors, not silent short reads.
    auto cut = decompress(z.substr(0, z.size() - 10));
    BOOST_REQUIRE(!cut);
    BOOST_TEST(cut.error().code == kCorrupt);
    auto trailing = decompress(z + "garbage!");
    BOOST_TEST(!trailing);
  }
  auto plain = decompress("plain tar bytes");
  BOOST_REQUIRE(plain);
  BOOST_TEST(*plain == "plain tar bytes");
  auto empty = decompress("");
  BOOST_REQUIRE(empty);
  BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(sha256_clone_is_independent) {
  auto h = Sha256::make();
  BOOST_REQUIRE(h);
  h->update("ab");
  auto c = h->clone();
  BOOST_REQUIRE(c);
  h->update("c");
  BOOST_TEST(h->hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  c->update("c");
  BOOST_TEST(c->hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_SUITE_END()
