#define BOOST_TEST_DYN_LINK
// util/ipc: unix sockets with long paths, packets (with fds), the one error encoding.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/util/fd.hpp"
#include "skiff/util/ipc.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_ipc)

BOOST_AUTO_TEST_CASE(error_encoding) {
  BOOST_TEST(ipc::encode_error(Error{ENOENT, "no such file"}) == fmt::format("{}\nno such file", ENOENT));
  auto e = ipc::decode_error(ipc::encode_error(Error{kConflict, "a\nb"}));
  BOOST_TEST(e.code == kConflict);
  BOOST_TEST(e.msg == "a\nb");
  // Without a code, the body is the message (EIO).
  for (const char* m : {"", "oops", "x\noops", "0\nzero is no error", "-5\nnegative", "99999999999\nbig"}) {
    auto d = ipc::decode_error(m);
    BOOST_TEST(d.code == EIO, m);
    BOOST_TEST(d.msg == m);
  }
}

BOOST_AUTO_TEST_CASE(packets_over_a_socketpair) {
  auto sp = make_socketpair(SOCK_SEQPACKET);
  BOOST_REQUIRE(sp);
  BOOST_REQUIRE(ipc::send_packet(sp->write.get(), "kill 15"));
  auto p = ipc::recv_packet(sp->read.get(), 256);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->data == "kill 15");
  // A packet longer than the reader's limit is an error, never a cut message.
  BOOST_REQUIRE(ipc::send_packet(sp->write.get(), std::string(256 + 1, 'k')));
  auto big = ipc::recv_packet(sp->read.get(), 256);
  BOOST_TEST(!big);
  BOOST_TEST(big.error().code == EMSGSIZE);
  // An fd travels with its packet.
  auto pipe = make_pipe();
  BOOST_REQUIRE(send_fd(sp->write.get(), pipe->write.get(), 'P'));
  auto withfd = ipc::recv_packet(sp->read.get(), 16);
  BOOST_REQUIRE(withfd);
  BOOST_TEST(withfd->data == "P");
  BOOST_TEST(withfd->fd.valid());
  // EOF: an empty packet.
  sp->write.reset();
  auto eof = ipc::recv_packet(sp->read.get(), 16);
  BOOST_REQUIRE(eof);
  BOOST_TEST(eof->data.empty());
}

BOOST_AUTO_TEST_CASE(unix_sockets_with_long_paths) {
  char t[] = "/tmp/ipc-test-XXXXXX";
  std::string dir = mkdtemp(t);
  std::string deep = dir;
  while (deep.size() < 150) {  // beyond sun_path (108)
    deep += "/dddddddddddddddddddd";
    BOOST_REQUIRE(mkdir(deep.c_str(), 0700) == 0);
  }
  auto l = ipc::listen_unix(SOCK_SEQPACKET, deep, "ctl");
  BOOST_REQUIRE_MESSAGE(l.has_value(), (l ? std::string() : l.error().msg));
  auto c = ipc::connect_unix(SOCK_SEQPACKET, deep, "ctl");
  BOOST_REQUIRE_MESSAGE(c.has_value(), (c ? std::string() : c.error().msg));
  BOOST_TEST(access((deep + "/ctl").c_str(), F_OK) == 0);
  // Nobody listening: ENOENT or ECONNREFUSED, which callers read as "not running".
  auto none = ipc::connect_unix(SOCK_SEQPACKET, deep, "attach");
  BOOST_TEST(!none);
  BOOST_TEST(none.error().code == ENOENT);
  (void)system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_SUITE_END()
