#define BOOST_TEST_DYN_LINK
#include <sys/resource.h>

#include <boost/test/unit_test.hpp>

#include "child_helper.hpp"
#include "skiff/runtime/rlimits.hpp"

using namespace skiff;
using namespace skiff::runtime;

namespace {

std::string error_of(std::string_view v) {
  auto r = parse_ulimit(v);
  return r ? "(ok)" : r.error().msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_rlimits)

BOOST_AUTO_TEST_CASE(names_are_dockers) {
  BOOST_TEST(rlimit_names().size() == 15u);
  BOOST_TEST(rlimit_name(RLIMIT_NOFILE) == "nofile");
  BOOST_TEST(rlimit_name(RLIMIT_AS) == "");  // not a Docker name
}

BOOST_AUTO_TEST_CASE(parse_soft_and_hard) {
  auto r = parse_ulimit("nofile=1024:2048");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->resource == RLIMIT_NOFILE);
  BOOST_TEST(r->soft == 1024u);
  BOOST_TEST(r->hard == 2048u);
  r = parse_ulimit("nproc=100");  // hard defaults to soft
  BOOST_REQUIRE(r);
  BOOST_TEST(r->resource == RLIMIT_NPROC);
  BOOST_TEST(r->soft == 100u);
  BOOST_TEST(r->hard == 100u);
  r = parse_ulimit("core=-1");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->soft == RLIM_INFINITY);
  BOOST_TEST(r->hard == RLIM_INFINITY);
  r = parse_ulimit("memlock=unlimited:unlimited");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->soft == RLIM_INFINITY);
  r = parse_ulimit("stack=8192:infinity");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->soft == 8192u);
  BOOST_TEST(r->hard == RLIM_INFINITY);
  r = parse_ulimit("rtprio=+5");  // Go's ParseInt takes a sign
  BOOST_REQUIRE(r);
  BOOST_TEST(r->soft == 5u);
  for (auto n : {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
                 "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"})
    BOOST_TEST(parse_ulimit(std::string(n) + "=1").has_value(), n);
}

BOOST_AUTO_TEST_CASE(errors_in_dockers_words) {
  BOOST_TEST(error_of("nofile") == "invalid ulimit argument: nofile");
  BOOST_TEST(error_of("as=1") == "invalid ulimit type: as");
  BOOST_TEST(error_of("NOFILE=1") == "invalid ulimit type: NOFILE");
  BOOST_TEST(error_of("nofile=abc") == "strconv.ParseInt: parsing \"abc\": invalid syntax");
  BOOST_TEST(error_of("nofile=1:x") == "strconv.ParseInt: parsing \"x\": invalid syntax");
  BOOST_TEST(error_of("nofile=") == "strconv.ParseInt: parsing \"\": invalid syntax");
  BOOST_TEST(error_of("nofile=99999999999999999999") ==
             "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  BOOST_TEST(error_of("nofile=1:2:3") ==
             "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`");
  BOOST_TEST(error_of("nofile=2048:1024") ==
             "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024");
  BOOST_TEST(error_of("nofile=-1:1024") ==
             "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), "
             "hard: 1024");
  BOOST_TEST(parse_ulimit("x").error().code == kInvalid);
}

BOOST_AUTO_TEST_CASE(format_like_docker) {
  BOOST_TEST(format_ulimit(*parse_ulimit("nofile=1024:2048")) == "nofile=1024:2048");
  BOOST_TEST(format_ulimit(*parse_ulimit("core=-1")) == "core=-1:-1");
}

BOOST_AUTO_TEST_CASE(defaults_and_merge) {
  auto d = default_rlimits(/*can_raise=*/true);
  BOOST_REQUIRE(d.size() == 2u);
  BOOST_TEST(d[0].resource == RLIMIT_NOFILE);
  BOOST_TEST(d[0].soft == 1048576u);
  BOOST_TEST(d[0].hard == 1048576u);
  BOOST_TEST(d[1].resource == RLIMIT_NPROC);

  // Clamped to our own limits when we cannot raise them.
  rlimit cur{};
  getrlimit(RLIMIT_NOFILE, &cur);
  auto c = default_rlimits(/*can_raise=*/false);
  BOOST_TEST(c[0].soft == std::min<uint64_t>(cur.rlim_cur, 1048576));
  BOOST_TEST(c[0].hard == std::min<uint64_t>(cur.rlim_max, 1048576));
  BOOST_TEST(c[0].soft <= c[0].hard);

  std::vector<Rlimit> user{*parse_ulimit("nofile=10:20"), *parse_ulimit("core=0"),
                           *parse_ulimit("core=1")};
  auto m = merge_rlimits(d, user);
  BOOST_REQUIRE(m.size() == 3u);
  BOOST_TEST(m[0].resource == RLIMIT_NOFILE);
  BOOST_TEST(m[0].soft == 10u);
  BOOST_TEST(m[1].resource == RLIMIT_NPROC);
  BOOST_TEST(m[2].resource == RLIMIT_CORE);
  BOOST_TEST(m[2].soft == 1u);  // the later --ulimit wins
}

BOOST_AUTO_TEST_CASE(apply_in_child) {
  std::vector<Rlimit> limits{*parse_ulimit("nofile=100:200"), *parse_ulimit("core=0")};
  auto r = test::run_in_child([&](int out) {
    if (!apply_rlimits(limits).ok()) return 10;
    rlimit nofile{}, core{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    getrlimit(RLIMIT_CORE, &core);
    test::put(out, std::to_string(nofile.rlim_cur) + ":" + std::to_string(nofile.rlim_max) + " " +
                       std::to_string(core.rlim_max));
    // Raising a hard limit needs CAP_SYS_RESOURCE: after a lowering, rootless cannot undo it.
    std::vector<Rlimit> up{*parse_ulimit("nofile=100:100000")};
    ChildStatus st = apply_rlimits(up);
    if (geteuid() != 0) {
      if (st.err != EPERM || st.detail != RLIMIT_NOFILE) return 11;
      if (to_error(st).msg != "setrlimit(RLIMIT_NOFILE) (7): Operation not permitted") return 12;
    }
    return 0;
  });
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "100:200 0");
}

BOOST_AUTO_TEST_SUITE_END()
