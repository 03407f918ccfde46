// Dockerfile instructions applied to an image's runtime config (commit/import --change).
// The rules are in include/skiff/image/config_changes.hpp; the lexer follows Docker's
// (moby/buildkit frontend/dockerfile/shell/lex.go) for the cases a one-line change can hit.
#include "skiff/image/config_changes.hpp"

#include <algorithm>
#include <cctype>

#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::image {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string env_value(const std::vector<std::string>& env, std::string_view name, bool& found) {
  found = false;
  std::string value;
  for (auto& kv : env)  // the last definition wins
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 && kv[name.size()] == '=') {
      value = kv.substr(name.size() + 1);
      found = true;
    }
  return value;
}

// The word lexer: one pass over `text` producing words (or one word when !split).
class Lexer {
 public:
  Lexer(std::string_view text, const std::vector<std::string>* env, bool split) : s_(text), env_(env), split_(split) {}

  Result<std::vector<std::string>> run() {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (split_ && is_space(c)) {
        if (in_word) words.push_back(std::move(cur));
        cur.clear();
        in_word = false;
        ++i_;
        continue;
      }
      in_word = true;
      if (c == '\'') {
        ++i_;
        size_t end = s_.find('\'', i_);
        if (end == std::string_view::npos)
          return fail(kInvalid, "unexpected end of statement while looking for matching single-quote");
        cur += s_.substr(i_, end - i_);
        i_ = end + 1;
      } else if (c == '"') {
        ++i_;
        TRY(double_quoted(cur));
      } else if (c == '\\') {
        ++i_;
        if (i_ < s_.size()) cur += s_[i_++];
      } else if (c == '$' && env_) {
        ++i_;
        TRY(variable(cur));
      } else {
        cur += c;
        ++i_;
      }
    }
    if (in_word) words.push_back(std::move(cur));
    return words;
  }

 private:
  Status double_quoted(std::string& cur) {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return ok();
      }
      if (c == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == '"' || s_[i_ + 1] == '\\' || s_[i_ + 1] == '$')) {
        cur += s_[i_ + 1];
        i_ += 2;
      } else if (c == '$' && env_) {
        ++i_;
        TRY(variable(cur));
      } else {
        cur += c;
        ++i_;
      }
    }
    return fail(kInvalid, "unexpected end of statement while looking for matching double-quote");
  }

  // After a '$': $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word}; anything else is a literal '$'.
  Status variable(std::string& cur) {
    if (i_ < s_.size() && s_[i_] == '{') {
      size_t start = ++i_;
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
      std::string name(s_.substr(start, i_ - start));
      if (name.empty()) return fail(kInvalid, "bad substitution: missing variable name in ${}");
      bool found = false;
      std::string value = env_value(*env_, name, found);
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        cur += value;
        return ok();
      }
      if (i_ + 1 < s_.size() && s_[i_] == ':' && (s_[i_ + 1] == '-' || s_[i_ + 1] == '+')) {
        char op = s_[i_ + 1];
        i_ += 2;
        size_t close = s_.find('}', i_);
        if (close == std::string_view::npos) return fail(kInvalid, "bad substitution: missing '}'");
        auto word = TRY(Lexer(s_.substr(i_, close - i_), env_, false).run());
        std::string w = word.empty() ? "" : word[0];
        i_ = close + 1;
        if (op == '-') cur += (found && !value.empty()) ? value : w;
        else cur += (found && !value.empty()) ? w : "";
        return ok();
      }
      return fail(kInvalid, fmt::format("bad substitution: unsupported modifier in ${{{}…}}", name));
    }
    if (i_ < s_.size() && is_name_start(s_[i_])) {
      size_t start = i_;
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
      bool found = false;
      cur += env_value(*env_, s_.substr(start, i_ - start), found);
      return ok();
    }
    cur += '$';
    return ok();
  }

  std::string_view s_;
  const std::vector<std::string>* env_;
  bool split_;
  size_t i_ = 0;
};

