#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

#include "cli/format.hpp"

using namespace skiff;
using namespace skiff::cli;

namespace {

// Docker's column titles for `ps` and `images` (formatter/container.go, formatter/image.go).
const std::map<std::string, std::string> kPsHeaders = {
    {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},   {"Command", "COMMAND"}, {"CreatedAt", "CREATED AT"},
    {"RunningFor", "CREATED"}, {"Ports", "PORTS"}, {"State", "STATE"},   {"Status", "STATUS"},
    {"Size", "SIZE"},       {"Names", "NAMES"},   {"Labels", "LABELS"},  {"Mounts", "MOUNTS"},
    {"Networks", "NETWORKS"}, {"LocalVolumes", "LOCAL VOLUMES"},
};
const std::map<std::string, std::string> kImageHeaders = {
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"},
    {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"}, {"Digest", "DIGEST"},
};
const std::map<std::string, std::string> kHistoryHeaders = {
    {"ID", "IMAGE"}, {"CreatedSince", "CREATED"}, {"CreatedBy", "CREATED BY"}, {"Size", "SIZE"}, {"Comment", "COMMENT"},
};

// Docker's default formats, as Go source spells them (real tabs).
const char* kPsFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
const char* kImagesFormat =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";
const char* kHistoryFormat = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

Json ps_row(const char* id, const char* cmd, const char* created, const char* status, const char* name) {
  return Json{{"ID", id},           {"Image", "127.0.0.1:5000/busybox"}, {"Command", cmd}, {"RunningFor", created},
              {"Status", status},   {"Ports", ""},                        {"Names", name}};
}

std::vector<Json> ps_rows() {
  return {ps_row("8cf21efeca42", "\"sh -c 'while true; \u2026\"", "2 seconds ago", "Up 2 seconds", "vigilant_mclaren"),
          ps_row("72c0c7c45745", "\"echo hi\"", "2 seconds ago", "Created", "distracted_austin"),
          ps_row("d5772e64023b", "\"sh -c 'exit 3'\"", "3 seconds ago", "Exited (3) 2 seconds ago", "serene_merkle")};
}

std::string must(Result<std::string> r) {
  if (!r) return "ERR: " + r.error().msg;
  return *r;
}

std::string sp(size_t n) { return std::string(n, ' '); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_format)

// conventions-research §1.2, observed `docker ps -a`.
BOOST_AUTO_TEST_CASE(ps_table_matches_docker) {
  BOOST_TEST(must(format_list("", kPsFormat, ps_rows(), kPsHeaders)) ==
             "CONTAINER ID   IMAGE                    COMMAND                  CREATED         STATUS                     PORTS     NAMES\n"
             "8cf21efeca42   127.0.0.1:5000/busybox   \"sh -c 'while true; \u2026\"   2 seconds ago   Up 2 seconds                         vigilant_mclaren\n"
             "72c0c7c45745   127.0.0.1:5000/busybox   \"echo hi\"                2 seconds ago   Created                              distracted_austin\n"
             "d5772e64023b   127.0.0.1:5000/busybox   \"sh -c 'exit 3'\"         3 seconds ago   Exited (3) 2 seconds ago             serene_merkle\n");
  // The same with the user's spelling: literal \t sequences, and "table" alone.
  std::string user = R"(table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}})";
  BOOST_TEST(must(format_list(user, kPsFormat, ps_rows(), kPsHeaders)) ==
             must(format_list("", kPsFormat, ps_rows(), kPsHeaders)));
  BOOST_TEST(must(format_list("table", kPsFormat, ps_rows(), kPsHeaders)) ==
             must(format_list("", kPsFormat, ps_rows(), kPsHeaders)));
}

// The header is printed even with no rows.
BOOST_AUTO_TEST_CASE(table_header_with_zero_rows) {
  BOOST_TEST(must(format_list("", kPsFormat, {}, kPsHeaders)) ==
             "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
  BOOST_TEST(must(format_list("{{.ID}}", kPsFormat, {}, kPsHeaders)) == "");
}

// conventions-research §1.3, observed `docker images`.
BOOST_AUTO_TEST_CASE(images_table_matches_docker) {
  std::vector<Json> rows = {
      {{"Repository", "127.0.0.1:5000/big"}, {"Tag", "latest"}, {"ID", "d29c1a4463af"}, {"CreatedSince", "2 years ago"}, {"Size", "69.1MB"}},
      {{"Repository", "127.0.0.1:5000/busybox"}, {"Tag", "latest"}, {"ID", "14833d91a191"}, {"CreatedSince", "2 years ago"}, {"Size", "1.98MB"}},
  };
  BOOST_TEST(must(format_list("", kImagesFormat, rows, kImageHeaders)) ==
             "REPOSITORY               TAG       IMAGE ID       CREATED       SIZE\n"
             "127.0.0.1:5000/big       latest    d29c1a4463af   2 years ago   69.1MB\n"
             "127.0.0.1:5000/busybox   latest    14833d91a191   2 years ago   1.98MB\n");
  rows[1]["CreatedSince"] = "";
  BOOST_TEST(must(format_list("", kImagesFormat, rows, kImageHeaders)).find("14833d91a191   N/A") != std::string::npos);
  // The docs' example of a user table.
  BOOST_TEST(must(format_list(R"(table {{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.Size}})", kImagesFormat, {rows[0]}, kImageHeaders)) ==
             "IMAGE ID       REPOSITORY           TAG       SIZE\n"
             "d29c1a4463af   127.0.0.1:5000/big   latest    69.1MB\n");
}

// conventions-research §1.6, observed `docker history`. (The document's copy drops trailing
// blanks; Docker pads the SIZE cell before the empty COMMENT, as Go's tabwriter does.)
BOOST_AUTO_TEST_CASE(history_table_matches_docker) {
  auto row = [](const char* id, const char* by, const char* size) {
    return Json{{"ID", id}, {"CreatedSince", "2 years ago"}, {"CreatedBy", by}, {"Size", size}, {"Comment", ""}};
  };
  std::vector<Json> rows = {row("9183db620e52", "RUN rm", "2B"), row("<missing>", "ADD l2", "16B"),
                            row("<missing>", "ADD busybox", "1.98MB")};
  BOOST_TEST(must(format_list("", kHistoryFormat, rows, kHistoryHeaders)) ==
             "IMAGE          CREATED       CREATED BY    SIZE      COMMENT\n"
             "9183db620e52   2 years ago   RUN rm        2B" + sp(8) + "\n"
             "<missing>      2 years ago   ADD l2        16B" + sp(7) + "\n"
             "<missing>      2 years ago   ADD busybox   1.98MB" + sp(4) + "\n");
}

// conventions-research §1.2 and §1.3: JSON Lines, keys sorted, every value as the row has it,
// < > & escaped by json.Marshal on rows but not by the json function on a field.
BOOST_AUTO_TEST_CASE(json_lines_match_docker) {
  Json ps = {{"State", "exited"}, {"Status", "Exited (0) 14 seconds ago"}, {"ID", "015248364c55"},
             {"Image", "127.0.0.1:5000/busybox"}, {"Command", "\"true\""}, {"CreatedAt", "2026-11-22 08:17:32 +0000 UTC"},
             {"RunningFor", "15 seconds ago"}, {"Ports", ""}, {"Names", "romantic_ishizaka"}, {"Labels", ""},
             {"Mounts", ""}, {"Networks", "none"}, {"LocalVolumes", "0"}, {"Size", "0B"}, {"Platform", nullptr}};
  const std::string ps_line =
      R"({"Command":"\"true\"","CreatedAt":"2026-11-22 08:17:32 +0000 UTC","ID":"015248364c55","Image":"127.0.0.1:5000/busybox",)"
      R"("Labels":"","LocalVolumes":"0","Mounts":"","Names":"romantic_ishizaka","Networks":"none","Platform":null,"Ports":"",)"
      R"("RunningFor":"15 seconds ago","Size":"0B","State":"exited","Status":"Exited (0) 14 seconds ago"})";
  BOOST_TEST(must(format_list("json", kPsFormat, {ps, ps}, kPsHeaders)) == ps_line + "\n" + ps_line + "\n");
  BOOST_TEST(must(format_list("{{json .}}", kPsFormat, {ps}, kPsHeaders)) == ps_line + "\n");

  Json img = {{"ID", "9183db620e52"}, {"Repository", "127.0.0.1:5000/layered"}, {"Tag", "latest"}, {"Digest", "<none>"},
              {"CreatedSince", "2 years ago"}, {"CreatedAt", "2024-01-01 00:00:00 +0000 UTC"}, {"Size", "1.98MB"},
              {"SharedSize", "N/A"}, {"UniqueSize", "N/A"}, {"VirtualSize", "1.982MB"}, {"Containers", "N/A"}};
  BOOST_TEST(must(format_list("json", kImagesFormat, {img}, kImageHeaders)) ==
             R"({"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"2 years ago",)"
             R"("Digest":"\u003cnone\u003e","ID":"9183db620e52","Repository":"127.0.0.1:5000/layered","SharedSize":"N/A",)"
             R"("Size":"1.98MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"1.982MB"})" "\n");
  BOOST_TEST(must(format_list("{{json .Digest}}", kImagesFormat, {img}, kImageHeaders)) == "\"<none>\"\n");
}

