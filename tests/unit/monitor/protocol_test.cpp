#define BOOST_TEST_DYN_LINK
// The monitor's wire protocols: every message round-trips, the bytes are the first release's
// (old monitors of running containers must stay reachable), malformed input is refused.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/monitor/protocol.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/ipc.hpp"

using namespace skiff;
using namespace skiff::monitor::proto;

BOOST_AUTO_TEST_SUITE(monitor_protocol)

BOOST_AUTO_TEST_CASE(requests_round_trip_with_the_old_bytes) {
  struct Case {
    Request req;
    const char* wire;
  };
  Case cases[] = {
      {Kill{9}, "kill 9"},
      {Stop{10, 15}, "stop 10 15"},
      {Stop{-1, 3}, "stop -1 3"},
      {Wait{}, "wait"},
      {SetRestartPolicy{"on-failure", 3}, "restart-policy on-failure 3"},
      {Resize{24, 80}, "resize 24 80"},
  };
  for (auto& c : cases) {
    BOOST_TEST(encode_request(c.req) == c.wire);
    auto back = decode_request(c.wire);
    BOOST_REQUIRE_MESSAGE(back, c.wire);
    BOOST_TEST(back->index() == c.req.index());
    BOOST_TEST(encode_request(*back) == c.wire);
  }
  auto s = decode_request("stop 7 2");
  BOOST_TEST(std::get<Stop>(*s).timeout == 7);
  BOOST_TEST(std::get<Stop>(*s).signal == 2);
  auto p = decode_request("restart-policy always 0");
  BOOST_TEST(std::get<SetRestartPolicy>(*p).name == "always");
  auto z = decode_request("resize 50 132");
  BOOST_TEST(std::get<Resize>(*z).rows == 50);
  BOOST_TEST(std::get<Resize>(*z).cols == 132);
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_refused) {
  for (const char* m : {"", "kill", "kill x", "kill 9 9", "kill 0", "kill 999", "stop 10", "stop a 15", "wait now",
                        "restart-policy always", "restart-policy  3", "restart-policy no -1", "resize 24",
                        "resize 24 x", "resize 70000 80", "exec ls", "KILL 9", "kill 9\n"}) {
    auto r = decode_request(m);
    BOOST_TEST(!r, "accepted: " << m);
    if (!r) BOOST_TEST(r.error().code == kInvalid);
  }
  auto unknown = decode_request("exec ls");
  BOOST_TEST(unknown.error().msg.find("unknown request") != std::string::npos);
  BOOST_TEST(!decode_request("restart-policy " + std::string(300, 'a') + " 1"));  // huge
}

BOOST_AUTO_TEST_CASE(replies_round_trip) {
  BOOST_TEST(encode_reply(reply_ok()) == "ok");
  BOOST_TEST(encode_reply(reply_exited(137)) == "exited 137");
  BOOST_TEST(encode_reply(reply_err("container is not running")) == "err container is not running");
  BOOST_TEST(encode_reply(Reply{}) == "");
  BOOST_TEST(decode_reply("ok")->kind == Reply::Ok);
  auto x = decode_reply("exited 3");
  BOOST_TEST(x->kind == Reply::Exited);
  BOOST_TEST(x->exit_code == 3);
  auto e = decode_reply("err kill: No such process");
  BOOST_TEST(e->kind == Reply::Err);
  BOOST_TEST(e->msg == "kill: No such process");
  BOOST_TEST(decode_reply("")->kind == Reply::Gone);
  for (const char* m : {"exited", "exited x", "okay", "err", "Ok"}) BOOST_TEST(!decode_reply(m), "accepted: " << m);
  BOOST_TEST(!decode_reply("err " + std::string(1000, 'x')));
}

