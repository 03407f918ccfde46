// `generate systemd`'s unit text (systemd_unit.hpp).
#include "systemd_unit.hpp"

#include <algorithm>

#include "skiff/util/strings.hpp"

namespace skiff::cli {

namespace {

const OptSpec* find_long(std::span<const OptSpec> opts, std::string_view name) {
  for (auto& o : opts)
    if (o.name == name) return &o;
  return nullptr;
}

const OptSpec* find_short(std::span<const OptSpec> opts, char c) {
  for (auto& o : opts)
    if (o.short_name == c) return &o;
  return nullptr;
}

// Options of the create command the unit sets itself (Podman drops the same ones).
bool unit_owned(std::string_view name) {
  for (auto* n : {"detach", "rm", "replace", "cidfile", "sdnotify", "cgroups", "conmon-pidfile"})
    if (name == n) return true;
  return false;
}

// An Exec line: words joined, a continuation before each option up to `break_until`.
std::string exec_line(const std::string& key, const std::vector<std::string>& words, size_t break_until) {
  std::string out = key + "=";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += (i < break_until && !words[i].empty() && words[i][0] == '-') ? " \\\n\t" : " ";
    out += words[i];
  }
  return out + "\n";
}

}  // namespace

std::string systemd_quote(const std::string& w) {
  std::string s;
  for (char c : w) {
    if (c == '%') s += "%%";
    else if (c == '$') s += "$$";
    else s.push_back(c);
  }
  bool plain = !w.empty() && std::none_of(w.begin(), w.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '\\' || c == ';';
  });
  if (plain) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q.push_back('\\');
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q.push_back(c);
  }
  return q + "\"";
}

bool valid_systemd_restart_policy(const std::string& p) {
  for (auto* v : {"no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"})
    if (p == v) return true;
  return false;
}

Result<RunArgs> new_run_args(const Table& t, const std::vector<std::string>& cc, const std::string& name,
                             const std::string& sdnotify, const std::string& name_suffix) {
  if (cc.size() < 2) return fail(kInvalid, "the container has no create command to make a --new unit from");
  RunArgs out;
  size_t i = 1;
  // Global options before the command words.
  while (i < cc.size() && cc[i].size() > 1 && cc[i][0] == '-') {
    std::string_view w = cc[i];
    const OptSpec* o = nullptr;
    bool inline_value = w.find('=') != std::string_view::npos;
    if (w.starts_with("--")) o = find_long(t.globals, w.substr(2, w.find('=') - 2));
    else if (w.size() == 2) o = find_short(t.globals, w[1]);
    out.words.push_back(systemd_quote(cc[i++]));
    if (o && o->type != OptType::Bool && !inline_value && i < cc.size()) out.words.push_back(systemd_quote(cc[i++]));
  }
  size_t used = 0;
  const CmdSpec* cmd = find_command(t, std::span(cc).subspan(i), used);
  if (!cmd || (cmd->path != "container run" && cmd->path != "container create"))
    return fail(kInvalid, "the container's create command is not a `run` or `create`: cannot make a --new unit");
  i += used;
  // The unit runs `run`, whose options include create's (and -d).
  std::vector<std::string> run_words{"container", "run"};
  size_t run_used = 0;
  if (const CmdSpec* run = find_command(t, run_words, run_used)) cmd = run;
  out.words.push_back("run");
  out.words.push_back("--cidfile=%t/%n.ctr-id");
  out.words.push_back("--cgroups=no-conmon");
  out.words.push_back("--rm");
  out.words.push_back(fmt::format("--sdnotify={}", sdnotify.empty() || sdnotify == "ignore" ? "conmon" : sdnotify));
  out.words.push_back("-d");
  out.words.push_back("--replace");
  std::vector<std::string> kept;
  bool named = false;
  while (i < cc.size()) {
    const std::string& w = cc[i];
    if (w == "--") {
      break;
    }
    if (w.size() < 2 || w[0] != '-') break;  // the image
    if (w.starts_with("--")) {
      auto eq = w.find('=');
      std::string lname = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptSpec* o = find_long(cmd->opts, lname);
      bool takes_value = o && o->type != OptType::Bool && eq == std::string::npos;
      std::string value;
      if (eq != std::string::npos) value = w.substr(eq + 1);
      else if (takes_value && i + 1 < cc.size()) value = cc[i + 1];
      size_t n = takes_value ? 2 : 1;
      if (lname == "name") {
        named = true;
        kept.push_back("--name");
        kept.push_back(systemd_quote(value) + name_suffix);
      } else if (!unit_owned(lname)) {
        kept.push_back(systemd_quote(w));
        if (takes_value && i + 1 < cc.size()) kept.push_back(systemd_quote(cc[i + 1]));
      }
      i += n;
      continue;
    }
    // A cluster of short options: drop -d, keep the others; a value ends the cluster.
    std::string cluster = "-";
    std::optional<std::string> value;
    bool name_flag = false;
    for (size_t k = 1; k < w.size(); ++k) {
      const OptSpec* o = find_short(cmd->opts, w[k]);
      if (o && o->type != OptType::Bool) {
        name_flag = o->name == "name";
        if (k + 1 < w.size()) value = w.substr(k + 1);
        else if (i + 1 < cc.size()) value = cc[++i];
        if (!unit_owned(o->name)) cluster.push_back(w[k]);
        break;
      }
      if (o && unit_owned(o->name)) continue;
      cluster.push_back(w[k]);
    }
    ++i;
    if (cluster.size() > 1) kept.push_back(cluster);
    if (value) kept.push_back(systemd_quote(*value) + (name_flag ? name_suffix : ""));
  }
  if (!named) {
    out.words.push_back("--name");
    out.words.push_back(systemd_quote(name) + name_suffix);
  }
  out.words.insert(out.words.end(), kept.begin(), kept.end());
  out.image_at = out.words.size();
  for (; i < cc.size(); ++i) out.words.push_back(systemd_quote(cc[i]));
  return out;
}