Result<std::string> process_word(std::string_view text, const std::vector<std::string>& env) {
  auto w = TRY(Lexer(text, &env, false).run());
  return w.empty() ? std::string() : w[0];
}

// The JSON form of CMD/ENTRYPOINT/VOLUME/HEALTHCHECK CMD: an array of strings, else nullopt.
std::optional<std::vector<std::string>> json_array(std::string_view text) {
  text = trim(text);
  if (text.empty() || text[0] != '[') return std::nullopt;
  auto j = parse_json(text, "change");
  if (!j || !j->is_array()) return std::nullopt;
  std::vector<std::string> v;
  for (auto& x : *j) {
    if (!x.is_string()) return std::nullopt;
    v.push_back(x.get<std::string>());
  }
  return v;
}

// Shell form: the config's Shell (default /bin/sh -c) followed by the text.
std::vector<std::string> shell_form(const Json& config, std::string_view text) {
  std::vector<std::string> shell = strings_of(json_get(config, "Shell"));
  if (shell.empty()) shell = {"/bin/sh", "-c"};
  shell.emplace_back(trim(text));
  return shell;
}

void set_env(Json& config, const std::string& key, const std::string& value) {
  std::vector<std::string> env = strings_of(json_get(config, "Env"));
  std::string kv = key + "=" + value;
  bool replaced = false;
  for (auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      e = kv;
      replaced = true;
    }
  if (!replaced) env.push_back(kv);
  config["Env"] = env;
}

// `k=v k2=v2` or the legacy `k v…` (ENV, LABEL): pairs, expanded.
Result<std::vector<std::pair<std::string, std::string>>> name_values(std::string_view instr, std::string_view rest,
                                                                     const std::vector<std::string>& env) {
  std::vector<std::pair<std::string, std::string>> out;
  auto raw = TRY(Lexer(rest, nullptr, true).run());  // quotes kept apart from expansion: see below
  if (raw.empty()) return fail(kInvalid, fmt::format("{} requires at least one argument", instr));
  rest = trim(rest);
  // Which form: the first word (before quote removal) holds '=' or not.
  size_t first_end = 0;
  while (first_end < rest.size() && !is_space(rest[first_end])) ++first_end;
  if (rest.substr(0, first_end).find('=') == std::string_view::npos) {
    std::string_view value = trim(rest.substr(first_end));
    if (value.empty()) return fail(kInvalid, fmt::format("{} must have two arguments", instr));
    auto name = TRY(process_word(rest.substr(0, first_end), env));
    out.emplace_back(name, TRY(process_word(value, env)));
    return out;
  }
  auto words = TRY(Lexer(rest, &env, true).run());
  for (auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos)
      return fail(kInvalid, fmt::format("Syntax error - can't find = in \"{}\". Must be of the form: name=value", w));
    if (eq == 0) return fail(kInvalid, fmt::format("{} names can not be blank", instr));
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

Status check_signal(const std::string& s) {
  std::string u = s;
  if (u.empty()) return fail(kInvalid, "Invalid signal: ");
  if (auto n = parse_int(u)) {
    if (*n >= 1 && *n <= 64) return ok();
    return fail(kInvalid, fmt::format("Invalid signal: {}", s));
  }
  if (u.starts_with("SIG")) u = u.substr(3);
  bool good = !u.empty() && std::all_of(u.begin(), u.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '+' ||
           c == '-';
  });
  if (!good) return fail(kInvalid, fmt::format("Invalid signal: {}", s));
  return ok();
}

Status add_ports(Json& config, const std::vector<std::string>& words) {
  Json ports = json_get(config, "ExposedPorts").is_object() ? config["ExposedPorts"] : Json::object();
  for (auto& w : words) {
    auto [range, proto] = split_once(w, '/');
    std::string p = to_lower(proto.value_or("tcp"));
    if (p != "tcp" && p != "udp" && p != "sctp") return fail(kInvalid, fmt::format("invalid proto: {}", p));
    auto [lo_s, hi_s] = split_once(range, '-');
    auto lo = parse_uint(lo_s);
    auto hi = hi_s ? parse_uint(*hi_s) : lo;
    if (!lo || !hi || *lo == 0 || *hi > 65535 || *lo > *hi)
      return fail(kInvalid, fmt::format("invalid containerPort: {}", w));
    for (uint64_t port = *lo; port <= *hi; ++port) ports[fmt::format("{}/{}", port, p)] = Json::object();
  }
  config["ExposedPorts"] = ports;
  return ok();
}