BOOST_AUTO_TEST_CASE(attach_packets_round_trip) {
  BOOST_TEST(encode_client(StdinData{"hi\n"}) == "Dhi\n");
  BOOST_TEST(encode_client(StdinEof{}) == "E");
  BOOST_TEST(encode_client(Resize{24, 80}) == "W24 80");
  std::string bin("\0\x10\x11", 3);
  auto d = decode_client_packet("D" + bin);
  BOOST_TEST(std::get<StdinData>(*d).data == bin);
  BOOST_TEST(std::holds_alternative<StdinEof>(*decode_client_packet("E")));
  auto w = decode_client_packet("W40 100");
  BOOST_TEST(std::get<Resize>(*w).rows == 40);
  BOOST_TEST(std::get<Resize>(*w).cols == 100);
  BOOST_TEST(decode_client_packet("D" + std::string(kMaxAttachData, 'a')).has_value());

  BOOST_TEST(encode_monitor(Output{2, "out"}) == "\x02out");
  BOOST_TEST(encode_monitor(Output{3, "err"}) == "\x03" "err");
  BOOST_TEST(encode_monitor(Exit{0}) == "X0");
  BOOST_TEST(encode_monitor(Exit{130}) == "X130");
  auto o = decode_monitor_packet("\x03oops");
  BOOST_TEST(std::get<Output>(*o).stream == 3);
  BOOST_TEST(std::get<Output>(*o).data == "oops");
  BOOST_TEST(std::get<Exit>(*decode_monitor_packet("X42")).code == 42);
}

BOOST_AUTO_TEST_CASE(malformed_attach_packets_are_refused) {
  for (std::string m : {std::string(), std::string("Eextra"), std::string("W24"), std::string("Wa b"),
                        std::string("Q"), std::string("D") + std::string(kMaxAttachData + 1, 'a')})
    BOOST_TEST(!decode_client_packet(m), "accepted: " << m.substr(0, 20));
  for (std::string m : {std::string(), std::string("X"), std::string("Xabc"), std::string("\x04x"),
                        std::string("\x02") + std::string(kMaxAttachData + 1, 'a')})
    BOOST_TEST(!decode_monitor_packet(m), "accepted: " << m.substr(0, 20));
}

BOOST_AUTO_TEST_CASE(sync_messages_round_trip) {
  BOOST_TEST(encode_sync(Created{42, 41}) == "created 42 41");
  BOOST_TEST(encode_sync(Started{42}) == "started 42");
  BOOST_TEST(encode_sync(Error{kCommandNotFound, "exec: \"x\": executable file not found in $PATH"}) ==
             fmt::format("error {}\nexec: \"x\": executable file not found in $PATH", int(kCommandNotFound)));
  auto c = decode_sync("created 42 41");
  BOOST_TEST(std::get<Created>(*c).pid == 42);
  BOOST_TEST(std::get<Created>(*c).monitor_pid == 41);
  BOOST_TEST(std::get<Created>(*decode_sync("created 42")).monitor_pid == -1);  // an older monitor
  BOOST_TEST(std::get<Started>(*decode_sync("started 7")).pid == 7);
  auto e = decode_sync(encode_sync(Error{kCannotInvoke, "exec: \"/\": permission denied\nsecond line"}));
  BOOST_TEST(std::get<Error>(*e).code == kCannotInvoke);
  BOOST_TEST(std::get<Error>(*e).msg == "exec: \"/\": permission denied\nsecond line");
  for (const char* m : {"", "created", "created x", "created 1 2 3", "started", "started -1", "go", "hello 1"})
    BOOST_TEST(!decode_sync(m), "accepted: " << m);
  BOOST_TEST(!decode_sync("error 5\n" + std::string(kMaxSyncPacket, 'x')));
}

BOOST_AUTO_TEST_CASE(ctl_request_without_a_monitor) {
  char t[] = "/tmp/ipc-test-XXXXXX";
  std::string dir = mkdtemp(t);
  // No monitor listening: Gone (callers read it as "not running").
  auto r = request(dir, Wait{}, 1000);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->kind == Reply::Gone);
  // A listener that does not answer: ETIMEDOUT.
  auto l = ipc::listen_unix(SOCK_SEQPACKET, dir, "ctl");
  BOOST_REQUIRE(l.has_value());
  auto slow = request(dir, Wait{}, 50);
  BOOST_TEST(!slow);
  BOOST_TEST(slow.error().code == ETIMEDOUT);
  (void)system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_SUITE_END()