BOOST_AUTO_TEST_CASE(plain_formats) {
  auto rows = ps_rows();
  BOOST_TEST(must(format_list("{{.ID}}", kPsFormat, rows, kPsHeaders)) == "8cf21efeca42\n72c0c7c45745\nd5772e64023b\n");
  BOOST_TEST(must(format_list(R"({{.ID}}\t{{.Names}}\n)", kPsFormat, {rows[1]}, kPsHeaders)) == "72c0c7c45745\tdistracted_austin\n\n");
  BOOST_TEST(must(format_list("  {{.ID}}: {{.Status}}  ", kPsFormat, {rows[2]}, kPsHeaders)) == "d5772e64023b: Exited (3) 2 seconds ago\n");
  BOOST_TEST(must(format_list(R"({{if eq .Status "Created"}}{{.Names}}{{end}})", kPsFormat, rows, kPsHeaders)) == "\ndistracted_austin\n\n");
}

// The header row: titles from the map, a field's name upper-cased otherwise, Docker's
// HeaderFunctions passing titles through, and SubHeaderContext.Label for {{.Label "k"}}.
BOOST_AUTO_TEST_CASE(table_headers) {
  Json row = ps_rows()[0];
  TemplateMethods methods = {{"Label", {{ArgKind::kString}, [](const Json&, std::span<const Json> a) -> Result<Json> {
                                          return a[0] == "com.docker.compose.project" ? Json("demo") : Json("");
                                        }}}};
  ListFormat lf;
  lf.type_name = "*formatter.ContainerContext";
  lf.methods = &methods;
  BOOST_TEST(must(format_list(R"(table {{.ID}}\t{{.Label "com.docker.compose.project"}})", kPsFormat, {row}, kPsHeaders, lf)) ==
             "CONTAINER ID   project\n8cf21efeca42   demo\n");
  BOOST_TEST(must(format_list(R"(table {{.Label "my-label_name"}})", kPsFormat, {}, kPsHeaders, lf)) == "my label name\n");
  BOOST_TEST(must(format_list(R"(table {{upper .Names}}\t{{json .ID}}\t{{truncate .Image 3}}\t{{pad .Status 1 1}})", kPsFormat,
                              {row}, kPsHeaders, lf)) ==
             "NAMES" + sp(14) + "CONTAINER ID" + sp(5) + "IMAGE" + sp(5) + " STATUS \n" +
             "VIGILANT_MCLAREN" + sp(3) + "\"8cf21efeca42\"" + sp(3) + "127" + sp(7) + " Up 2 seconds \n");
  Json r2 = {{"Foo", "x"}, {"Config", {{"Image", "busybox"}}}};
  BOOST_TEST(must(format_list(R"(table {{.Foo}}\t{{.Config.Image}})", kPsFormat, {r2}, kPsHeaders)) ==
             "FOO       IMAGE\nx         busybox\n");
  BOOST_TEST(must(format_list(R"(table {{.Nope}})", kPsFormat, {row}, kPsHeaders, lf)) ==
             "ERR: failed to execute template: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type "
             "*formatter.ContainerContext");
}

