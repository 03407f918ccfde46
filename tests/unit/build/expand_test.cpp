#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/build/dockerfile.hpp"

using namespace skiff;
using namespace skiff::build;

namespace {

std::string ex(std::string_view w, const Vars& v, char esc = '\\') {
  auto r = expand_word(w, v, esc);
  BOOST_REQUIRE_MESSAGE(r.has_value(), "expand " << w << ": " << (r ? "" : r.error().msg));
  return *r;
}

std::string ex_err(std::string_view w, const Vars& v = {}) {
  auto r = expand_word(w, v);
  BOOST_REQUIRE_MESSAGE(!r.has_value(), "expected an error for " << w << ", got " << (r ? *r : ""));
  return r.error().msg;
}

const Instruction& only(const Dockerfile& df, size_t i) { return df.stages.back().instructions.at(i); }

}  // namespace

BOOST_AUTO_TEST_SUITE(build_expand)

BOOST_AUTO_TEST_CASE(reference_example) {
  // The reference's example: ENV foo /bar, then WORKDIR ${foo}, ADD . $foo, COPY \$foo /quux.
  Vars v{{"foo", "/bar"}};
  BOOST_TEST(ex("${foo}", v) == "/bar");
  BOOST_TEST(ex("$foo", v) == "/bar");
  BOOST_TEST(ex("\\$foo", v) == "$foo");
  BOOST_TEST(ex("\\${foo}", v) == "${foo}");
  BOOST_TEST(ex("${foo}_bar", v) == "/bar_bar");
  BOOST_TEST(ex("$foo_bar", v) == "");  // the name is foo_bar
}

BOOST_AUTO_TEST_CASE(modifiers) {
  Vars v{{"set", "value"}, {"empty", ""}};
  BOOST_TEST(ex("${set:-word}", v) == "value");
  BOOST_TEST(ex("${unset:-word}", v) == "word");
  BOOST_TEST(ex("${empty:-word}", v) == "word");
  BOOST_TEST(ex("${empty-word}", v) == "");
  BOOST_TEST(ex("${unset-word}", v) == "word");
  BOOST_TEST(ex("${set:+word}", v) == "word");
  BOOST_TEST(ex("${unset:+word}", v) == "");
  BOOST_TEST(ex("${empty:+word}", v) == "");
  BOOST_TEST(ex("${empty+word}", v) == "word");
  BOOST_TEST(ex("${unset+word}", v) == "");
  // word may hold other variables, and quotes.
  BOOST_TEST(ex("${unset:-$set}", v) == "value");
  BOOST_TEST(ex("${unset:-${also:-deep}}", v) == "deep");
  BOOST_TEST(ex("${unset:-\"a b\"}", v) == "a b");
  BOOST_TEST(ex("${set:?}", v) == "value");
}

BOOST_AUTO_TEST_CASE(required_errors) {
  BOOST_TEST(ex_err("${X?}") == "X: is not allowed to be unset");
  BOOST_TEST(ex_err("${X?need X}") == "X: need X");
  BOOST_TEST(ex_err("${X:?}", {{"X", ""}}) == "X: is not allowed to be empty");
}

BOOST_AUTO_TEST_CASE(pattern_modifiers) {
  Vars v{{"p", "/usr/local/bin/tool.tar.gz"}, {"s", "aXbXc"}};
  BOOST_TEST(ex("${p#*/}", v) == "usr/local/bin/tool.tar.gz");
  BOOST_TEST(ex("${p##*/}", v) == "tool.tar.gz");
  BOOST_TEST(ex("${p%.*}", v) == "/usr/local/bin/tool.tar");
  BOOST_TEST(ex("${p%%.*}", v) == "/usr/local/bin/tool");
  BOOST_TEST(ex("${s/X/-}", v) == "a-bXc");
  BOOST_TEST(ex("${s//X/-}", v) == "a-b-c");
  BOOST_TEST(ex("${s/X}", v) == "abXc");
}