Result<Json> healthcheck(std::string_view rest) {
  Json hc = Json::object();
  rest = trim(rest);
  if (to_lower(rest) == "none") {
    hc["Test"] = Json::array({"NONE"});
    return hc;
  }
  // Options first: --interval=30s --timeout=… --start-period=… --start-interval=… --retries=N.
  while (rest.substr(0, 2) == "--") {
    size_t end = 0;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    auto [name, value] = split_once(rest.substr(2, end - 2), '=');
    if (!value) return fail(kInvalid, fmt::format("HEALTHCHECK option --{} needs a value", name));
    if (name == "retries") {
      auto n = parse_int(*value);
      if (!n || *n < 0) return fail(kInvalid, fmt::format("invalid --retries value \"{}\"", *value));
      hc["Retries"] = *n;
    } else if (name == "interval" || name == "timeout" || name == "start-period" || name == "start-interval") {
      auto d = parse_go_duration(*value);
      if (!d || *d < 0) return fail(kInvalid, fmt::format("invalid --{} value \"{}\"", name, *value));
      static const std::pair<std::string_view, std::string_view> kKeys[] = {
          {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"}, {"start-interval", "StartInterval"}};
      for (auto& [flag, key] : kKeys)
        if (flag == name) hc[std::string(key)] = *d;
    } else {
      return fail(kInvalid, fmt::format("unknown flag: --{}", name));
    }
    rest = trim(rest.substr(end));
  }
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  if (to_lower(rest.substr(0, end)) != "cmd")
    return fail(kInvalid, "Unknown type \"" + std::string(rest.substr(0, end)) + "\" in HEALTHCHECK (try CMD)");
  std::string_view cmd = trim(rest.substr(end));
  if (cmd.empty()) return fail(kInvalid, "Missing command after HEALTHCHECK CMD");
  Json test = Json::array();
  if (auto arr = json_array(cmd)) {
    test.push_back("CMD");
    for (auto& a : *arr) test.push_back(a);
  } else {
    test.push_back("CMD-SHELL");
    test.push_back(std::string(cmd));
  }
  // Docker's key order: Test, Interval, Timeout, StartPeriod, StartInterval, Retries.
  Json out = Json::object();
  out["Test"] = test;
  for (const char* k : {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
    if (hc.contains(k)) out[k] = hc[k];
  return out;
}

struct State {
  bool cmd_set = false;
};

Status apply_one(Json& c, std::string_view change, State& state) {
  std::string_view text = trim(change);
  // A change may carry Dockerfile line continuations ("\\\n").
  std::string joined;
  if (text.find("\\\n") != std::string_view::npos) {
    joined = replace_all(text, "\\\n", "");
    text = joined;
  }
  size_t end = 0;
  while (end < text.size() && !is_space(text[end])) ++end;
  std::string instr = to_lower(text.substr(0, end));
  std::string_view rest = trim(text.substr(end));
  static const char* const kKnown[] = {"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from",
                                       "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
                                       "stopsignal", "user", "volume", "workdir"};
  if (instr.empty()) return fail(kInvalid, "empty change");
  if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return instr == k; }) == std::end(kKnown))
    return fail(kInvalid, fmt::format("dockerfile parse error line 1: unknown instruction: {}",
                                      std::string(text.substr(0, end))));
  std::vector<std::string> env = strings_of(json_get(c, "Env"));
  std::string upper(text.substr(0, end));
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return char(std::toupper(ch)); });

  if (instr == "cmd" || instr == "entrypoint") {
    std::vector<std::string> argv;
    if (auto arr = json_array(rest)) argv = *arr;
    else if (!rest.empty()) argv = shell_form(c, rest);
    if (instr == "cmd") {
      c["Cmd"] = argv;
      state.cmd_set = true;
    } else {
      c["Entrypoint"] = argv.empty() ? Json(nullptr) : Json(argv);
      if (!state.cmd_set) c["Cmd"] = nullptr;
    }
  } else if (instr == "env") {
    for (auto& [k, v] : TRY(name_values(upper, rest, env))) set_env(c, k, v);
  } else if (instr == "label") {
    Json labels = json_get(c, "Labels").is_object() ? c["Labels"] : Json::object();
    for (auto& [k, v] : TRY(name_values(upper, rest, env))) labels[k] = v;
    c["Labels"] = labels;
  } else if (instr == "expose") {
    auto words = TRY(Lexer(rest, &env, true).run());
    if (words.empty()) return fail(kInvalid, "EXPOSE requires at least one argument");
    TRY(add_ports(c, words));
  } else if (instr == "user") {
    auto words = TRY(Lexer(rest, &env, true).run());
    if (words.size() != 1) return fail(kInvalid, "USER requires exactly one argument");
    c["User"] = words[0];
  } else if (instr == "workdir") {
    auto words = TRY(Lexer(rest, &env, true).run());
    if (words.size() != 1) return fail(kInvalid, "WORKDIR requires exactly one argument");
    std::string wd = words[0];
    if (wd[0] != '/') wd = json_str(c, "WorkingDir", "/") + "/" + wd;
    c["WorkingDir"] = clean_path(wd);
  } else if (instr == "volume") {
    std::vector<std::string> paths;
    if (auto arr = json_array(rest)) paths = *arr;
    else paths = TRY(Lexer(rest, &env, true).run());
    if (paths.empty()) return fail(kInvalid, "VOLUME requires at least one argument");
    Json vols = json_get(c, "Volumes").is_object() ? c["Volumes"] : Json::object();
    for (auto& p : paths) {
      std::string v(trim(p));
      if (v.empty()) return fail(kInvalid, "VOLUME specified can not be an empty string");
      vols[v] = Json::object();
    }
    c["Volumes"] = vols;
  } else if (instr == "stopsignal") {
    auto words = TRY(Lexer(rest, &env, true).run());
    if (words.size() != 1) return fail(kInvalid, "STOPSIGNAL requires exactly one argument");
    TRY(check_signal(words[0]));
    c["StopSignal"] = words[0];
  } else if (instr == "onbuild") {
    size_t e2 = 0;
    while (e2 < rest.size() && !is_space(rest[e2])) ++e2;
    std::string trigger = to_lower(rest.substr(0, e2));
    if (trigger.empty()) return fail(kInvalid, "ONBUILD requires at least one argument");
    if (trigger == "onbuild") return fail(kInvalid, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (trigger == "from" || trigger == "maintainer")
      return fail(kInvalid, fmt::format("{} isn't allowed as an ONBUILD trigger", to_lower(trigger) == "from" ? "FROM" : "MAINTAINER"));
    std::vector<std::string> ob = strings_of(json_get(c, "OnBuild"));
    std::string word(rest.substr(0, e2));
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char ch) { return char(std::toupper(ch)); });
    ob.push_back(word + std::string(rest.substr(e2)));
    c["OnBuild"] = ob;
  } else if (instr == "healthcheck") {
    c["Healthcheck"] = TRY(healthcheck(rest));
  } else {
    return fail(kInvalid, fmt::format("{} is not a valid change command", instr));
  }
  return ok();
}

}  // namespace

Result<std::vector<std::string>> split_words(std::string_view text, const std::vector<std::string>* env) {
  return Lexer(text, env, true).run();
}

Status apply_changes(Json& config, const std::vector<std::string>& changes) {
  Json c = config.is_object() ? config : Json::object();
  State state;
  for (auto& ch : changes)
    TRY_CTX(apply_one(c, ch, state), "change \"{}\"", ellipsis(std::string(trim(ch)), 60));
  config = std::move(c);
  return ok();
}

}  // namespace skiff::image