BOOST_AUTO_TEST_CASE(error_prefixes_match_docker) {
  BOOST_TEST(must(format_list("{{.ID}", kPsFormat, ps_rows(), kPsHeaders)) ==
             "ERR: template parsing error: template: :1: bad character U+007D '}'");
  BOOST_TEST(must(format_list("{{.ID }", kPsFormat, ps_rows(), kPsHeaders)) ==
             "ERR: template parsing error: template: :1: unexpected \"}\" in operand");
  BOOST_TEST(must(format_list("{{index .ID 99}}", kPsFormat, ps_rows(), kPsHeaders)) ==
             "ERR: failed to execute template: template: :1:2: executing \"\" at <index .ID 99>: error calling index: "
             "index out of range: 99");
  BOOST_TEST(must(format_object("{{.A}", Json::object())) == "ERR: template parsing error: template: :1: bad character U+007D '}'");
  BOOST_TEST(must(format_object("{{.A.B}}", Json{{"A", 1}})) ==
             "ERR: template parsing error: template: :1:4: executing \"\" at <.A.B>: can't evaluate field B in type interface {}");
}

// inspect -f / version --format / info --format.
BOOST_AUTO_TEST_CASE(objects) {
  Json c = {{"Name", "/web"}, {"State", {{"Status", "running"}, {"Pid", 42}}}, {"Config", {{"Cmd", {"a<b", "&"}}}}};
  BOOST_TEST(must(format_object("{{.State.Status}}", c)) == "running\n");
  BOOST_TEST(must(format_object("{{.State.Pid}} {{.Name}}", c)) == "42 /web\n");
  BOOST_TEST(must(format_object(R"({{.Name}}\t)", c)) == "/web\\t\n");  // no \t translation for inspect
  BOOST_TEST(must(format_object("{{json .Config}}", c)) == R"({"Cmd":["a<b","&"]})" "\n");
  BOOST_TEST(must(format_object("json", c)) == R"({"Name":"/web","State":{"Status":"running","Pid":42},"Config":{"Cmd":["a<b","&"]}})" "\n");
  ObjectFormat inspect;
  inspect.json_escape_html = true;
  BOOST_TEST(must(format_object("json", Json::array({c}), inspect)) ==
             R"([{"Name":"/web","State":{"Status":"running","Pid":42},"Config":{"Cmd":["a\u003cb","\u0026"]}}])" "\n");
  BOOST_TEST(must(format_object("{{.Missing}}", c)) == "<no value>\n");
  inspect.missing_key_error = true;
  BOOST_TEST(must(format_object("{{.Missing}}", c, inspect)) ==
             "ERR: template parsing error: template: :1:2: executing \"\" at <.Missing>: map has no entry for key \"Missing\"");
}

