// The Dockerfile parser: BuildKit's frontend/dockerfile/parser (directives, comments,
// continuations, heredocs, flags) and instructions/parse.go (per-instruction argument rules),
// collecting every error instead of stopping at the first.

#include "skiff/build/dockerfile.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "shell_lex.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::build {

// ---- Instruction / Dockerfile helpers -------------------------------------------------------

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> Instruction::flag_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : flags)
    if (f.name == name) out.push_back(f.value);
  return out;
}

bool Instruction::flag_bool(std::string_view name) const {
  const Flag* f = flag(name);
  if (!f) return false;
  if (!f->has_value) return true;
  return to_lower(f->value) == "true";
}

std::string Diagnostic::text() const {
  if (line > 0) return fmt::format("{}:{}: {}", file, line, msg);
  return fmt::format("{}: {}", file, msg);
}

const Stage* Dockerfile::find_stage(std::string_view name_or_index) const {
  std::string low = to_lower(name_or_index);
  for (const auto& s : stages)
    if (!s.name.empty() && s.name == low) return &s;
  if (auto n = parse_uint(name_or_index); n && *n < stages.size()) return &stages[*n];
  return nullptr;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view ltrim(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}
std::string_view rtrim(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && is_space(s[n - 1])) --n;
  return s.substr(0, n);
}

bool is_comment(std::string_view line) {
  auto t = ltrim(line);
  return !t.empty() && t[0] == '#';
}

// Removes a trailing escape (followed only by blanks); true when the line continues.
bool trim_continuation(std::string& line, char escape) {
  size_t n = line.size();
  while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) --n;
  if (n > 0 && line[n - 1] == escape) {
    line.resize(n - 1);
    return true;
  }
  return false;
}

std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// BuildKit's extractBuilderFlags: leading "--" words (quotes removed, '\' escapes), and the
// rest of the line.
std::pair<std::string, std::vector<std::string>> extract_flags(std::string_view line) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : 0;
    if (phase == kSpaces) {
      if (pos == line.size()) break;
      if (is_space(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-')
        return {std::string(line.substr(pos)), words};
      phase = kWord;
    }
    if ((phase == kWord || phase == kQuote) && pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) words.push_back(word);
      break;
    }
    if (phase == kWord) {
      if (is_space(ch)) {
        phase = kSpaces;
        if (word == "--") return {std::string(line.substr(pos)), words};
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      word.push_back(ch);
      continue;
    }
    // kQuote
    if (ch == quote) {
      phase = kWord;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == line.size()) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word.push_back(ch);
  }
  return {std::string(), words};
}

// BuildKit's parseWords: whitespace-separated words, quotes and escapes kept in the words.
std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= rest.size(); ++pos) {
    char ch = pos < rest.size() ? rest[pos] : 0;
    if (phase == kSpaces) {
      if (pos == rest.size()) break;
      if (is_space(ch)) continue;
      phase = kWord;
    }
    if ((phase == kWord || phase == kQuote) && pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == kWord) {
      if (is_space(ch)) {
        phase = kSpaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
      }
      if (ch == escape) {
        if (pos + 1 == rest.size()) continue;  // an escape at the end is dropped
        word.push_back(ch);
        ch = rest[++pos];
      }
      word.push_back(ch);
      continue;
    }
    // kQuote
    if (ch == quote) phase = kWord;
    if (ch == escape && quote != '\'') {
      if (pos + 1 == rest.size()) {
        phase = kWord;
        continue;
      }
      word.push_back(ch);
      ch = rest[++pos];
    }
    word.push_back(ch);
  }
  return words;
}

const std::vector<std::string_view>& all_instructions() {
  static const std::vector<std::string_view> v = {
      "add",   "arg",   "cmd",  "copy",   "entrypoint", "env",        "expose",
      "from",  "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
      "stopsignal", "user", "volume", "workdir"};
  return v;
}

