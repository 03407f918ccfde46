#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/build/dockerfile.hpp"

using namespace skiff;
using namespace skiff::build;

namespace {

Dockerfile parse_ok(std::string_view text) {
  auto r = parse_dockerfile(text);
  BOOST_REQUIRE_MESSAGE(r.has_value(), "parse failed: " << (r ? "" : r.error().msg));
  return std::move(*r);
}

std::vector<Diagnostic> parse_errors(std::string_view text) {
  return parse_dockerfile_all(text).errors;
}

bool has_error(const std::vector<Diagnostic>& errs, int line, std::string_view part) {
  for (const auto& e : errs)
    if (e.line == line && e.msg.find(part) != std::string::npos) return true;
  return false;
}

std::string dump_errors(const std::vector<Diagnostic>& errs) {
  std::string s;
  for (const auto& e : errs) s += e.text() + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(build_dockerfile)

BOOST_AUTO_TEST_CASE(stages_and_instructions) {
  auto df = parse_ok(
      "FROM busybox AS build\n"
      "RUN echo hi > /x\n"
      "\n"
      "FROM scratch\n"
      "COPY --from=build /x /y\n"
      "CMD [\"sh\"]\n");
  BOOST_REQUIRE_EQUAL(df.stages.size(), 2u);
  BOOST_TEST(df.stages[0].base == "busybox");
  BOOST_TEST(df.stages[0].name == "build");
  BOOST_TEST(df.stages[0].index == 0);
  BOOST_REQUIRE_EQUAL(df.stages[0].instructions.size(), 1u);
  const auto& run = df.stages[0].instructions[0];
  BOOST_TEST(run.cmd == "run");
  BOOST_TEST(run.line == 2);
  BOOST_TEST(run.original == "RUN echo hi > /x");
  BOOST_REQUIRE_EQUAL(run.args.size(), 1u);
  BOOST_TEST(run.args[0] == "echo hi > /x");
  BOOST_TEST(!run.json);
  BOOST_TEST(df.stages[1].base == "scratch");
  BOOST_TEST(df.stages[1].name.empty());
  BOOST_TEST(df.stages[1].from.line == 4);
  const auto& copy = df.stages[1].instructions[0];
  BOOST_TEST(copy.cmd == "copy");
  BOOST_REQUIRE(copy.flag("from"));
  BOOST_TEST(copy.flag("from")->value == "build");
  BOOST_TEST((copy.args == std::vector<std::string>{"/x", "/y"}));
  const auto& cmd = df.stages[1].instructions[1];
  BOOST_TEST(cmd.json);
  BOOST_TEST((cmd.args == std::vector<std::string>{"sh"}));
  BOOST_TEST(df.find_stage("BUILD") == &df.stages[0]);
  BOOST_TEST(df.find_stage("1") == &df.stages[1]);
  BOOST_TEST(df.find_stage("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(instruction_names_are_case_insensitive) {
  auto df = parse_ok("from busybox as Base\nrUn true\nWorkDir /app\n");
  BOOST_TEST(df.stages[0].name == "base");
  BOOST_TEST(df.stages[0].instructions[0].cmd == "run");
  BOOST_TEST(df.stages[0].instructions[0].original == "rUn true");
  BOOST_TEST(df.stages[0].instructions[1].cmd == "workdir");
  BOOST_TEST(df.stages[0].instructions[1].args[0] == "/app");
}

BOOST_AUTO_TEST_CASE(comments_and_continuations) {
  auto df = parse_ok(
      "# a comment\n"
      "FROM busybox\n"
      "   # indented comment\n"
      "RUN echo a \\\n"
      "  # comment inside a continuation\n"
      "  b \\\n"
      "  c\n"
      "RUN echo done\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_REQUIRE_EQUAL(ins.size(), 2u);
  BOOST_TEST(ins[0].args[0] == "echo a   b   c");
  BOOST_TEST(ins[0].line == 4);
  BOOST_TEST(ins[0].end_line == 7);
  BOOST_TEST(ins[1].line == 8);
}

BOOST_AUTO_TEST_CASE(continuation_with_trailing_blanks_and_crlf) {
  auto df = parse_ok("FROM busybox\r\nRUN echo a \\  \r\n b\r\n");
  BOOST_TEST(df.stages[0].instructions[0].args[0] == "echo a  b");
}

// The reference's examples of the escape directive and of whitespace.
BOOST_AUTO_TEST_CASE(reference_examples) {
  // Without `# escape=`, a Windows path's trailing \ continues the line: the reference says
  // this results in "COPY testfile.txt c:RUN dir c:".
  auto win = parse_ok("FROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\n");
  BOOST_REQUIRE_EQUAL(win.stages[0].instructions.size(), 1u);
  BOOST_TEST(win.stages[0].instructions[0].original == "COPY testfile.txt c:RUN dir c:");
  // Leading whitespace before comments and instructions is ignored...
  auto ws = parse_ok("FROM busybox\n        # this is a comment-line\n    RUN echo hello\nRUN echo world\n");
  BOOST_TEST(ws.stages[0].instructions.size() == 2u);
  BOOST_TEST(ws.stages[0].instructions[0].args[0] == "echo hello");
  // ...but not inside arguments.
  auto arg = parse_ok("FROM busybox\nRUN echo \"\\\n     hello\\\n     world\"\n");
  BOOST_TEST(arg.stages[0].instructions[0].args[0] == "echo \"     hello     world\"");
  // Directives: all of these are the same.
  for (const char* d : {"#escape=`", "# escape =`", "#\tescape= `", "# escape = `", "#\t  eScApE=`"}) {
    auto df = parse_ok(std::string(d) + "\nFROM busybox\n");
    BOOST_TEST(df.escape == '`', d);
  }
  // Comment lines in a continuation are removed.
  auto c = parse_ok("FROM busybox\nRUN echo hello \\\n# comment\nworld\n");
  BOOST_TEST(c.stages[0].instructions[0].args[0] == "echo hello world");
}

BOOST_AUTO_TEST_CASE(empty_continuation_line_is_a_warning) {
  auto out = parse_dockerfile_all("FROM busybox\nRUN echo a \\\n\n b\n");
  BOOST_TEST(out.errors.empty());
  BOOST_TEST(out.dockerfile.stages[0].instructions[0].args[0] == "echo a  b");
  bool warned = false;
  for (const auto& w : out.dockerfile.warnings)
    if (w.msg.find("empty continuation") != std::string::npos) warned = true;
  BOOST_TEST(warned);
}

BOOST_AUTO_TEST_CASE(escape_directive_backtick) {
  // The reference's Windows example: with ` as the escape, \ is literal.
  auto df = parse_ok(
      "# escape=`\n"
      "\n"
      "FROM microsoft/nanoserver\n"
      "COPY testfile.txt c:\\\n"
      "RUN dir c:\\\n"
      "RUN echo a `\n"
      "  b\n");
  BOOST_TEST(df.escape == '`');
  const auto& ins = df.stages[0].instructions;
  BOOST_REQUIRE_EQUAL(ins.size(), 3u);
  BOOST_TEST((ins[0].args == std::vector<std::string>{"testfile.txt", "c:\\"}));
  BOOST_TEST(ins[1].args[0] == "dir c:\\");
  BOOST_TEST(ins[2].args[0] == "echo a   b");
}

BOOST_AUTO_TEST_CASE(directives_only_at_the_top) {
  // After a comment that is not a directive, "# escape=`" is a comment.
  auto df = parse_ok("# hello\n# escape=`\nFROM busybox\nRUN echo \\\n  x\n");
  BOOST_TEST(df.escape == '\\');
  BOOST_TEST(df.stages[0].instructions[0].args[0] == "echo   x");
  // Unknown directive: a comment, and stops directive processing.
  auto df2 = parse_ok("# unknowndirective=value\n# escape=`\nFROM busybox\n");
  BOOST_TEST(df2.escape == '\\');
  // Whitespace and case are allowed.
  auto df3 = parse_ok("#  ESCAPE = `\nFROM busybox\n");
  BOOST_TEST(df3.escape == '`');
  // ...but not before the '#': that line is a comment.
  auto df4 = parse_ok(" # escape=`\nFROM busybox\n");
  BOOST_TEST(df4.escape == '\\');
}

BOOST_AUTO_TEST_CASE(syntax_directive_ignored_with_a_note) {
  auto out = parse_dockerfile_all("# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\nFROM busybox\n");
  BOOST_TEST(out.errors.empty());
  BOOST_TEST(out.dockerfile.syntax == "docker/dockerfile:1");
  BOOST_TEST(out.dockerfile.check == "skip=JSONArgsRecommended");
  BOOST_REQUIRE(!out.dockerfile.warnings.empty());
  BOOST_TEST(out.dockerfile.warnings[0].msg.find("ignored") != std::string::npos);
  BOOST_TEST(out.dockerfile.warnings[0].line == 1);
}

BOOST_AUTO_TEST_CASE(directive_errors) {
  auto errs = parse_errors("# escape=\\\n# escape=`\nFROM busybox\n");
  BOOST_TEST(has_error(errs, 2, "only one escape parser directive"), dump_errors(errs));
  errs = parse_errors("# escape=x\nFROM busybox\n");
  BOOST_TEST(has_error(errs, 1, "invalid escape token"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(bom_is_stripped) {
  auto df = parse_ok("\xEF\xBB\xBF" "FROM busybox\n");
  BOOST_TEST(df.stages[0].base == "busybox");
}

BOOST_AUTO_TEST_CASE(exec_and_shell_forms) {
  auto df = parse_ok(
      "FROM busybox\n"
      "ENTRYPOINT [\"/bin/echo\", \"a b\", \"c\\\"d\"]\n"
      "CMD echo $HOME\n"
      "RUN [ -f /etc/passwd ]\n"
      "RUN [\"sh\", \"-c\", \"echo\"]\n"
      "CMD []\n"
      "SHELL [\"/bin/bash\", \"-c\"]\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(ins[0].json);
  BOOST_TEST((ins[0].args == std::vector<std::string>{"/bin/echo", "a b", "c\"d"}));
  BOOST_TEST(!ins[1].json);
  BOOST_TEST(ins[1].args[0] == "echo $HOME");
  // A shell test command that starts with '[' is the shell form, as in Docker.
  BOOST_TEST(!ins[2].json);
  BOOST_TEST(ins[2].args[0] == "[ -f /etc/passwd ]");
  BOOST_TEST(ins[3].json);
  BOOST_TEST(ins[4].json);
  BOOST_TEST(ins[4].args.empty());
  BOOST_TEST((ins[5].args == std::vector<std::string>{"/bin/bash", "-c"}));
}

BOOST_AUTO_TEST_CASE(bad_json_forms) {
  auto errs = parse_errors(
      "FROM busybox\n"
      "CMD [\"a\", 'b']\n"
      "ENTRYPOINT [\"a\", 1]\n"
      "SHELL /bin/sh -c\n"
      "RUN [\"unterminated]\n");
  BOOST_TEST(has_error(errs, 2, "invalid JSON"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "must be a string"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "SHELL requires the arguments to be in JSON form"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 5, "invalid JSON"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_an_error) {
  std::string deep = "FROM busybox\nCMD [\"a\", " + std::string(200000, '[') + std::string(200000, ']') + "]\n";
  auto errs = parse_errors(deep);
  BOOST_TEST(has_error(errs, 2, "invalid JSON"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(env_and_label_forms) {
  auto df = parse_ok(
      "FROM busybox\n"
      "ENV A=1 B=\"two words\" C=three\\ words\n"
      "ENV D legacy value  here\n"
      "LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0\n"
      "LABEL multi.label1=\"value1\" \\\n"
      "      multi.label2=\"value2\"\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_REQUIRE_EQUAL(ins[0].kvs.size(), 3u);
  BOOST_TEST(ins[0].kvs[0].key == "A");
  BOOST_TEST(ins[0].kvs[0].value == "1");
  BOOST_TEST(ins[0].kvs[1].value == "\"two words\"");  // raw; expand_instruction removes quotes
  BOOST_TEST(ins[0].kvs[2].value == "three\\ words");
  BOOST_REQUIRE_EQUAL(ins[1].kvs.size(), 1u);
  BOOST_TEST(ins[1].kvs[0].key == "D");
  BOOST_TEST(ins[1].kvs[0].value == "legacy value  here");
  BOOST_REQUIRE_EQUAL(ins[2].kvs.size(), 2u);
  BOOST_TEST(ins[2].kvs[0].key == "\"com.example.vendor\"");
  BOOST_REQUIRE_EQUAL(ins[3].kvs.size(), 2u);
  BOOST_TEST(ins[3].kvs[1].key == "multi.label2");
}

BOOST_AUTO_TEST_CASE(env_errors) {
  auto errs = parse_errors("FROM busybox\nENV\nENV ONLYKEY\nENV A=1 B\nENV =x\nLABEL\n");
  BOOST_TEST(has_error(errs, 2, "ENV requires at least one argument"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "ENV must have two arguments"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "can't find ="), dump_errors(errs));
  BOOST_TEST(has_error(errs, 5, "names can not be blank"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 6, "LABEL requires at least one argument"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(arg_before_from) {
  auto df = parse_ok(
      "ARG  CODE_VERSION=latest\n"
      "ARG OTHER\n"
      "FROM base:${CODE_VERSION}\n"
      "ARG CODE_VERSION\n"
      "ARG A=1 B=2\n");
  BOOST_REQUIRE_EQUAL(df.meta_args.size(), 2u);
  BOOST_TEST(df.meta_args[0].kvs[0].key == "CODE_VERSION");
  BOOST_TEST(df.meta_args[0].kvs[0].value == "latest");
  BOOST_TEST(df.meta_args[0].kvs[0].has_value);
  BOOST_TEST(!df.meta_args[1].kvs[0].has_value);
  BOOST_TEST(df.stages[0].base == "base:${CODE_VERSION}");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(!ins[0].kvs[0].has_value);
  BOOST_REQUIRE_EQUAL(ins[1].kvs.size(), 2u);
  BOOST_TEST(ins[1].kvs[1].key == "B");
}

BOOST_AUTO_TEST_CASE(from_forms_and_errors) {
  auto df = parse_ok("FROM --platform=$BUILDPLATFORM golang:1.21 AS build\n");
  BOOST_TEST(df.stages[0].platform == "$BUILDPLATFORM");
  BOOST_TEST(df.stages[0].base == "golang:1.21");
  auto errs = parse_errors(
      "FROM\n"
      "FROM a b\n"
      "FROM a IS b\n"
      "FROM a AS 1bad\n"
      "FROM a AS x\n"
      "FROM b AS X\n"
      "FROM --pltform=x a\n");
  BOOST_TEST(has_error(errs, 1, "FROM requires either one or three arguments"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 2, "FROM requires either one or three arguments"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "must be AS"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "invalid name for build stage"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 6, "duplicate stage name \"x\""), dump_errors(errs));
  BOOST_TEST(has_error(errs, 7, "unknown flag: --pltform"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(missing_from) {
  auto errs = parse_errors("RUN echo hi\n");
  BOOST_TEST(has_error(errs, 1, "before the first FROM"), dump_errors(errs));
  errs = parse_errors("ARG X=1\n");
  BOOST_TEST(has_error(errs, 0, "no FROM instruction"), dump_errors(errs));
  errs = parse_errors("# just a comment\n\n");
  BOOST_TEST(has_error(errs, 0, "empty"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(every_error_is_collected_with_lines) {
  auto r = parse_dockerfile(
      "FROM busybox\n"
      "RUUN echo\n"
      "COPY onlyone\n"
      "RUN <<EOF\n"
      "echo never ends\n",
      "Containerfile");
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == kInvalid);
  const std::string& m = r.error().msg;
  BOOST_TEST(m.find("Containerfile:2: unknown instruction: RUUN (did you mean RUN?)") != std::string::npos, m);
  BOOST_TEST(m.find("Containerfile:3: COPY requires at least two arguments") != std::string::npos, m);
  BOOST_TEST(m.find("Containerfile:4: unterminated heredoc") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(unknown_instruction_without_suggestion) {
  auto errs = parse_errors("FROM busybox\nFROBNICATEXYZ x\n");
  BOOST_REQUIRE_EQUAL(errs.size(), 1u);
  BOOST_TEST(errs[0].msg == "unknown instruction: FROBNICATEXYZ");
}

BOOST_AUTO_TEST_CASE(missing_arguments) {
  auto errs = parse_errors(
      "FROM busybox\nRUN\nCMD\nWORKDIR\nUSER\nEXPOSE\nVOLUME\nSTOPSIGNAL\nONBUILD\nHEALTHCHECK\nADD\nARG\nSHELL\n");
  for (int l = 2; l <= 13; ++l) BOOST_TEST(has_error(errs, l, "requires"), "line " << l << ": " << dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(flags) {
  auto df = parse_ok(
      "FROM busybox\n"
      "COPY --chown=1:2 --chmod=0755 --link --parents=false a b /dst/\n"
      "ADD --checksum=sha256:abc --keep-git-dir=true https://x/y /z\n"
      "RUN --mount=type=cache,target=/root/.cache --mount=type=tmpfs,target=/t --network=none true\n"
      "COPY --exclude=*.tmp --exclude=x --from=\"b\" . /\n"
      "HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --start-interval=2s --retries=4 CMD curl -f http://localhost/ || exit 1\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(ins[0].flag("chown")->value == "1:2");
  BOOST_TEST(ins[0].flag("chmod")->value == "0755");
  BOOST_TEST(ins[0].flag_bool("link"));
  BOOST_TEST(!ins[0].flag_bool("parents"));
  BOOST_TEST((ins[0].args == std::vector<std::string>{"a", "b", "/dst/"}));
  BOOST_TEST(ins[1].flag("checksum")->value == "sha256:abc");
  BOOST_TEST(ins[1].flag_bool("keep-git-dir"));
  BOOST_TEST((ins[2].flag_values("mount") ==
              std::vector<std::string>{"type=cache,target=/root/.cache", "type=tmpfs,target=/t"}));
  BOOST_TEST(ins[2].flag("network")->value == "none");
  BOOST_TEST(ins[2].args[0] == "true");
  BOOST_TEST(ins[3].flag_values("exclude").size() == 2u);
  BOOST_TEST(ins[3].flag("from")->value == "b");  // quotes in flags are removed, as BuildKit
  BOOST_TEST(ins[4].flag("retries")->value == "4");
  BOOST_TEST((ins[4].args == std::vector<std::string>{"CMD", "curl -f http://localhost/ || exit 1"}));
}

BOOST_AUTO_TEST_CASE(bad_flags) {
  auto errs = parse_errors(
      "FROM busybox\n"
      "COPY --frm=x a b\n"
      "COPY --from a b\n"
      "COPY --link=maybe a b\n"
      "COPY --from=a --from=b a b\n"
      "ENV --x=1 A=1\n"
      "RUN --mount true\n"
      "COPY --checksum=sha256:x a b\n"
      "HEALTHCHECK --interval=abc CMD true\n"
      "HEALTHCHECK --timeout=10us CMD true\n"
      "HEALTHCHECK --retries=-1 CMD true\n"
      "HEALTHCHECK --retries=1 NONE\n"
      "RUN --network=bridge true\n"
      "RUN --security=weird true\n");
  BOOST_TEST(has_error(errs, 2, "unknown flag: --frm"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "missing a value on flag: --from"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "expecting boolean value for flag --link"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 5, "duplicate flag specified: --from"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 6, "unknown flag: --x (ENV takes no flags)"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 7, "missing a value on flag: --mount"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 8, "unknown flag: --checksum"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 9, "invalid duration"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 10, "cannot be less than 1ms"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 11, "cannot be negative"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 12, "HEALTHCHECK NONE takes no options"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 13, "unsupported network mode"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 14, "unsupported security mode"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(double_dash_ends_flags) {
  auto df = parse_ok("FROM busybox\nCOPY -- --weird /dst\n");
  BOOST_TEST(df.stages[0].instructions[0].flags.empty());
  BOOST_TEST((df.stages[0].instructions[0].args == std::vector<std::string>{"--weird", "/dst"}));
}

BOOST_AUTO_TEST_CASE(heredoc_run) {
  auto df = parse_ok(
      "FROM busybox\n"
      "RUN <<EOF\n"
      "echo hello\n"
      "  echo indented\n"
      "EOF\n"
      "RUN echo after\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_REQUIRE_EQUAL(ins.size(), 2u);
  BOOST_TEST(ins[0].args[0] == "<<EOF");
  BOOST_REQUIRE_EQUAL(ins[0].heredocs.size(), 1u);
  BOOST_TEST(ins[0].heredocs[0].name == "EOF");
  BOOST_TEST(ins[0].heredocs[0].content == "echo hello\n  echo indented\n");
  BOOST_TEST(ins[0].heredocs[0].expand);
  BOOST_TEST(!ins[0].heredocs[0].chomp);
  BOOST_TEST(ins[0].line == 2);
  BOOST_TEST(ins[0].end_line == 5);
  BOOST_TEST(ins[1].line == 6);
}

BOOST_AUTO_TEST_CASE(heredoc_chomp_and_quoted) {
  auto df = parse_ok(
      "FROM busybox\n"
      "RUN <<-EOT\n"
      "\t\techo tabbed\n"
      "\tEOT\n"
      "RUN <<'EOF'\n"
      "echo $HOME\n"
      "EOF\n"
      "RUN <<\"E\"O\n"
      "x\n"
      "EO\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(ins[0].heredocs[0].chomp);
  BOOST_TEST(ins[0].heredocs[0].content == "echo tabbed\n");
  BOOST_TEST(!ins[1].heredocs[0].expand);
  BOOST_TEST(ins[1].heredocs[0].name == "EOF");
  BOOST_TEST(ins[1].heredocs[0].content == "echo $HOME\n");
  BOOST_TEST(ins[2].heredocs[0].name == "EO");
  BOOST_TEST(!ins[2].heredocs[0].expand);
}

BOOST_AUTO_TEST_CASE(heredoc_several_per_line_and_copy) {
  auto df = parse_ok(
      "FROM busybox\n"
      "RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\n"
      "I am\n"
      "first\n"
      "FILE1\n"
      "I am\n"
      "second\n"
      "FILE2\n"
      "COPY <<robots.txt <<humans.txt /usr/share/nginx/html/\n"
      "(robots content)\n"
      "robots.txt\n"
      "(humans content)\n"
      "humans.txt\n"
      "RUN python3 <<EOF 3<<EOT\n"
      "a\n"
      "EOF\n"
      "b\n"
      "EOT\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_REQUIRE_EQUAL(ins.size(), 3u);
  BOOST_REQUIRE_EQUAL(ins[0].heredocs.size(), 2u);
  BOOST_TEST(ins[0].heredocs[0].content == "I am\nfirst\n");
  BOOST_TEST(ins[0].heredocs[1].content == "I am\nsecond\n");
  BOOST_TEST(ins[1].cmd == "copy");
  BOOST_TEST((ins[1].args == std::vector<std::string>{"<<robots.txt", "<<humans.txt", "/usr/share/nginx/html/"}));
  BOOST_REQUIRE_EQUAL(ins[1].heredocs.size(), 2u);
  BOOST_TEST(ins[1].heredocs[1].name == "humans.txt");
  BOOST_TEST(ins[1].heredocs[1].content == "(humans content)\n");
  BOOST_REQUIRE_EQUAL(ins[2].heredocs.size(), 2u);
  BOOST_TEST(ins[2].heredocs[0].fd == -1);
  BOOST_TEST(ins[2].heredocs[1].fd == 3);
  BOOST_TEST(ins[2].heredocs[1].content == "b\n");
}

BOOST_AUTO_TEST_CASE(heredoc_not_in_quotes_or_exec_form) {
  auto df = parse_ok("FROM busybox\nRUN echo \"<<EOF\"\nRUN [\"echo\", \"<<EOF\"]\nCMD <<EOF\n");
  for (const auto& i : df.stages[0].instructions) BOOST_TEST(i.heredocs.empty());
}

BOOST_AUTO_TEST_CASE(heredoc_as_destination) {
  auto errs = parse_errors("FROM busybox\nCOPY /src <<EOF\nx\nEOF\nRUN true\n");
  BOOST_TEST(has_error(errs, 2, "cannot accept a heredoc as a destination"), dump_errors(errs));
  BOOST_TEST(errs.size() == 1u, dump_errors(errs));  // the body was still read as a heredoc
}

BOOST_AUTO_TEST_CASE(unterminated_heredoc) {
  auto errs = parse_errors("FROM busybox\nRUN <<EOF\necho\nEOF \n");
  BOOST_TEST(has_error(errs, 2, "unterminated heredoc"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(onbuild) {
  auto df = parse_ok("FROM busybox\nONBUILD ADD . /app/src\nonbuild run echo hi\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(ins[0].cmd == "onbuild");
  BOOST_TEST(ins[0].args[0] == "ADD . /app/src");
  BOOST_REQUIRE_EQUAL(ins[0].onbuild.size(), 1u);
  BOOST_TEST(ins[0].onbuild[0].cmd == "add");
  BOOST_TEST((ins[0].onbuild[0].args == std::vector<std::string>{".", "/app/src"}));
  BOOST_TEST(ins[1].onbuild[0].cmd == "run");
  auto errs = parse_errors("FROM busybox\nONBUILD ONBUILD RUN x\nONBUILD FROM x\nONBUILD MAINTAINER me\nONBUILD RUUN x\n");
  BOOST_TEST(has_error(errs, 2, "ONBUILD ONBUILD"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "FROM isn't allowed as an ONBUILD trigger"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "MAINTAINER isn't allowed"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 5, "unknown instruction: RUUN"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(triggers) {
  auto t = parse_triggers({"RUN echo hi", "COPY --chown=1 a /b"});
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST((*t)[0].cmd == "run");
  BOOST_TEST((*t)[1].flag("chown")->value == "1");
  auto bad = parse_triggers({"FROM x", "RUUN y"});
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().msg.find("FROM isn't allowed") != std::string::npos);
  BOOST_TEST(bad.error().msg.find("RUUN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(healthcheck_forms) {
  auto df = parse_ok(
      "FROM busybox\n"
      "HEALTHCHECK NONE\n"
      "HEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://x\"]\n"
      "healthcheck cmd true\n");
  const auto& ins = df.stages[0].instructions;
  auto none = healthcheck_spec(ins[0]);
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST((none->test == std::vector<std::string>{"NONE"}));
  auto j = healthcheck_spec(ins[1]);
  BOOST_REQUIRE(j.has_value());
  BOOST_TEST((j->test == std::vector<std::string>{"CMD", "curl", "-f", "http://x"}));
  BOOST_TEST(j->interval == 30'000'000'000LL);
  auto s = healthcheck_spec(ins[2]);
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST((s->test == std::vector<std::string>{"CMD-SHELL", "true"}));
  auto errs = parse_errors("FROM busybox\nHEALTHCHECK NONE x\nHEALTHCHECK CMD\nHEALTHCHECK RUN x\nHEALTHCHECK CMD []\n");
  BOOST_TEST(has_error(errs, 5, "missing command"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 2, "takes no arguments"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 3, "missing command"), dump_errors(errs));
  BOOST_TEST(has_error(errs, 4, "unknown type"), dump_errors(errs));
}

BOOST_AUTO_TEST_CASE(every_instruction) {
  auto df = parse_ok(
      "FROM busybox\n"
      "MAINTAINER someone <a@b>\n"
      "EXPOSE 80/tcp 443 8000-8010/udp\n"
      "VOLUME /data /logs\n"
      "VOLUME [\"/a\", \"/b c\"]\n"
      "USER 1000:1000\n"
      "WORKDIR /path/to dir\n"
      "STOPSIGNAL SIGKILL\n"
      "ADD [\"a b\", \"/c/\"]\n");
  const auto& ins = df.stages[0].instructions;
  BOOST_TEST(ins[0].args[0] == "someone <a@b>");
  BOOST_TEST((ins[1].args == std::vector<std::string>{"80/tcp", "443", "8000-8010/udp"}));
  BOOST_TEST((ins[2].args == std::vector<std::string>{"/data", "/logs"}));
  BOOST_TEST(ins[3].json);
  BOOST_TEST((ins[3].args == std::vector<std::string>{"/a", "/b c"}));
  BOOST_TEST(ins[4].args[0] == "1000:1000");
  BOOST_TEST(ins[5].args[0] == "/path/to dir");
  BOOST_TEST(ins[6].args[0] == "SIGKILL");
  BOOST_TEST(ins[7].json);
  BOOST_TEST((ins[7].args == std::vector<std::string>{"a b", "/c/"}));
  bool deprecated = false;
  for (const auto& w : df.warnings) deprecated |= w.msg.find("MAINTAINER is deprecated") != std::string::npos;
  BOOST_TEST(deprecated);
}

BOOST_AUTO_TEST_CASE(run_mounts) {
  auto c = parse_run_mount("type=cache,target=/root/.cache,sharing=locked,id=go,mode=0700,uid=1,gid=2");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->type == "cache");
  BOOST_TEST(c->target == "/root/.cache");
  BOOST_TEST(c->sharing == "locked");
  BOOST_TEST(c->id == "go");
  BOOST_TEST(*c->mode == 0700u);
  BOOST_TEST(*c->uid == 1u);
  BOOST_TEST(!c->readonly);
  auto b = parse_run_mount("target=/src,from=build,source=/out");
  BOOST_REQUIRE(b.has_value());
  BOOST_TEST(b->type == "bind");
  BOOST_TEST(b->readonly);
  BOOST_TEST(b->from == "build");
  auto rw = parse_run_mount("type=bind,dst=/src,rw");
  BOOST_REQUIRE(rw.has_value());
  BOOST_TEST(!rw->readonly);
  auto s = parse_run_mount("type=secret,id=aws");
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->target == "/run/secrets/aws");
  auto s2 = parse_run_mount("type=secret,target=/x/token,required");
  BOOST_REQUIRE(s2.has_value());
  BOOST_TEST(s2->id == "token");
  BOOST_TEST(s2->required);
  auto t = parse_run_mount("type=tmpfs,target=/t,size=64m");
  BOOST_REQUIRE(t.has_value());
  BOOST_TEST(*t->size == 64ull << 20);
  auto q = parse_run_mount("type=bind,\"target=/a,b\"");
  BOOST_REQUIRE(q.has_value());
  BOOST_TEST(q->target == "/a,b");
  BOOST_TEST(!parse_run_mount("type=nfs,target=/x").has_value());
  BOOST_TEST(!parse_run_mount("type=cache").has_value());
  BOOST_TEST(!parse_run_mount("type=cache,target=/x,bogus=1").has_value());
  BOOST_TEST(!parse_run_mount("type=cache,target=/x,sharing=weird").has_value());
  BOOST_TEST(!parse_run_mount("type=cache,target=/x,mode=999").has_value());
  BOOST_TEST(!parse_run_mount("type=bind,target=/x,sharing=locked").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