BOOST_AUTO_TEST_CASE(syntax_errors) {
  BOOST_TEST(ex_err("${") == "syntax error: missing '}'");
  BOOST_TEST(ex_err("${}") == "syntax error: bad substitution");
  BOOST_TEST(ex_err("${:x}") == "syntax error: bad substitution");
  BOOST_TEST(ex_err("${foo") == "syntax error: missing '}'");
  BOOST_TEST(ex_err("${foo:-x") == "syntax error: missing '}'");
  BOOST_TEST(ex_err("${foo:x}") == "unsupported modifier (:x) in substitution");
  BOOST_TEST(ex_err("${foo!}") == "unsupported modifier (!) in substitution");
  BOOST_TEST(ex_err("'abc").find("single-quote") != std::string::npos);
  BOOST_TEST(ex_err("\"abc").find("double-quote") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_an_error_not_a_crash) {
  std::string w;
  for (int i = 0; i < 100000; ++i) w += "${a:-";
  w += "x";
  for (int i = 0; i < 100000; ++i) w += "}";
  BOOST_TEST(ex_err(w).find("nested more than") != std::string::npos);
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "${a:-\"";
  ok += "x";
  for (int i = 0; i < 50; ++i) ok += "\"}";
  BOOST_TEST(ex(ok, {}) == "x");
}

BOOST_AUTO_TEST_CASE(literals_and_quotes) {
  Vars v{{"A", "1"}, {"SP", "x y"}};
  BOOST_TEST(ex("$", v) == "$");
  BOOST_TEST(ex("a$", v) == "a$");
  BOOST_TEST(ex("$-x", v) == "x");       // $- is a special parameter (unset here)
  BOOST_TEST(ex("$1", v) == "");
  BOOST_TEST(ex("$/x", v) == "$/x");
  BOOST_TEST(ex("'$A'", v) == "$A");
  BOOST_TEST(ex("\"$A\"", v) == "1");
  BOOST_TEST(ex("\"\\$A\"", v) == "$A");
  BOOST_TEST(ex("\"a\\b\"", v) == "a\\b");   // other escapes stay inside double quotes
  BOOST_TEST(ex("\"a\\\"b\"", v) == "a\"b");
  BOOST_TEST(ex("a\\ b", v) == "a b");
  BOOST_TEST(ex("a\\", v) == "a");           // an escape at the end is dropped
  BOOST_TEST(ex("'a\\b'", v) == "a\\b");      // no escapes in single quotes
  BOOST_TEST(ex("x  $SP  y", v) == "x  x y  y");  // one word: whitespace kept
}

BOOST_AUTO_TEST_CASE(backtick_escape) {
  Vars v{{"A", "1"}};
  BOOST_TEST(ex("`$A", v, '`') == "$A");
  BOOST_TEST(ex("c:\\$A", v, '`') == "c:\\1");
  BOOST_TEST(ex("\"`$A\"", v, '`') == "$A");
}

BOOST_AUTO_TEST_CASE(word_splitting) {
  Vars v{{"X", "d e"}, {"E", ""}};
  auto w = expand_words("a \"b c\" $X", v);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST((*w == std::vector<std::string>{"a", "b c", "d", "e"}));
  w = expand_words("'' x $E", v);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST((*w == std::vector<std::string>{"", "x"}));
  w = expand_words("a\\ b  c", v);
  BOOST_TEST((*w == std::vector<std::string>{"a b", "c"}));
  w = expand_words("\"$X\"", v);
  BOOST_TEST((*w == std::vector<std::string>{"d e"}));
}

BOOST_AUTO_TEST_CASE(used_names_are_recorded) {
  std::set<std::string> used;
  auto r = expand_word("$A ${B:-x} '$C' \\$D", Vars{{"A", "1"}}, '\\', &used);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST((used == std::set<std::string>{"A", "B"}));
}

BOOST_AUTO_TEST_CASE(which_instructions_expand) {
  for (auto c : {"add", "copy", "env", "expose", "from", "label", "stopsignal", "user", "volume", "workdir", "arg"})
    BOOST_TEST(expands_variables(c), c);
  for (auto c : {"run", "cmd", "entrypoint", "shell", "healthcheck", "onbuild", "maintainer"})
    BOOST_TEST(!expands_variables(c), c);
}

BOOST_AUTO_TEST_CASE(env_uses_values_from_before_the_instruction) {
  // The reference: `ENV abc=bye def=$abc` after `ENV abc=hello` gives def=hello.
  auto df = parse_dockerfile("FROM busybox\nENV abc=bye def=$abc\n");
  BOOST_REQUIRE(df.has_value());
  auto e = expand_instruction(only(*df, 0), Vars{{"abc", "hello"}});
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->kvs[0].value == "bye");
  BOOST_TEST(e->kvs[1].value == "hello");
}

