// Dockerfiles: the parser (directives, continuations, heredocs, flags, every instruction),
// then what the executor does with each instruction: variable substitution with a few
// variables set, heredoc bodies, HEALTHCHECK and RUN --mount decoding, ONBUILD triggers
// parsed back. The input also runs as a .dockerignore file and as filepath.Match pattern and
// name (split at the first NUL).
#include "fuzz.hpp"
#include "skiff/build/context.hpp"
#include "skiff/build/dockerfile.hpp"

using namespace skiff::build;

namespace {

void exercise(const Instruction& ins, const Vars& vars, char esc) {
  (void)expand_instruction(ins, vars, esc);
  for (const auto& h : ins.heredocs) (void)expand_heredoc(h, vars, esc);
  for (const auto& m : ins.flag_values("mount")) {
    (void)parse_run_mount(m);
    (void)parse_run_mount(m, &vars, esc);
  }
  if (ins.cmd == "healthcheck") (void)healthcheck_spec(ins);
  for (const auto& kv : ins.kvs) (void)expand_words(kv.value, vars, esc);
  for (const auto& sub : ins.onbuild) exercise(sub, vars, esc);
  if (ins.line <= 0 || ins.end_line < ins.line) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz_text(data, size);
  ParseOutput out = parse_dockerfile_all(text, "Dockerfile");
  const Dockerfile& df = out.dockerfile;
  for (const auto& e : out.errors)
    if (e.line < 0 || e.msg.empty()) __builtin_trap();
  const Vars vars{{"A", "1"}, {"EMPTY", ""}, {"SP", "a b  c"}, {"Q", "\"'"}};
  for (const auto& ins : df.meta_args) exercise(ins, vars, df.escape);
  std::vector<std::string> triggers;
  for (const auto& st : df.stages) {
    exercise(st.from, vars, df.escape);
    for (const auto& ins : st.instructions) {
      exercise(ins, vars, df.escape);
      if (ins.cmd == "onbuild" && !ins.args.empty()) triggers.push_back(ins.args[0]);
    }
    if (df.find_stage(st.name.empty() ? std::to_string(st.index) : st.name) == nullptr) __builtin_trap();
  }
  (void)parse_triggers(triggers, df.escape);

  if (auto m = IgnoreMatcher::parse(text)) {
    (void)m->excluded("a/b/c.txt");
    (void)m->excluded(".dockerignore");
    (void)m->may_include_below("a/b");
  }
  auto [pat, name] = fuzz_split(text);
  (void)path_match(pat, name);
  return 0;
}
