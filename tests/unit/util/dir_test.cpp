#define BOOST_TEST_DYN_LINK
// util/dir: the DIR* owner and for_each_entry(_at).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "skiff/util/dir.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;

namespace {
struct TmpDir {
  std::string path;
  TmpDir() {
    char t[] = "/tmp/dir-test-XXXXXX";
    path = mkdtemp(t);
  }
  ~TmpDir() { (void)remove_tree(path); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(util_dir)

BOOST_AUTO_TEST_CASE(lists_every_entry_but_dot_and_dotdot) {
  TmpDir t;
  for (auto n : {"a", "b", ".hidden"}) BOOST_REQUIRE(write_file_atomic(t.path + "/" + n, "x"));
  BOOST_REQUIRE(mkdir((t.path + "/sub").c_str(), 0700) == 0);
  std::vector<std::string> seen;
  BOOST_REQUIRE(for_each_entry_at(AT_FDCWD, t.path, [&](int dfd, const struct dirent& e) {
    struct stat st;
    BOOST_TEST(fstatat(dfd, e.d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);  // dfd is the listed directory
    seen.emplace_back(e.d_name);
    return ok();
  }));
  std::sort(seen.begin(), seen.end());
  BOOST_TEST(seen == (std::vector<std::string>{".hidden", "a", "b", "sub"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stops_at_the_first_error_and_reports_open_errors) {
  TmpDir t;
  for (auto n : {"a", "b", "c"}) BOOST_REQUIRE(write_file_atomic(t.path + "/" + n, "x"));
  int calls = 0;
  auto st = for_each_entry_at(AT_FDCWD, t.path, [&](int, const struct dirent&) -> Status {
    ++calls;
    return fail(kInvalid, "stop here");
  });
  BOOST_TEST(!st);
  BOOST_TEST(st.error().msg == "stop here");
  BOOST_TEST(calls == 1);
  auto missing = for_each_entry_at(AT_FDCWD, t.path + "/nope", [](int, const struct dirent&) { return ok(); });
  BOOST_TEST(!missing);
  BOOST_TEST(missing.error().code == ENOENT);
  BOOST_TEST(!Dir::open_at(AT_FDCWD, t.path + "/a"));  // not a directory
}

BOOST_AUTO_TEST_CASE(dup_of_leaves_the_fd_to_the_caller_and_starts_over) {
  TmpDir t;
  BOOST_REQUIRE(write_file_atomic(t.path + "/only", "x"));
  auto fd = open_path(t.path, O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd);
  for (int round = 0; round < 2; ++round) {  // a second listing sees the entries again
    auto d = Dir::dup_of(fd->get());
    BOOST_REQUIRE(d);
    BOOST_TEST(d->fd() != fd->get());
    struct dirent* e = d->next();
    BOOST_REQUIRE(e);
    BOOST_TEST(std::string(e->d_name) == "only");
    BOOST_TEST(!d->next());
    BOOST_TEST(d->error() == 0);
  }
  BOOST_TEST(fcntl(fd->get(), F_GETFD) >= 0);  // still open
  // An empty directory has nothing to list.
  BOOST_REQUIRE(mkdir((t.path + "/empty").c_str(), 0700) == 0);
  auto e = Dir::open_at(AT_FDCWD, t.path + "/empty");
  BOOST_REQUIRE(e);
  BOOST_TEST(!e->next());
}

BOOST_AUTO_TEST_SUITE_END()