bool known_instruction(std::string_view cmd) {
  const auto& v = all_instructions();
  return std::find(v.begin(), v.end(), cmd) != v.end();
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

std::string suggest_instruction(std::string_view low) {
  std::string best;
  size_t best_d = 3;
  for (auto name : all_instructions()) {
    size_t d = edit_distance(low, name);
    if (d < best_d || (d == best_d && best.empty() && d <= name.size() / 3)) {
      if (d < best_d) {
        best_d = d;
        best = std::string(name);
      }
    }
  }
  if (best.empty() || best_d > std::max<size_t>(1, low.size() / 3 + 1)) return "";
  return upper(best);
}

// Flags each instruction accepts: name → kind.
enum class FlagKind { String, Bool, Repeat };
struct FlagDef {
  std::string_view name;
  FlagKind kind;
};

std::vector<FlagDef> flag_defs(std::string_view cmd) {
  if (cmd == "from") return {{"platform", FlagKind::String}};
  if (cmd == "run")
    return {{"mount", FlagKind::Repeat}, {"network", FlagKind::String}, {"security", FlagKind::String}};
  if (cmd == "copy")
    return {{"from", FlagKind::String},   {"chown", FlagKind::String},  {"chmod", FlagKind::String},
            {"link", FlagKind::Bool},     {"parents", FlagKind::Bool}, {"exclude", FlagKind::Repeat}};
  if (cmd == "add")
    return {{"chown", FlagKind::String},       {"chmod", FlagKind::String},
            {"link", FlagKind::Bool},          {"keep-git-dir", FlagKind::Bool},
            {"checksum", FlagKind::String},    {"exclude", FlagKind::Repeat},
            {"unpack", FlagKind::Bool}};
  if (cmd == "healthcheck")
    return {{"interval", FlagKind::String},     {"timeout", FlagKind::String},
            {"start-period", FlagKind::String}, {"start-interval", FlagKind::String},
            {"retries", FlagKind::String}};
  return {};
}

// Parses flag words into Flags, reporting unknown, duplicate and malformed ones.
std::vector<Flag> parse_flags(std::string_view cmd, const std::vector<std::string>& words,
                              std::vector<std::string>& errs) {
  std::vector<Flag> out;
  auto defs = flag_defs(cmd);
  for (const auto& w : words) {
    std::string_view arg = w;
    if (arg.substr(0, 2) != "--") {
      errs.push_back(fmt::format("arguments to {} must start with --: {}", upper(cmd), w));
      continue;
    }
    arg.remove_prefix(2);
    Flag f;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      f.name = std::string(arg.substr(0, eq));
      f.value = std::string(arg.substr(eq + 1));
      f.has_value = true;
    } else {
      f.name = std::string(arg);
    }
    auto it = std::find_if(defs.begin(), defs.end(), [&](const FlagDef& d) { return d.name == f.name; });
    if (it == defs.end()) {
      if (defs.empty())
        errs.push_back(fmt::format("unknown flag: --{} ({} takes no flags)", f.name, upper(cmd)));
      else {
        std::string known;
        for (const auto& d : defs) known += (known.empty() ? "--" : ", --") + std::string(d.name);
        errs.push_back(fmt::format("unknown flag: --{} ({} accepts {})", f.name, upper(cmd), known));
      }
      continue;
    }
    if (it->kind == FlagKind::Bool) {
      if (f.has_value) {
        std::string v = to_lower(f.value);
        if (v != "true" && v != "false") {
          errs.push_back(fmt::format("expecting boolean value for flag --{}, not: {}", f.name, f.value));
          continue;
        }
      }
    } else {
      if (!f.has_value) {
        errs.push_back(fmt::format("missing a value on flag: --{} (write --{}=VALUE)", f.name, f.name));
        continue;
      }
      if (it->kind == FlagKind::String &&
          std::any_of(out.begin(), out.end(), [&](const Flag& o) { return o.name == f.name; })) {
        errs.push_back(fmt::format("duplicate flag specified: --{}", f.name));
        continue;
      }
    }
    if (it->kind == FlagKind::Bool &&
        std::any_of(out.begin(), out.end(), [&](const Flag& o) { return o.name == f.name; })) {
      errs.push_back(fmt::format("duplicate flag specified: --{}", f.name));
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

// JSON (exec) form: 1 = parsed into `out`, 0 = not JSON (shell form), -1 = malformed (error set).
int parse_json_form(std::string_view rest, std::vector<std::string>& out, std::string& err) {
  auto t = rtrim(ltrim(rest));
  if (t.empty() || t.front() != '[' || t.back() != ']') return 0;
  // parse_json caps the nesting depth (`RUN [[[[…` must not exhaust the stack).
  auto parsed = parse_json(t, "exec form");
  Json j = parsed ? std::move(*parsed) : Json();
  if (!parsed || !j.is_array()) {
    // `RUN [ -f x ]` is a shell test command: only text that looks like an intended JSON
    // array (`["…`) is an error; anything else is the shell form, as Docker does.
    auto inner = ltrim(t.substr(1));
    if (!inner.empty() && inner.front() == '"') {
      err = fmt::format("invalid JSON in exec form: {} (the exec form is a JSON array of "
                        "double-quoted strings, e.g. [\"sh\", \"-c\", \"echo hi\"])",
                        std::string(t));
      return -1;
    }
    return 0;
  }
  for (const auto& e : j) {
    if (!e.is_string()) {
      err = fmt::format("invalid exec form {}: every element must be a string", std::string(t));
      return -1;
    }
    out.push_back(e.get<std::string>());
  }
  return 1;
}

// Heredoc words of a line (BuildKit's heredocsFromLine / ParseHeredoc).
std::vector<Heredoc> heredocs_from_line(std::string_view line) {
  std::vector<Heredoc> docs;
  detail::LexOptions raw{.escape = '\\', .raw_quotes = true, .raw_escapes = true, .skip_unset = true};
  auto words = detail::lex_process(line, Vars{}, raw);
  if (!words) return docs;
  for (const auto& w : words->words) {
    size_t i = 0;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    if (w.compare(i, 2, "<<") != 0) continue;
    std::string_view fd = std::string_view(w).substr(0, i);
    size_t j = i + 2;
    bool chomp = false;
    if (j < w.size() && w[j] == '-') {
      chomp = true;
      ++j;
    }
    std::string_view rest = ltrim(std::string_view(w).substr(j));
    if (rest.empty() || rest.find('<') != std::string_view::npos) continue;
    detail::LexOptions unq{.escape = '\\', .raw_quotes = false, .raw_escapes = false, .skip_unset = true};
    auto plain = detail::lex_process(rest, Vars{}, unq);
    if (!plain || plain->words.size() != 1) continue;
    detail::LexOptions rq{.escape = '\\', .raw_quotes = true, .raw_escapes = false, .skip_unset = true};
    auto rawq = detail::lex_process(rest, Vars{}, rq);
    if (!rawq || rawq->words.size() != 1) continue;
    auto quotes = [](const std::string& s) {
      return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"');
    };
    Heredoc h;
    h.name = plain->words[0];
    h.expand = quotes(plain->words[0]) == quotes(rawq->words[0]);
    h.chomp = chomp;
    h.fd = fd.empty() ? -1 : static_cast<int>(parse_uint(fd).value_or(0));
    docs.push_back(std::move(h));
  }
  return docs;
}

bool valid_stage_name(std::string_view n) {
  if (n.empty() || !(n[0] >= 'a' && n[0] <= 'z')) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

// Parses KEY=VALUE pairs of ENV/LABEL (and the legacy "KEY value" form).
void parse_name_val(Instruction& ins, std::string_view rest, char escape,
                    std::vector<std::string>& errs, std::vector<std::string>& notes) {
  const std::string name = upper(ins.cmd);
  auto words = parse_words(rest, escape);
  if (words.empty()) {
    errs.push_back(fmt::format("{} requires at least one argument", name));
    return;
  }
  if (words[0].find('=') == std::string::npos) {
    // Legacy "ENV key value": the value is the rest of the line.
    auto t = ltrim(rest);
    size_t sp = 0;
    while (sp < t.size() && !is_space(t[sp])) ++sp;
    std::string key(t.substr(0, sp));
    auto val = ltrim(t.substr(sp));
    if (val.empty()) {
      errs.push_back(fmt::format("{} must have two arguments: {} {} VALUE or {} {}=VALUE", name,
                                 name, key, name, key));
      return;
    }
    ins.kvs.push_back({key, std::string(val), true});
    notes.push_back(fmt::format("\"{} key value\" is a legacy form; use \"{} key=value\"", name, name));
    return;
  }
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos) {
      errs.push_back(fmt::format("syntax error: can't find = in \"{}\"; must be of the form name=value", w));
      continue;
    }
    if (eq == 0) {
      errs.push_back(fmt::format("{} names can not be blank", name));
      continue;
    }
    ins.kvs.push_back({w.substr(0, eq), w.substr(eq + 1), true});
  }
}

struct LineCtx {
  char escape = '\\';
  int line = 0;
};

// Parses one logical line into an instruction; errors go to `errs` (without location).
Instruction parse_instruction(std::string_view line, const LineCtx& ctx, std::vector<std::string>& errs,
                              std::vector<std::string>& notes, bool nested = false) {
  Instruction ins;
  ins.line = ins.end_line = ctx.line;
  auto t = rtrim(ltrim(line));
  ins.original = std::string(t);
  size_t sp = 0;
  while (sp < t.size() && !is_space(t[sp])) ++sp;
  std::string word(t.substr(0, sp));
  ins.cmd = to_lower(word);
  std::string_view after = t.substr(sp);
  if (!known_instruction(ins.cmd)) {
    std::string s = suggest_instruction(ins.cmd);
    if (!s.empty())
      errs.push_back(fmt::format("unknown instruction: {} (did you mean {}?)", word, s));
    else
      errs.push_back(fmt::format("unknown instruction: {}", word));
    return ins;
  }
  const std::string name = upper(ins.cmd);
  auto [rest_s, flag_words] = extract_flags(after);
  std::string_view rest = rtrim(ltrim(rest_s));
  ins.flags = parse_flags(ins.cmd, flag_words, errs);
  const std::string& c = ins.cmd;

  auto need_args = [&]() {
    if (rest.empty()) {
      errs.push_back(fmt::format("{} requires at least one argument", name));
      return false;
    }
    return true;
  };

  if (c == "from") {
    auto w = split_ws(rest);
    if (w.size() != 1 && w.size() != 3) {
      errs.push_back(w.empty() ? "FROM requires either one or three arguments: FROM IMAGE [AS NAME]"
                               : fmt::format("FROM requires either one or three arguments, got {}: "
                                             "FROM IMAGE [AS NAME]", w.size()));
    } else if (w.size() == 3 && to_lower(w[1]) != "as") {
      errs.push_back(fmt::format("the second argument of FROM must be AS, not \"{}\"", w[1]));
    } else if (w.size() == 3 && !valid_stage_name(to_lower(w[2]))) {
      errs.push_back(fmt::format("invalid name for build stage: \"{}\", name can't start with a "
                                 "number or contain symbols", w[2]));
    }
    ins.args = std::move(w);
  } else if (c == "run" || c == "cmd" || c == "entrypoint") {
    if (c == "run") {
      if (const Flag* f = ins.flag("network"); f && f->value != "default" && f->value != "none" && f->value != "host")
        errs.push_back(fmt::format("RUN --network={}: unsupported network mode (default, none or host)", f->value));
      if (const Flag* f = ins.flag("security"); f && f->value != "sandbox" && f->value != "insecure")
        errs.push_back(fmt::format("RUN --security={}: unsupported security mode (sandbox or insecure)", f->value));
    }
    if (!need_args()) return ins;
    std::string err;
    int j = parse_json_form(rest, ins.args, err);
    if (j < 0) {
      errs.push_back(std::move(err));
    } else if (j > 0) {
      ins.json = true;
      if (c == "run" && ins.args.empty()) errs.push_back("RUN requires a command: the exec form is empty");
    } else {
      ins.args = {std::string(rest)};
      if (c == "run" && !nested) ins.heredocs = heredocs_from_line(rest);
    }
  } else if (c == "shell") {
    if (!need_args()) return ins;
    std::string err;
    int j = parse_json_form(rest, ins.args, err);
    if (j <= 0)
      errs.push_back(err.empty() ? "SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]"
                                 : err);
    else if (ins.args.empty())
      errs.push_back("SHELL requires at least one argument");
    ins.json = j > 0;
  } else if (c == "copy" || c == "add") {
    std::string err;
    int j = parse_json_form(rest, ins.args, err);
    if (j < 0) {
      errs.push_back(std::move(err));
      return ins;
    }
    if (j > 0) {
      ins.json = true;
    } else {
      ins.args = split_ws(rest);
      if (!nested) ins.heredocs = heredocs_from_line(rest);
    }
    size_t heredoc_srcs = 0;
    if (!ins.json)
      for (const auto& a : ins.args)
        if (a.starts_with("<<") || (!a.empty() && std::isdigit(static_cast<unsigned char>(a[0])) &&
                                      a.find("<<") != std::string::npos))
          ++heredoc_srcs;
    if (ins.args.size() < 2)
      errs.push_back(fmt::format("{} requires at least two arguments, but {} provided: {} SOURCE... "
                                 "DEST (the destination could not be determined)",
                                 name, ins.args.empty() ? "none was" : "only one was", name));
    (void)heredoc_srcs;
    if (!ins.json && ins.args.size() >= 2) {
      const std::string& dest = ins.args.back();
      size_t k = 0;
      while (k < dest.size() && std::isdigit(static_cast<unsigned char>(dest[k]))) ++k;
      if (dest.compare(k, 2, "<<") == 0 && dest.size() > k + 2)
        errs.push_back(fmt::format("{} cannot accept a heredoc as a destination: {} <<NAME DEST", name, name));
    }
    if (c == "copy" && ins.flag("checksum")) errs.push_back("COPY does not accept --checksum (ADD does)");
  } else if (c == "env" || c == "label") {
    parse_name_val(ins, rest, ctx.escape, errs, notes);
  } else if (c == "arg") {
    auto words = parse_words(rest, ctx.escape);
    if (words.empty()) errs.push_back("ARG requires at least one argument: ARG NAME[=DEFAULT]");
    for (const auto& w : words) {
      auto eq = w.find('=');
      KeyValue kv;
      kv.key = w.substr(0, eq);
      if (eq != std::string::npos) kv.value = w.substr(eq + 1);
      kv.has_value = eq != std::string::npos;
      if (kv.key.empty()) {
        errs.push_back("ARG names can not be blank");
        continue;
      }
      ins.kvs.push_back(std::move(kv));
    }
  } else if (c == "expose") {
    if (!need_args()) return ins;
    ins.args = split_ws(rest);
  } else if (c == "volume") {
    if (!need_args()) return ins;
    std::string err;
    int j = parse_json_form(rest, ins.args, err);
    if (j < 0) {
      errs.push_back(std::move(err));
    } else if (j > 0) {
      ins.json = true;
      for (const auto& a : ins.args)
        if (trim(a).empty()) errs.push_back("VOLUME specified can not be an empty string");
    } else {
      ins.args = split_ws(rest);
    }
  } else if (c == "user" || c == "workdir" || c == "stopsignal" || c == "maintainer") {
    if (!need_args()) return ins;
    ins.args = {std::string(rest)};
    if (c == "stopsignal" && split_ws(rest).size() != 1)
      errs.push_back("STOPSIGNAL requires exactly one argument");
    if (c == "maintainer") notes.push_back("MAINTAINER is deprecated: use LABEL maintainer=NAME");
  } else if (c == "healthcheck") {
    if (!need_args()) return ins;
    size_t s2 = 0;
    while (s2 < rest.size() && !is_space(rest[s2])) ++s2;
    std::string typ = upper(rest.substr(0, s2));
    auto cmdpart = ltrim(rest.substr(s2));
    if (typ == "NONE") {
      if (!cmdpart.empty()) errs.push_back("HEALTHCHECK NONE takes no arguments");
      if (!ins.flags.empty()) errs.push_back("HEALTHCHECK NONE takes no options");
      ins.args = {"NONE"};
    } else if (typ == "CMD") {
      if (cmdpart.empty()) {
        errs.push_back("missing command after HEALTHCHECK CMD");
      } else {
        std::vector<std::string> a;
        std::string err;
        int j = parse_json_form(cmdpart, a, err);
        if (j < 0) errs.push_back(std::move(err));
        if (j > 0 && a.empty()) errs.push_back("missing command after HEALTHCHECK CMD: the exec form is empty");
        ins.json = j > 0;
        ins.args = {"CMD"};
        if (j > 0)
          ins.args.insert(ins.args.end(), a.begin(), a.end());
        else
          ins.args.emplace_back(cmdpart);
      }
    } else {
      errs.push_back(fmt::format("unknown type \"{}\" in HEALTHCHECK (try CMD or NONE)", std::string(rest.substr(0, s2))));
    }
    // Check the durations and retries now, so a typo fails the parse with its line.
    auto st = healthcheck_spec(ins);
    if (!st && typ == "CMD" && !cmdpart.empty()) errs.push_back(st.error().msg);
  } else if (c == "onbuild") {
    if (!need_args()) return ins;
    size_t s2 = 0;
    while (s2 < rest.size() && !is_space(rest[s2])) ++s2;
    std::string trig = to_lower(rest.substr(0, s2));
    if (trig == "onbuild") {
      errs.push_back("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      return ins;
    }
    if (trig == "from" || trig == "maintainer") {
      errs.push_back(fmt::format("{} isn't allowed as an ONBUILD trigger", upper(trig)));
      return ins;
    }
    ins.args = {std::string(rest)};
    std::vector<std::string> sub_errs;
    Instruction sub = parse_instruction(rest, ctx, sub_errs, notes, true);
    for (auto& e : sub_errs) errs.push_back("ONBUILD " + e);
    ins.onbuild.push_back(std::move(sub));
  }
  return ins;
}

struct RawLine {
  std::string text;
  int line;
};

std::vector<RawLine> split_lines(std::string_view text) {
  std::vector<RawLine> out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  int n = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view l = text.substr(i, j - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back({std::string(l), ++n});
    i = j + 1;
  }
  return out;
}

// A parser directive line: "# name = value". Returns false for anything else.
bool parse_directive(std::string_view line, std::string& key, std::string& value) {
  auto t = line;  // BuildKit's directive regexp is anchored: no blanks before '#'
  if (t.empty() || t[0] != '#') return false;
  t.remove_prefix(1);
  t = ltrim(t);
  size_t i = 0;
  if (i >= t.size() || !std::isalpha(static_cast<unsigned char>(t[0]))) return false;
  while (i < t.size() && std::isalnum(static_cast<unsigned char>(t[i]))) ++i;
  key = to_lower(t.substr(0, i));
  t = ltrim(t.substr(i));
  if (t.empty() || t[0] != '=') return false;
  t = rtrim(ltrim(t.substr(1)));
  if (t.empty()) return false;
  value = std::string(t);
  return true;
}

}  // namespace

ParseOutput parse_dockerfile_all(std::string_view text, std::string_view file) {
  ParseOutput out;
  Dockerfile& df = out.dockerfile;
  df.file = std::string(file);
  auto err = [&](int line, std::string msg) { out.errors.push_back({df.file, line, std::move(msg)}); };
  auto note = [&](int line, std::string msg) { df.warnings.push_back({df.file, line, std::move(msg)}); };

  auto lines = split_lines(text);
  size_t i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  std::set<std::string> seen;
  for (; i < lines.size(); ++i) {
    std::string key, value;
    if (!parse_directive(lines[i].text, key, value)) break;
    if (key != "syntax" && key != "escape" && key != "check") break;  // unknown: a comment
    if (!seen.insert(key).second) {
      err(lines[i].line, fmt::format("only one {} parser directive can be used", key));
      continue;
    }
    if (key == "escape") {
      if (value != "\\" && value != "`")
        err(lines[i].line, fmt::format("invalid escape token '{}' does not match ` or \\", value));
      else
        df.escape = value[0];
    } else if (key == "syntax") {
      df.syntax = value;
      note(lines[i].line, fmt::format("the syntax directive ({}) is ignored: skiff has its own "
                                      "Dockerfile frontend", value));
    } else {
      df.check = value;
    }
  }

  LineCtx ctx{df.escape, 0};
  bool saw_from = false;
  for (; i < lines.size(); ++i) {
    std::string first(ltrim(lines[i].text));
    if (first.empty() || first[0] == '#') continue;
    const int start = lines[i].line;
    std::string line = first;
    bool cont = trim_continuation(line, df.escape);
    if (!cont && rtrim(line).empty()) continue;
    bool empty_cont = false;
    while (cont && i + 1 < lines.size()) {
      ++i;
      const std::string& raw = lines[i].text;
      if (is_comment(raw)) continue;
      if (rtrim(ltrim(raw)).empty()) {
        empty_cont = true;
        continue;
      }
      std::string piece = raw;
      cont = trim_continuation(piece, df.escape);
      line += piece;
    }
    if (rtrim(ltrim(line)).empty()) continue;
    if (empty_cont)
      note(start, "empty continuation line: a blank line inside a continued instruction is "
                  "deprecated (remove it)");
    ctx.line = start;
    std::vector<std::string> errs, notes;
    Instruction ins = parse_instruction(line, ctx, errs, notes);
    // Heredoc bodies follow the instruction line, raw.
    for (auto& h : ins.heredocs) {
      bool done = false;
      while (i + 1 < lines.size()) {
        ++i;
        std::string_view raw = lines[i].text;
        std::string_view cand = raw;
        if (h.chomp) {
          size_t k = 0;
          while (k < cand.size() && cand[k] == '\t') ++k;
          cand.remove_prefix(k);
        }
        if (cand == h.name) {
          done = true;
          break;
        }
        if (h.chomp) raw = cand;
        h.content.append(raw);
        h.content.push_back('\n');
      }
      if (!done) {
        errs.push_back(fmt::format("unterminated heredoc: no line \"{}\" ends the here-document "
                                   "started here", h.name));
        break;
      }
    }
    ins.end_line = i < lines.size() ? lines[i].line : start;
    for (auto& e : errs) err(start, std::move(e));
    for (auto& n : notes) note(start, std::move(n));
    if (!known_instruction(ins.cmd)) continue;

    if (ins.cmd == "from") {
      saw_from = true;
      Stage st;
      st.index = static_cast<int>(df.stages.size());
      if (!ins.args.empty()) st.base = ins.args[0];
      if (ins.args.size() == 3) {
        st.name = to_lower(ins.args[2]);
        for (const auto& o : df.stages)
          if (!st.name.empty() && o.name == st.name)
            err(start, fmt::format("duplicate stage name \"{}\" (first used on line {})", st.name, o.from.line));
      }
      if (const Flag* p = ins.flag("platform")) st.platform = p->value;
      st.from = std::move(ins);
      df.stages.push_back(std::move(st));
    } else if (!saw_from) {
      if (ins.cmd == "arg")
        df.meta_args.push_back(std::move(ins));
      else
        err(start, fmt::format("{} before the first FROM: a Dockerfile must start with FROM "
                               "(only ARG and parser directives may come before it)",
                               upper(ins.cmd)));
    } else {
      df.stages.back().instructions.push_back(std::move(ins));
    }
  }
  if (df.stages.empty() && out.errors.empty()) {
    bool any = !df.meta_args.empty();
    err(0, any ? "no FROM instruction: a Dockerfile needs at least one FROM (a stage to build)"
               : "the Dockerfile is empty: it needs at least a FROM instruction");
  }
  return out;
}

Result<Dockerfile> parse_dockerfile(std::string_view text, std::string_view file) {
  ParseOutput out = parse_dockerfile_all(text, file);
  if (out.errors.empty()) return std::move(out.dockerfile);
  std::string msg;
  for (const auto& e : out.errors) {
    if (!msg.empty()) msg.push_back('\n');
    msg += e.text();
  }
  return fail(kInvalid, std::move(msg));
}

Result<std::vector<Instruction>> parse_triggers(const std::vector<std::string>& triggers, char escape) {
  std::vector<Instruction> out;
  std::string msgs;
  for (size_t k = 0; k < triggers.size(); ++k) {
    std::vector<std::string> errs, notes;
    LineCtx ctx{escape, 0};
    std::string_view t = ltrim(triggers[k]);
    size_t sp = 0;
    while (sp < t.size() && !is_space(t[sp])) ++sp;
    std::string c = to_lower(t.substr(0, sp));
    if (c == "onbuild")
      errs.push_back("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    else if (c == "from" || c == "maintainer")
      errs.push_back(fmt::format("{} isn't allowed as an ONBUILD trigger", upper(c)));
    Instruction ins;
    if (errs.empty()) ins = parse_instruction(triggers[k], ctx, errs, notes, true);
    for (const auto& e : errs) {
      if (!msgs.empty()) msgs.push_back('\n');
      msgs += fmt::format("ONBUILD trigger {} ({}): {}", k + 1, triggers[k], e);
    }
    out.push_back(std::move(ins));
  }
  if (!msgs.empty()) return fail(kInvalid, std::move(msgs));
  return out;
}

}  // namespace skiff::build
