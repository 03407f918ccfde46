#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "skiff/image/config_changes.hpp"

using namespace skiff;
using namespace skiff::image;

namespace {

Json base() {
  auto j = parse_json(R"({"Env":["PATH=/bin","HOME=/root"],"Cmd":["sh"],"WorkingDir":"/srv",
                          "Labels":{"a":"1"}})");
  return *j;
}

Json applied(std::vector<std::string> changes, Json c = base()) {
  auto st = apply_changes(c, changes);
  BOOST_REQUIRE_MESSAGE(st, (st ? "" : st.error().msg));
  return c;
}

std::string error_of(std::vector<std::string> changes) {
  Json c = base();
  auto st = apply_changes(c, changes);
  BOOST_REQUIRE(!st);
  BOOST_TEST(c == base());  // unchanged on error
  return st.error().msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(image_config_changes)

BOOST_AUTO_TEST_CASE(cmd_exec_and_shell_forms) {
  BOOST_TEST(to_json(applied({R"(CMD ["echo","a b"])"})["Cmd"]) == R"(["echo","a b"])");
  BOOST_TEST(to_json(applied({"cmd echo $HOME"})["Cmd"]) == R"(["/bin/sh","-c","echo $HOME"])");
  Json c = base();
  c["Shell"] = Json::array({"/bin/bash", "-xc"});
  BOOST_TEST(to_json(applied({"CMD ls"}, c)["Cmd"]) == R"(["/bin/bash","-xc","ls"])");
  // Not a JSON array of strings: shell form.
  BOOST_TEST(to_json(applied({"CMD [1, 2]"})["Cmd"]) == R"(["/bin/sh","-c","[1, 2]"])");
}

BOOST_AUTO_TEST_CASE(entrypoint_clears_cmd_unless_cmd_came_first) {
  auto c = applied({R"(ENTRYPOINT ["/app"])"});
  BOOST_TEST(to_json(c["Entrypoint"]) == R"(["/app"])");
  BOOST_TEST(c["Cmd"].is_null());
  c = applied({R"(CMD ["x"])", R"(ENTRYPOINT ["/app"])"});
  BOOST_TEST(to_json(c["Cmd"]) == R"(["x"])");
  c = applied({R"(ENTRYPOINT ["/app"])", R"(CMD ["y"])"});
  BOOST_TEST(to_json(c["Cmd"]) == R"(["y"])");
}

BOOST_AUTO_TEST_CASE(env_forms_quotes_and_expansion) {
  auto c = applied({R"(ENV A=1 B="two words" C=${HOME}/x D=$A$B)"});
  BOOST_TEST(to_json(c["Env"]) == R"(["PATH=/bin","HOME=/root","A=1","B=two words","C=/root/x","D="])");
  // Each ENV sees the ones before it (a later change expands A).
  c = applied({"ENV A=1", "ENV B=$A-x PATH=/usr/bin:$PATH"});
  BOOST_TEST(to_json(c["Env"]) == R"(["PATH=/usr/bin:/bin","HOME=/root","A=1","B=1-x"])");
  c = applied({"ENV GREETING hello   world"});
  BOOST_TEST(c["Env"].back() == "GREETING=hello   world");
  c = applied({R"(ENV X='$HOME' Y=\$HOME Z=${NOPE:-dflt} W=${HOME:+set})"});
  BOOST_TEST(to_json(c["Env"]) == R"(["PATH=/bin","HOME=/root","X=$HOME","Y=$HOME","Z=dflt","W=set"])");
}

BOOST_AUTO_TEST_CASE(labels_ports_user_workdir_volume_stopsignal) {
  auto c = applied({R"(LABEL a=2 "b c"=d)", "EXPOSE 80 53/udp 8000-8001", "USER app:app", "WORKDIR sub/../data",
                    R"(VOLUME ["/v1", "/v2"])", "VOLUME /v3", "STOPSIGNAL SIGINT"});
  BOOST_TEST(to_json(c["Labels"]) == R"({"a":"2","b c":"d"})");
  BOOST_TEST(to_json(c["ExposedPorts"]) == R"({"80/tcp":{},"53/udp":{},"8000/tcp":{},"8001/tcp":{}})");
  BOOST_TEST(c["User"] == "app:app");
  BOOST_TEST(c["WorkingDir"] == "/srv/data");
  BOOST_TEST(to_json(c["Volumes"]) == R"({"/v1":{},"/v2":{},"/v3":{}})");
  BOOST_TEST(c["StopSignal"] == "SIGINT");
  BOOST_TEST(applied({"WORKDIR /abs"})["WorkingDir"] == "/abs");
}

BOOST_AUTO_TEST_CASE(healthcheck_and_onbuild) {
  auto c = applied({"HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/", "onbuild run make"});
  BOOST_TEST(to_json(c["Healthcheck"]) ==
             R"({"Test":["CMD-SHELL","curl -f http://localhost/"],"Interval":5000000000,"Retries":3})");
  BOOST_TEST(to_json(c["OnBuild"]) == R"(["RUN make"])");
  BOOST_TEST(to_json(applied({"HEALTHCHECK NONE"})["Healthcheck"]) == R"({"Test":["NONE"]})");
}

BOOST_AUTO_TEST_CASE(errors_name_the_change) {
  BOOST_TEST(error_of({"RUN echo hi"}) == "change \"RUN echo hi\": run is not a valid change command");
  BOOST_TEST(error_of({"BOGUS x"}) == "change \"BOGUS x\": dockerfile parse error line 1: unknown instruction: BOGUS");
  BOOST_TEST(error_of({"ENV A=1", "ENV novalue"}) == "change \"ENV novalue\": ENV must have two arguments");
  BOOST_TEST(error_of({"ENV A=1 B"}) ==
             "change \"ENV A=1 B\": Syntax error - can't find = in \"B\". Must be of the form: name=value");
  BOOST_TEST(error_of({"EXPOSE 70000"}) == "change \"EXPOSE 70000\": invalid containerPort: 70000");
  BOOST_TEST(error_of({"STOPSIGNAL sig term"}) == "change \"STOPSIGNAL sig term\": STOPSIGNAL requires exactly one argument");
  BOOST_TEST(error_of({"STOPSIGNAL nope!"}) == "change \"STOPSIGNAL nope!\": Invalid signal: nope!");
  BOOST_TEST(error_of({R"(ENV A="open)"}) ==
             "change \"ENV A=\"open\": unexpected end of statement while looking for matching double-quote");
}

BOOST_AUTO_TEST_CASE(split_words_keeps_expanded_spaces_in_one_word) {
  std::vector<std::string> env{"X=a b"};
  auto w = split_words(R"($X "c d" e\ f)", &env);
  BOOST_REQUIRE(w);
  BOOST_TEST(w->size() == 3u);
  BOOST_TEST((*w)[0] == "a b");
  BOOST_TEST((*w)[1] == "c d");
  BOOST_TEST((*w)[2] == "e f");
}

BOOST_AUTO_TEST_SUITE_END()