Result<Unit> container_unit(const UnitContainer& c, const UnitOptions& o) {
  bool is_new = o.is_new || o.is_template;
  std::string ident = o.use_name ? c.name : c.id;
  std::string base = o.container_prefix + o.separator + ident;
  Unit u;
  u.name = base + (o.is_template ? "@" : "") + ".service";
  std::string restart = o.restart_policy;
  if (restart.empty()) {
    restart = "on-failure";
    if (c.restart_policy == "always" || c.restart_policy == "unless-stopped") restart = "always";
  }
  if (!valid_systemd_restart_policy(restart))
    return fail(kInvalid, fmt::format("{} is not a valid restart policy (no, on-success, on-failure, on-abnormal, "
                                      "on-watchdog, on-abort, always)", restart));
  int stop = o.stop_time.value_or(c.stop_timeout);
  std::string exe = systemd_quote(o.exe);
  std::vector<std::string> globals;
  for (auto& g : o.global_args) globals.push_back(systemd_quote(g));

  std::string s;
  if (!o.no_header) {
    s += fmt::format("# {}\n# autogenerated by skiff {}\n", u.name, o.version);
    if (!o.header_time.empty()) s += fmt::format("# {}\n", o.header_time);
    s += "\n";
  } else {
    s += fmt::format("# {}\n\n", u.name);
  }
  s += "[Unit]\n";
  s += fmt::format("Description=skiff {}.service{}\n", base, o.is_template ? " for %I" : "");
  s += "Documentation=man:skiff-generate-systemd(1)\n";
  s += "Wants=network-online.target\nAfter=network-online.target\n";
  s += fmt::format("RequiresMountsFor={}\n", is_new ? "%t/skiff" : systemd_quote(c.run_root));
  if (!o.wants.empty() || !o.after.empty() || !o.requires_.empty()) {
    s += "\n# User-defined dependencies\n";
    if (!o.wants.empty()) s += "Wants=" + join(o.wants, " ") + "\n";
    if (!o.after.empty()) s += "After=" + join(o.after, " ") + "\n";
    if (!o.requires_.empty()) s += "Requires=" + join(o.requires_, " ") + "\n";
  }
  s += "\n[Service]\n";
  s += fmt::format("Environment=PODMAN_SYSTEMD_UNIT=%n{}\n", o.is_template ? "-%i" : "");
  for (auto& e : o.env) s += "Environment=" + systemd_quote(e) + "\n";
  s += fmt::format("Restart={}\n", restart);
  if (o.restart_sec) s += fmt::format("RestartSec={}\n", *o.restart_sec);
  if (o.start_timeout) s += fmt::format("TimeoutStartSec={}\n", *o.start_timeout);
  s += fmt::format("TimeoutStopSec={}\n", 60 + stop);
  std::string pre = globals.empty() ? exe : exe + " " + join(globals, " ");
  if (is_new) {
    std::string suffix = o.is_template ? "-%i" : "";
    auto run = TRY(new_run_args(table(), c.create_command, c.name, c.sdnotify, suffix));
    std::vector<std::string> words{exe};
    words.insert(words.end(), run.words.begin(), run.words.end());
    s += "ExecStartPre=/bin/rm \\\n\t-f %t/%n.ctr-id\n";
    s += exec_line("ExecStart", words, run.image_at + 1);
    // The run's global options (--root …) go to stop and rm too: the same store.
    std::vector<std::string> g;
    for (auto& w : run.words) {
      if (w == "run") break;
      g.push_back(w);
    }
    std::string pre_new = g.empty() ? exe : exe + " " + join(g, " ");
    s += fmt::format("ExecStop={} stop \\\n\t--ignore -t {} \\\n\t--cidfile=%t/%n.ctr-id\n", pre_new, stop);
    s += fmt::format("ExecStopPost={} rm \\\n\t-f \\\n\t--ignore -t {} \\\n\t--cidfile=%t/%n.ctr-id\n", pre_new, stop);
    s += "Type=notify\nNotifyAccess=all\n";
  } else {
    std::string who = systemd_quote(o.use_name ? c.name : c.id);
    s += fmt::format("ExecStart={} start {}\n", pre, who);
    s += fmt::format("ExecStop={} stop  \\\n\t-t {} {}\n", pre, stop, who);
    s += fmt::format("ExecStopPost={} stop  \\\n\t-t {} {}\n", pre, stop, who);
    s += fmt::format("PIDFile={}\n", systemd_quote(c.run_root + "/c/" + c.id.substr(0, 12) + "/conmon.pid"));
    s += "Type=forking\n";
  }
  s += "\n[Install]\nWantedBy=default.target\n";
  u.text = std::move(s);
  return u;
}

}  // namespace skiff::cli