// The brief's figure: a 1,000-row `ps`-like table must render well under 10 ms.
BOOST_AUTO_TEST_CASE(thousand_row_ps_table_is_fast) {
  std::vector<Json> rows;
  for (int i = 0; i < 1000; ++i) {
    Json r = ps_row(fmt::format("{:012x}", 0x8cf21efeca42ull + i).c_str(), "\"sh -c 'while true; \u2026\"", "2 seconds ago",
                    i % 3 ? "Up 2 seconds" : "Exited (3) 2 seconds ago", fmt::format("name_{}", i).c_str());
    r["Ports"] = i % 2 ? "0.0.0.0:8080->80/tcp, :::8080->80/tcp" : "";
    rows.push_back(std::move(r));
  }
  std::vector<double> ms;
  size_t bytes = 0;
  for (int k = 0; k < 31; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    auto out = format_list("", kPsFormat, rows, kPsHeaders);
    auto t1 = std::chrono::steady_clock::now();
    BOOST_REQUIRE(out);
    bytes = out->size();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  BOOST_TEST_MESSAGE(fmt::format("1000-row ps table: {} bytes; min {:.3f} ms, median {:.3f} ms, max {:.3f} ms over {} runs", bytes,
                                 ms.front(), ms[ms.size() / 2], ms.back(), ms.size()));
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
  BOOST_TEST(ms[ms.size() / 2] < 10.0);  // only meaningful in an optimised, uninstrumented build
#endif
}

BOOST_AUTO_TEST_SUITE_END()