BOOST_AUTO_TEST_CASE(instructions) {
  auto df = parse_dockerfile(
      "ARG BASE=busybox\n"
      "FROM --platform=$P ${BASE}:${TAG:-latest} AS b\n"
      "ENV A=\"a b\" B=$U C='$U' ${K}=v\n"
      "LABEL l=\"$U\"\n"
      "COPY --chown=$U:$U --from=$S --chmod=$M $SRC <<EOF /dst/$U/\n"
      "content $U\n"
      "EOF\n"
      "EXPOSE $PORTS 9000\n"
      "VOLUME $U /v\n"
      "USER $U\n"
      "WORKDIR /home/$U\n"
      "STOPSIGNAL $SIG\n"
      "RUN echo $U\n"
      "CMD echo $U\n"
      "ONBUILD COPY $U /x\n"
      "ARG D=${U}-x\n"
      "ADD --checksum=$SUM http://x/$U /y\n");
  BOOST_REQUIRE_MESSAGE(df.has_value(), (df ? "" : df.error().msg));
  Vars v{{"U", "me"}, {"P", "linux/amd64"}, {"S", "build"}, {"M", "0755"}, {"SRC", "src"},
         {"PORTS", "80 443"}, {"SIG", "SIGTERM"}, {"K", "key"}, {"SUM", "sha256:1"}, {"BASE", "alpine"}};
  auto from = expand_instruction(df->stages[0].from, v);
  BOOST_REQUIRE(from.has_value());
  BOOST_TEST(from->args[0] == "alpine:latest");
  BOOST_TEST(from->flag("platform")->value == "linux/amd64");
  BOOST_TEST(from->args[2] == "b");
  auto get = [&](size_t i) {
    auto r = expand_instruction(only(*df, i), v);
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
    return *r;
  };
  auto env = get(0);
  BOOST_TEST(env.kvs[0].value == "a b");
  BOOST_TEST(env.kvs[1].value == "me");
  BOOST_TEST(env.kvs[2].value == "$U");
  BOOST_TEST(env.kvs[3].key == "key");
  BOOST_TEST(get(1).kvs[0].value == "me");
  auto copy = get(2);
  BOOST_TEST((copy.args == std::vector<std::string>{"src", "<<EOF", "/dst/me/"}));
  BOOST_TEST(copy.flag("chown")->value == "me:me");
  BOOST_TEST(copy.flag("from")->value == "build");
  BOOST_TEST(copy.flag("chmod")->value == "0755");
  BOOST_TEST(copy.heredocs[0].content == "content $U\n");  // bodies: expand_heredoc
  BOOST_TEST((get(3).args == std::vector<std::string>{"80", "443", "9000"}));
  BOOST_TEST((get(4).args == std::vector<std::string>{"me", "/v"}));
  BOOST_TEST(get(5).args[0] == "me");
  BOOST_TEST(get(6).args[0] == "/home/me");
  BOOST_TEST(get(7).args[0] == "SIGTERM");
  BOOST_TEST(get(8).args[0] == "echo $U");   // RUN: the shell expands
  BOOST_TEST(get(9).args[0] == "echo $U");   // CMD too
  BOOST_TEST(get(10).args[0] == "COPY $U /x");  // ONBUILD: expanded when it triggers
  BOOST_TEST(get(11).kvs[0].value == "me-x");
  auto add = get(12);
  BOOST_TEST(add.flag("checksum")->value == "sha256:1");
  BOOST_TEST(add.args[0] == "http://x/me");
}

