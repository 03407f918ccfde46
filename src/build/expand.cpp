// Variable substitution in the instructions the Dockerfile reference lists (BuildKit's
// instructions' Expand methods and dispatchExpose).

#include <fmt/format.h>

#include "shell_lex.hpp"
#include "skiff/build/dockerfile.hpp"

namespace skiff::build {

Result<std::string> expand_word(std::string_view word, const Vars& vars, char escape,
                                std::set<std::string>* used) {
  detail::LexOptions o{.escape = escape};
  auto r = TRY(detail::lex_process(word, vars, o, used));
  return std::move(r.result);
}

Result<std::vector<std::string>> expand_words(std::string_view text, const Vars& vars, char escape,
                                              std::set<std::string>* used) {
  detail::LexOptions o{.escape = escape};
  auto r = TRY(detail::lex_process(text, vars, o, used));
  return std::move(r.words);
}

bool expands_variables(std::string_view cmd) {
  return cmd == "add" || cmd == "copy" || cmd == "env" || cmd == "expose" || cmd == "from" ||
         cmd == "label" || cmd == "stopsignal" || cmd == "user" || cmd == "volume" ||
         cmd == "workdir" || cmd == "arg";
}

namespace {

bool is_heredoc_word(const std::string& w, const Instruction& ins) {
  if (ins.heredocs.empty() || ins.json) return false;
  size_t i = 0;
  while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
  return w.compare(i, 2, "<<") == 0;
}

}  // namespace

Result<Instruction> expand_instruction(const Instruction& ins, const Vars& vars, char escape,
                                       std::set<std::string>* used) {
  Instruction out = ins;
  if (!expands_variables(ins.cmd)) return out;
  auto ctx = [&](std::string_view what) {
    return fmt::format("line {}: {} {}", ins.line, fmt::format("{:s}", ins.cmd), what);
  };
  auto word = [&](std::string& s, std::string_view what) -> Status {
    s = TRY_CTX(expand_word(s, vars, escape, used), "{}", ctx(what));
    return ok();
  };
  const std::string& c = ins.cmd;
  if (c == "from") {
    if (!out.args.empty()) TRY(word(out.args[0], "image"));
  } else if (c == "env" || c == "label") {
    for (auto& kv : out.kvs) {
      TRY(word(kv.key, "name"));
      TRY(word(kv.value, "value"));
    }
  } else if (c == "arg") {
    for (auto& kv : out.kvs)
      if (kv.has_value) TRY(word(kv.value, "default value"));
  } else if (c == "copy" || c == "add") {
    for (auto& a : out.args)
      if (!is_heredoc_word(a, ins)) TRY(word(a, "path"));
  } else if (c == "expose") {
    std::vector<std::string> ports;
    for (const auto& a : ins.args) {
      auto w = TRY_CTX(expand_words(a, vars, escape, used), "{}", ctx("port"));
      ports.insert(ports.end(), w.begin(), w.end());
    }
    out.args = std::move(ports);
  } else {  // volume, user, workdir, stopsignal
    for (auto& a : out.args) TRY(word(a, "argument"));
  }
  for (auto& f : out.flags) {
    if (!f.has_value) continue;
    if (f.name == "platform" || f.name == "from" || f.name == "chown" || f.name == "chmod" ||
        f.name == "checksum")
      TRY(word(f.value, "--" + f.name));
  }
  return out;
}

Result<Vars> resolve_meta_args(const Dockerfile& df, const Vars& build_args, const Vars& automatic,
                               std::set<std::string>* used) {
  Vars scope = automatic;
  for (const auto& ins : df.meta_args) {
    for (const auto& kv : ins.kvs) {
      if (auto it = build_args.find(kv.key); it != build_args.end()) {
        scope[kv.key] = it->second;
      } else if (kv.has_value) {
        scope[kv.key] = TRY_CTX(expand_word(kv.value, scope, df.escape, used), "line {}: ARG {}",
                                ins.line, kv.key);
      }  // `ARG X` alone: X stays as it is (unset, or what an earlier ARG or `automatic` gave)
    }
  }
  return scope;
}

Result<std::string> expand_heredoc(const Heredoc& h, const Vars& vars, char escape,
                                   std::set<std::string>* used) {
  if (!h.expand) return h.content;
  detail::LexOptions o{.escape = escape, .raw_quotes = true, .raw_escapes = true};
  auto r = TRY_CTX(detail::lex_process(h.content, vars, o, used), "here-document {}", h.name);
  return std::move(r.result);
}

}  // namespace skiff::build
