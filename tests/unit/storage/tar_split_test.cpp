#define BOOST_TEST_DYN_LINK
// Store::layer_tar: the layer's tar comes back byte for byte from the recorded layout and the
// extracted files (PAX records, long names, links, padding after the end; GNU tar's formats
// and sparse files are in tests/system/image-save-tar-formats.sh); a changed file or a missing
// layout is an error.
#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

using namespace skiff;
using namespace skiff::storage;
using namespace skiff::test;

namespace {

std::string tricky_tar() {
  std::string long_dir(120, 'd');
  RawTar t;
  t.dir("etc")
      .file("etc/hello", "hello\n")
      .file("./etc/dot-slash", std::string(1500, 'x'))
      .dir(long_dir)
      .file(long_dir + "/" + std::string(130, 'f'), "long name\n")
      .file("empty")
      .hardlink("hard", "etc/hello")
      .symlink("link", long_dir + "/" + std::string(130, 'f'));
  // The size in a PAX record (as for files over 8 GiB), and other PAX keys.
  RawTar::Hdr h{"etc/pax-size", '0', 0644, 0, 0, std::string(700, 's')};
  h.pax.emplace_back("size", "700");
  h.pax.emplace_back("mtime", "1700000000.5");
  t.add(h);
  std::string out = t.finish();
  out += std::string(4096, '\0');  // padding to a record size, as GNU tar writes
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_tar_split)

BOOST_AUTO_TEST_CASE(layer_tar_reproduces_the_stored_bytes) {
  for (const char* driver : {"vfs", "overlay"}) {
    TempDir t;
    auto s = open_store(t.path(), driver);
    std::string base = RawTar().dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n").finish();
    auto l1 = add_layer(*s, "", base);
    BOOST_REQUIRE_MESSAGE(bool(l1), why(l1));
    std::string tar = tricky_tar();
    auto l2 = add_layer(*s, l1->chain_id, tar);
    BOOST_REQUIRE_MESSAGE(bool(l2), why(l2));
    for (auto& [l, want] : {std::pair{*l1, base}, std::pair{*l2, tar}}) {
      StringSink out;
      auto st = s->layer_tar(l.chain_id, out);
      BOOST_REQUIRE_MESSAGE(bool(st), why(st));
      BOOST_TEST(out.str().size() == want.size(), driver);
      BOOST_TEST((out.str() == want), driver);
    }
    // The layout is small next to the data.
    auto split = read_file(t.sub("layers/" + l2->chain_id.substr(7) + "/tar-split"));
    BOOST_REQUIRE(split);
    BOOST_TEST(split->size() < tar.size());
  }
}

BOOST_AUTO_TEST_CASE(a_changed_file_or_a_missing_layout_is_an_error) {
  TempDir t;
  auto s = open_store(t.path(), "vfs");
  std::string tar = RawTar().dir("etc").file("etc/hello", "hello\n").finish();
  auto l = add_layer(*s, "", tar);
  BOOST_REQUIRE_MESSAGE(bool(l), why(l));
  std::string dir = t.sub("layers/" + l->chain_id.substr(7));
  // Same size, other bytes: only the digest can tell.
  Status edit = run_as_store_owner(s->idmap(), [&]() -> Status {
    int fd = open((dir + "/diff/etc/hello").c_str(), O_WRONLY);
    if (fd < 0) return fail_errno("open");
    ssize_t n = pwrite(fd, "j", 1, 0);
    close(fd);
    return n == 1 ? ok() : fail_errno("write");
  });
  BOOST_REQUIRE_MESSAGE(bool(edit), why(edit));
  StringSink out;
  auto st = s->layer_tar(l->chain_id, out);
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().code == kCorrupt);
  BOOST_TEST(st.error().msg.find("changed since it was stored") != std::string::npos, st.error().msg);

  BOOST_REQUIRE(unlink((dir + "/tar-split").c_str()) == 0);
  StringSink out2;
  auto st2 = s->layer_tar(l->chain_id, out2);
  BOOST_REQUIRE(!st2);
  BOOST_TEST(st2.error().code == kNotFound);
  BOOST_TEST(st2.error().msg.find("older skiff") != std::string::npos, st2.error().msg);
}

BOOST_AUTO_TEST_SUITE_END()