// The reference's ENV and LABEL examples, parsed and expanded.
BOOST_AUTO_TEST_CASE(reference_env_and_label) {
  auto df = parse_dockerfile(
      "FROM busybox\n"
      "ENV MY_NAME=\"John Doe\"\n"
      "ENV MY_DOG=Rex\\ The\\ Dog\n"
      "ENV MY_CAT=fluffy\n"
      "ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog \\\n"
      "    MY_CAT=fluffy\n"
      "ENV ONE TWO= THREE=world\n"
      "LABEL \"com.example.vendor\"=\"ACME Incorporated\"\n"
      "LABEL description=\"This text illustrates \\\n"
      "that label-values can span multiple lines.\"\n");
  BOOST_REQUIRE_MESSAGE(df.has_value(), (df ? "" : df.error().msg));
  auto get = [&](size_t i) {
    auto r = expand_instruction(only(*df, i), {});
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().msg));
    return *r;
  };
  BOOST_TEST(get(0).kvs[0].value == "John Doe");
  BOOST_TEST(get(1).kvs[0].value == "Rex The Dog");
  BOOST_TEST(get(2).kvs[0].value == "fluffy");
  auto multi = get(3);
  BOOST_REQUIRE_EQUAL(multi.kvs.size(), 3u);
  BOOST_TEST(multi.kvs[1].value == "Rex The Dog");
  BOOST_TEST(multi.kvs[2].key == "MY_CAT");
  // The legacy form: ONE is "TWO= THREE=world".
  auto legacy = get(4);
  BOOST_REQUIRE_EQUAL(legacy.kvs.size(), 1u);
  BOOST_TEST(legacy.kvs[0].key == "ONE");
  BOOST_TEST(legacy.kvs[0].value == "TWO= THREE=world");
  BOOST_TEST(get(5).kvs[0].key == "com.example.vendor");
  BOOST_TEST(get(5).kvs[0].value == "ACME Incorporated");
  BOOST_TEST(get(6).kvs[0].value == "This text illustrates that label-values can span multiple lines.");
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
  auto df = parse_dockerfile("FROM busybox\nWORKDIR ${\n");
  BOOST_REQUIRE(df.has_value());
  auto r = expand_instruction(only(*df, 0), {});
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().msg.find("line 2") != std::string::npos, r.error().msg);
  BOOST_TEST(r.error().msg.find("missing '}'") != std::string::npos, r.error().msg);
}

BOOST_AUTO_TEST_CASE(heredoc_bodies) {
  Vars v{{"A", "1"}};
  Heredoc h{"EOF", "echo \"$A\" '$A' \\$A ${A}\n", true, false, -1};
  auto r = expand_heredoc(h, v);
  BOOST_REQUIRE(r.has_value());
  // BuildKit keeps quotes and escapes in bodies; single quotes still protect their text.
  BOOST_TEST(*r == "echo \"1\" '$A' \\$A 1\n");
  h.expand = false;
  BOOST_TEST(*expand_heredoc(h, v) == h.content);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(build_expand_scope)

BOOST_AUTO_TEST_CASE(meta_args_for_from) {
  // The reference: ARG before FROM is usable in FROM; a --build-arg overrides the default.
  auto df = parse_dockerfile(
      "ARG CODE_VERSION=latest\n"
      "ARG REPO=base-${CODE_VERSION}\n"
      "ARG NODEFAULT\n"
      "ARG TARGETPLATFORM\n"
      "FROM --platform=$TARGETPLATFORM ${REPO}:${CODE_VERSION}${NODEFAULT:+-x}\n");
  BOOST_REQUIRE(df.has_value());
  std::set<std::string> used;
  auto g = resolve_meta_args(*df, {}, {{"TARGETPLATFORM", "linux/amd64"}}, &used);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->at("REPO") == "base-latest");
  BOOST_TEST(!g->count("NODEFAULT"));
  BOOST_TEST(g->at("TARGETPLATFORM") == "linux/amd64");
  BOOST_TEST(used.count("CODE_VERSION"));
  auto from = expand_instruction(df->stages[0].from, *g);
  BOOST_REQUIRE(from.has_value());
  BOOST_TEST(from->args[0] == "base-latest:latest");
  BOOST_TEST(from->flag("platform")->value == "linux/amd64");
  auto g2 = resolve_meta_args(*df, {{"CODE_VERSION", "1.2"}, {"NODEFAULT", "y"}, {"UNDECLARED", "z"}});
  BOOST_REQUIRE(g2.has_value());
  BOOST_TEST(g2->at("REPO") == "base-1.2");
  BOOST_TEST(!g2->count("UNDECLARED"));
  auto from2 = expand_instruction(df->stages[0].from, *g2);
  BOOST_TEST(from2->args[0] == "base-1.2:1.2-x");
}

BOOST_AUTO_TEST_CASE(run_mount_values_expand) {
  Vars v{{"CACHE", "/root/.cache"}, {"ID", "go"}};
  auto m = parse_run_mount("type=cache,target=$CACHE,id=${ID}-mod", &v);
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(m->target == "/root/.cache");
  BOOST_TEST(m->id == "go-mod");
  auto raw = parse_run_mount("type=cache,target=$CACHE");
  BOOST_REQUIRE(raw.has_value());
  BOOST_TEST(raw->target == "$CACHE");
  BOOST_TEST(!parse_run_mount("type=cache,target=${", &v).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
