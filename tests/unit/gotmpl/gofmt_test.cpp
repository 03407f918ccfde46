// gofmt against Go itself: every case in golden/gofmt_cases.txt is run through skiff's gofmt
// and compared byte for byte with what Go 1.19 printed for it (golden/gofmt_golden.txt, made
// by golden/gen.go; regenerate with `go run gen.go < gofmt_cases.txt > gofmt_golden.txt`).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "skiff/gotmpl/gofmt.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
namespace gofmt = skiff::gotmpl::gofmt;

namespace {

const char* const kDir = "tests/unit/gotmpl/golden/";

std::vector<std::string> lines_of(const std::string& name, bool skip_comments) {
  std::ifstream in(std::string(kDir) + name);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << kDir << name << " (run the unit tests from the repository root)");
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!skip_comments || (!l.empty() && l[0] != '#')) out.push_back(l);
  return out;
}

std::string hex(std::string_view s) {
  static const char d[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string unhex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(char(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

Json parse(const std::string& s) {
  auto j = Json::parse(s, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!j.is_discarded(), "bad JSON in a case: " << s);
  return j;
}

// Runs one case line through gofmt.
std::string run_case(const std::vector<std::string>& f) {
  const std::string& kind = f.at(0);
  auto with_args = [&](const std::string& arr, auto&& fn) {
    Json a = parse(arr);
    std::vector<const Json*> ptrs;
    for (const auto& e : a) ptrs.push_back(e.is_null() ? nullptr : &e);
    return fn(gofmt::Args(ptrs));
  };
  if (kind == "sprintf") {
    std::string format = parse(f.at(1)).get<std::string>();
    return with_args(f.at(2), [&](gofmt::Args a) { return gofmt::sprintf(format, a); });
  }
  if (kind == "sprint") return with_args(f.at(1), [](gofmt::Args a) { return gofmt::sprint(a); });
  if (kind == "sprintln") return with_args(f.at(1), [](gofmt::Args a) { return gofmt::sprintln(a); });
  if (kind == "v") {
    Json v = parse(f.at(1));
    std::string out;
    gofmt::append_v(out, v.is_null() ? nullptr : &v);
    return out;
  }
  if (kind == "quote") return go_quote(unhex(f.at(1)));
  if (kind == "float") return gofmt::format_float(std::strtod(f.at(1).c_str(), nullptr), f.at(2).at(0), std::stoi(f.at(3)));
  if (kind == "json") {
    std::string out;
    if (!gofmt::append_json(out, parse(f.at(1)), f.at(2) == "1", true)) return "ERROR";
    return out;
  }
  BOOST_FAIL("unknown case kind " << kind);
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gotmpl_gofmt)

BOOST_AUTO_TEST_CASE(matches_go_on_every_golden_case) {
  auto cases = lines_of("gofmt_cases.txt", true);
  auto golden = lines_of("gofmt_golden.txt", false);
  BOOST_REQUIRE_EQUAL(cases.size(), golden.size());
  size_t bad = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::vector<std::string> f = split(cases[i], '\t');
    std::string got = run_case(f);
    if (hex(got) != golden[i]) {
      ++bad;
      BOOST_ERROR("case " << cases[i] << "\n  go:    " << go_quote(unhex(golden[i])) << "\n  skiff: " << go_quote(got));
    }
  }
  BOOST_TEST_MESSAGE(cases.size() << " cases, " << bad << " differ");
}

BOOST_AUTO_TEST_SUITE_END()
