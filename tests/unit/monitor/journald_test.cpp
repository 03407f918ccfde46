#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "../storage/fixture.hpp"
#include "monitor/journald.hpp"
#include "skiff/util/fd.hpp"

// --log-driver journald: journald's native protocol fields and the entries a container's
// output becomes, received on a fake journal socket.

using namespace skiff;
using namespace skiff::monitor;
using skiff::test::TempDir;

namespace {

// A datagram socket standing in for /run/systemd/journal/socket.
struct FakeJournal {
  TempDir t;
  UniqueFd fd;
  FakeJournal() {
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    BOOST_REQUIRE(s >= 0);
    fd.reset(s);
    struct sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string path = t.sub("journal.sock");
    BOOST_REQUIRE(path.size() < sizeof a.sun_path);
    memcpy(a.sun_path, path.c_str(), path.size() + 1);
    BOOST_REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    setenv("SKIFF_JOURNAL_SOCKET", path.c_str(), 1);
  }
  ~FakeJournal() { unsetenv("SKIFF_JOURNAL_SOCKET"); }
  std::vector<std::string> entries() {
    std::vector<std::string> out;
    char buf[65536];
    for (;;) {
      ssize_t n = recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      out.emplace_back(buf, size_t(n));
    }
    return out;
  }
};

bool has_field(const std::string& entry, const std::string& line) { return entry.find(line + "\n") != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(monitor_journald)

BOOST_AUTO_TEST_CASE(native_protocol_fields) {
  BOOST_TEST(journal_field("MESSAGE", "hello") == "MESSAGE=hello\n");
  BOOST_TEST(journal_field("MESSAGE", "") == "MESSAGE=\n");
  // A value with a newline: KEY\n, its size as 64-bit little endian, the bytes, \n.
  std::string bin = journal_field("MESSAGE", "a\nb");
  BOOST_TEST(bin == std::string("MESSAGE\n\x03\x00\x00\x00\x00\x00\x00\x00" "a\nb\n", 8 + 8 + 4));
}

BOOST_AUTO_TEST_CASE(output_lines_become_entries) {
  FakeJournal j;
  JournalWriter w;
  const std::string id(64, 'f');
  auto st = w.open(id, "web", "mytag");
  BOOST_REQUIRE_MESSAGE(st, test::why(st));
  w.write("stdout", "one\ntwo\npart");
  w.write("stderr", "oops\n");
  auto e = j.entries();
  BOOST_REQUIRE_EQUAL(e.size(), 4u);
  BOOST_TEST(has_field(e[0], "MESSAGE=one"));
  BOOST_TEST(has_field(e[0], "PRIORITY=6"), "stdout is info");
  BOOST_TEST(has_field(e[0], "CONTAINER_ID=ffffffffffff"));
  BOOST_TEST(has_field(e[0], "CONTAINER_ID_FULL=" + id));
  BOOST_TEST(has_field(e[0], "CONTAINER_NAME=web"));
  BOOST_TEST(has_field(e[0], "CONTAINER_TAG=mytag"));
  BOOST_TEST(has_field(e[0], "SYSLOG_IDENTIFIER=mytag"));
  BOOST_TEST(!has_field(e[0], "CONTAINER_PARTIAL_MESSAGE=true"));
  BOOST_TEST(has_field(e[1], "MESSAGE=two"));
  BOOST_TEST(has_field(e[2], "MESSAGE=part"));
  BOOST_TEST(has_field(e[2], "CONTAINER_PARTIAL_MESSAGE=true"), "no newline yet: a partial message");
  BOOST_TEST(has_field(e[3], "MESSAGE=oops"));
  BOOST_TEST(has_field(e[3], "PRIORITY=3"), "stderr is err");
}

BOOST_AUTO_TEST_CASE(no_journal_is_an_error) {
  TempDir t;
  setenv("SKIFF_JOURNAL_SOCKET", t.sub("none.sock").c_str(), 1);
  JournalWriter w;
  auto st = w.open(std::string(64, 'a'), "n", "t");
  unsetenv("SKIFF_JOURNAL_SOCKET");
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().msg.find("log driver journald: connect to the journal at " + t.sub("none.sock")) == 0);
  w.write("stdout", "dropped\n");  // nothing to write to: no crash
}

BOOST_AUTO_TEST_SUITE_END()
