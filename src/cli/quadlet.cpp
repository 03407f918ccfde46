// Quadlet-style generator: parsing unit files and making the units (quadlet.hpp).
#include "quadlet.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "skiff/util/strings.hpp"

namespace skiff::cli::quadlet {

const Section* UnitFile::find(std::string_view name) const {
  for (auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> UnitFile::all(std::string_view section, std::string_view key) const {
  std::vector<std::string> out;
  for (auto& s : sections)
    if (s.name == section)
      for (auto& e : s.entries)
        if (e.key == key) out.push_back(e.value);
  return out;
}

std::string UnitFile::last(std::string_view section, std::string_view key) const {
  auto v = all(section, key);
  return v.empty() ? "" : v.back();
}

Result<UnitFile> parse(const std::string& path, const std::string& text) {
  UnitFile f;
  f.path = path;
  auto lines = split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    int lineno = int(i + 1);
    std::string line(trim(lines[i]));
    // A trailing backslash joins the next line (comment lines inside are skipped, as systemd).
    while (!line.empty() && line.back() == '\\' && i + 1 < lines.size()) {
      line.pop_back();
      while (!line.empty() && isspace((unsigned char)line.back())) line.pop_back();
      std::string next(trim(lines[++i]));
      if (!next.empty() && (next[0] == '#' || next[0] == ';')) continue;
      line += " " + next;
    }
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        return fail(kInvalid, fmt::format("{}:{}: invalid section header {}", path, lineno, line));
      f.sections.push_back(Section{line.substr(1, line.size() - 2), {}});
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(kInvalid, fmt::format("{}:{}: expected KEY=VALUE, got {}", path, lineno, line));
    if (f.sections.empty())
      return fail(kInvalid, fmt::format("{}:{}: assignment outside of a section", path, lineno));
    f.sections.back().entries.push_back(
        Entry{std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))), lineno});
  }
  return f;
}

Result<std::vector<std::string>> split_words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && isspace((unsigned char)s[i])) ++i;
    if (i >= s.size()) break;
    std::string w;
    bool any = false;
    while (i < s.size() && !isspace((unsigned char)s[i])) {
      char c = s[i];
      if (c == '"' || c == '\'') {
        char q = c;
        ++i;
        any = true;
        while (i < s.size() && s[i] != q) {
          if (s[i] == '\\' && q == '"' && i + 1 < s.size()) ++i;
          w.push_back(s[i++]);
        }
        if (i >= s.size()) return fail(kInvalid, fmt::format("unbalanced quotes in: {}", s));
        ++i;
        continue;
      }
      if (c == '\\' && i + 1 < s.size()) ++i;
      w.push_back(s[i++]);
      any = true;
    }
    if (any) out.push_back(w);
  }
  return out;
}

namespace {

// An Exec word: quoted when systemd would split it; specifiers (%h, %N) and $VAR are the
// user's to use, as in Quadlet.
std::string q(const std::string& w) {
  bool plain = !w.empty() && std::none_of(w.begin(), w.end(), [](char c) {
    return isspace((unsigned char)c) || c == '"' || c == '\'' || c == '\\' || c == ';';
  });
  if (plain) return w;
  std::string out = "\"";
  for (char c : w) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

bool parse_bool(const std::string& v, bool& out) {
  std::string l;
  for (char c : v) l.push_back(char(tolower((unsigned char)c)));
  if (l == "1" || l == "yes" || l == "true" || l == "on") return out = true, true;
  if (l == "0" || l == "no" || l == "false" || l == "off") return out = false, true;
  return false;
}

std::string stem(const std::string& name, const std::string& ext) {
  return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0
             ? name.substr(0, name.size() - ext.size())
             : std::string();
}

struct Ctx {
  const UnitFile& f;
  std::string section;
  std::vector<std::string> args;            // options before the positionals
  std::vector<std::string> unit_deps;       // [Unit] lines of ours (Requires=, After=…)
  std::vector<std::string> warnings;
  std::vector<std::string> errors;
};

using Handler = std::function<void(Ctx&, const Entry&)>;

Handler flag(const char* name) {
  return [name](Ctx& c, const Entry& e) { c.args.push_back(fmt::format("{}={}", name, e.value)); };
}
Handler words_flag(const char* name) {
  return [name](Ctx& c, const Entry& e) {
    auto w = split_words(e.value);
    if (!w) return c.errors.push_back(fmt::format("{}:{}: {}", c.f.path, e.line, w.error().msg));
    for (auto& x : *w) c.args.push_back(fmt::format("{}={}", name, x));
  };
}
Handler bool_flag(const char* when_true) {
  return [when_true](Ctx& c, const Entry& e) {
    bool b;
    if (!parse_bool(e.value, b))
      return c.errors.push_back(fmt::format("{}:{}: {}={}: not a boolean", c.f.path, e.line, e.key, e.value));
    if (b) c.args.push_back(when_true);
  };
}
Handler raw_args() {
  return [](Ctx& c, const Entry& e) {
    auto w = split_words(e.value);
    if (!w) return c.errors.push_back(fmt::format("{}:{}: {}", c.f.path, e.line, w.error().msg));
    c.args.insert(c.args.end(), w->begin(), w->end());
  };
}
Handler ignored() {
  return [](Ctx&, const Entry&) {};
}

// A Volume=/Network=/Pod= naming another Quadlet file: the object it makes, and a dependency.
std::string quadlet_ref(Ctx& c, const std::string& v, const std::string& ext, const std::string& suffix,
                        bool binds = false) {
  std::string s = stem(v, ext);
  if (s.empty()) return v;
  std::string unit = s + suffix + ".service";
  c.unit_deps.push_back((binds ? "BindsTo=" : "Requires=") + unit);
  c.unit_deps.push_back("After=" + unit);
  return "systemd-" + s;
}

const std::map<std::string, Handler>& container_keys() {
  static const std::map<std::string, Handler> k = {
      {"AddCapability", words_flag("--cap-add")},
      {"Annotation", words_flag("--annotation")},
      {"AutoUpdate", [](Ctx& c, const Entry& e) { c.args.push_back("--label=io.containers.autoupdate=" + e.value); }},
      {"ContainerName", ignored()},  // below: --name
      {"DropCapability", words_flag("--cap-drop")},
      {"Entrypoint", flag("--entrypoint")},
      {"Environment", words_flag("--env")},
      {"EnvironmentFile", flag("--env-file")},
      {"EnvironmentHost", bool_flag("--env-host")},
      {"Exec", ignored()},   // below: after the image
      {"Group", ignored()},  // with User=
      {"HealthCmd", flag("--health-cmd")},
      {"HealthInterval", flag("--health-interval")},
      {"HealthOnFailure", flag("--health-on-failure")},
      {"HealthRetries", flag("--health-retries")},
      {"HealthStartPeriod", flag("--health-start-period")},
      {"HealthTimeout", flag("--health-timeout")},
      {"HostName", flag("--hostname")},
      {"Image", ignored()},  // below: the positional
      {"Label", words_flag("--label")},
      {"LogDriver", flag("--log-driver")},
      {"Mount", flag("--mount")},
      {"Network",
       [](Ctx& c, const Entry& e) { c.args.push_back("--network=" + quadlet_ref(c, e.value, ".network", "-network")); }},
      {"NoNewPrivileges", bool_flag("--security-opt=no-new-privileges")},
      {"Notify", ignored()},  // below: --sdnotify
      {"PodmanArgs", raw_args()},
      {"Pod",
       [](Ctx& c, const Entry& e) {
         std::string s = stem(e.value, ".pod");
         if (s.empty())
           return c.errors.push_back(fmt::format("{}:{}: Pod={}: name a .pod file", c.f.path, e.line, e.value));
         quadlet_ref(c, e.value, ".pod", "-pod", true);
         c.args.push_back("--pod-id-file=%t/" + s + "-pod.pod-id");
       }},
      {"PublishPort", flag("--publish")},
      {"ReadOnly", bool_flag("--read-only")},
      {"RunInit", bool_flag("--init")},
      {"SeccompProfile", flag("--security-opt=seccomp")},
      {"StopTimeout", flag("--stop-timeout")},
      {"Sysctl", words_flag("--sysctl")},
      {"Timezone", flag("--tz")},
      {"Tmpfs", flag("--tmpfs")},
      {"Ulimit", flag("--ulimit")},
      {"User", ignored()},  // below: --user
      {"UserNS", flag("--userns")},
      {"Volume",
       [](Ctx& c, const Entry& e) {
         auto [src, rest] = split_once(e.value, ':');
         std::string s = quadlet_ref(c, src, ".volume", "-volume");
         c.args.push_back("--volume=" + s + (rest ? ":" + *rest : ""));
       }},
      {"WorkingDir", flag("--workdir")},
  };
  return k;
}

const std::map<std::string, Handler>& volume_keys() {
  static const std::map<std::string, Handler> k = {
      {"Device", [](Ctx& c, const Entry& e) { c.args.push_back("--opt=device=" + e.value); }},
      {"Driver", flag("--driver")},
      {"Label", words_flag("--label")},
      {"Options", [](Ctx& c, const Entry& e) { c.args.push_back("--opt=o=" + e.value); }},
      {"PodmanArgs", raw_args()},
      {"Type", [](Ctx& c, const Entry& e) { c.args.push_back("--opt=type=" + e.value); }},
      {"VolumeName", ignored()},
  };
  return k;
}

const std::map<std::string, Handler>& network_keys() {
  static const std::map<std::string, Handler> k = {
      {"DisableDNS", bool_flag("--disable-dns")},
      {"DNS", flag("--dns")},
      {"Driver", flag("--driver")},
      {"Gateway", flag("--gateway")},
      {"Internal", bool_flag("--internal")},
      {"IPRange", flag("--ip-range")},
      {"IPv6", bool_flag("--ipv6")},
      {"Label", words_flag("--label")},
      {"NetworkName", ignored()},
      {"Options", flag("--opt")},
      {"PodmanArgs", raw_args()},
      {"Subnet", flag("--subnet")},
  };
  return k;
}

const std::map<std::string, Handler>& pod_keys() {
  static const std::map<std::string, Handler> k = {
      {"Network",
       [](Ctx& c, const Entry& e) { c.args.push_back("--network=" + quadlet_ref(c, e.value, ".network", "-network")); }},
      {"PodName", ignored()},
      {"PodmanArgs", raw_args()},
      {"PublishPort", flag("--publish")},
      {"Volume",
       [](Ctx& c, const Entry& e) {
         auto [src, rest] = split_once(e.value, ':');
         c.args.push_back("--volume=" + quadlet_ref(c, src, ".volume", "-volume") + (rest ? ":" + *rest : ""));
       }},
  };
  return k;
}

std::string exec_line(const std::string& key, const std::vector<std::string>& words) {
  std::vector<std::string> quoted;
  for (auto& w : words) quoted.push_back(q(w));
  return key + "=" + join(quoted, " ") + "\n";
}

}  // namespace

Result<Generated> generate(const UnitFile& f, const std::string& base, const std::string& kind,
                           const std::string& exe) {
  static const std::map<std::string, std::pair<std::string, const std::map<std::string, Handler>& (*)()>> kinds = {
      {"container", {"Container", container_keys}},
      {"volume", {"Volume", volume_keys}},
      {"network", {"Network", network_keys}},
      {"pod", {"Pod", pod_keys}},
  };
  auto kit = kinds.find(kind);
  if (kit == kinds.end()) return fail(kInvalid, fmt::format("{}: unsupported file type .{}", f.path, kind));
  const std::string& sect = kit->second.first;
  const auto& keys = kit->second.second();
  Ctx c{f, sect, {}, {}, {}, {}};
  const Section* own = f.find(sect);
  if (!own) return fail(kInvalid, fmt::format("{}: no [{}] section", f.path, sect));
  for (auto& s : f.sections) {
    if (s.name != sect) continue;
    for (auto& e : s.entries) {
      auto h = keys.find(e.key);
      if (h == keys.end()) {
        c.warnings.push_back(fmt::format("{}:{}: unsupported key '{}' in section [{}], ignored", f.path, e.line, e.key, sect));
        continue;
      }
      h->second(c, e);
    }
  }
  Generated g;
  std::vector<std::string> service;  // our [Service] lines
  service.push_back("Environment=PODMAN_SYSTEMD_UNIT=%n");
  if (kind == "container") {
    g.unit_name = base + ".service";
    std::string image = f.last(sect, "Image");
    if (image.empty()) return fail(kInvalid, fmt::format("{}: no Image= in [Container]", f.path));
    std::string name = f.last(sect, "ContainerName");
    std::string user = f.last(sect, "User"), group = f.last(sect, "Group");
    if (!group.empty() && user.empty())
      return fail(kInvalid, fmt::format("{}: Group= needs User= (the container's --user USER:GROUP)", f.path));
    std::string notify = f.last(sect, "Notify");
    std::string sdnotify = "conmon";
    if (notify == "healthy") sdnotify = "healthy";
    else if (bool b; !notify.empty()) {
      if (!parse_bool(notify, b)) return fail(kInvalid, fmt::format("{}: Notify={}: want true, false or healthy", f.path, notify));
      if (b) sdnotify = "container";
    }
    std::vector<std::string> w{exe, "run", "--name=" + (name.empty() ? "systemd-%N" : name), "--cidfile=%t/%N.cid",
                               "--replace", "--rm", "--cgroups=split", "--sdnotify=" + sdnotify, "-d"};
    if (!user.empty()) w.push_back("--user=" + user + (group.empty() ? "" : ":" + group));
    w.insert(w.end(), c.args.begin(), c.args.end());
    w.push_back(image);
    for (auto& x : f.all(sect, "Exec")) {
      auto words = split_words(x);
      if (!words) return fail(kInvalid, fmt::format("{}: Exec=: {}", f.path, words.error().msg));
      w.insert(w.end(), words->begin(), words->end());
    }
    service.push_back("KillMode=mixed");
    service.push_back("ExecStopPost=-" + q(exe) + " rm -f -i --cidfile=%t/%N.cid");
    service.push_back("ExecStopPost=-rm -f %t/%N.cid");
    service.push_back("Delegate=yes");
    service.push_back("Type=notify");
    service.push_back("NotifyAccess=all");
    service.push_back("SyslogIdentifier=%N");
    service.push_back(exec_line("ExecStart", w));
    service.back().pop_back();
  } else if (kind == "volume") {
    g.unit_name = base + "-volume.service";
    std::string name = f.last(sect, "VolumeName");
    std::vector<std::string> w{exe, "volume", "create"};
    w.insert(w.end(), c.args.begin(), c.args.end());
    w.push_back(name.empty() ? "systemd-" + base : name);
    service.push_back(exec_line("ExecStart", w));
    service.back().pop_back();
    service.push_back("Type=oneshot");
    service.push_back("RemainAfterExit=yes");
    service.push_back("SyslogIdentifier=%N");
  } else if (kind == "network") {
    g.unit_name = base + "-network.service";
    std::string name = f.last(sect, "NetworkName");
    std::vector<std::string> w{exe, "network", "create", "--ignore"};
    w.insert(w.end(), c.args.begin(), c.args.end());
    w.push_back(name.empty() ? "systemd-" + base : name);
    service.push_back(exec_line("ExecStart", w));
    service.back().pop_back();
    service.push_back("Type=oneshot");
    service.push_back("RemainAfterExit=yes");
    service.push_back("SyslogIdentifier=%N");
  } else {  // pod
    g.unit_name = base + "-pod.service";
    std::string name = f.last(sect, "PodName");
    std::vector<std::string> w{exe, "pod", "create", "--infra-conmon-pidfile=%t/%N.pid", "--pod-id-file=%t/%N.pod-id",
                               "--exit-policy=stop", "--replace", "--name=" + (name.empty() ? "systemd-" + base : name)};
    w.insert(w.end(), c.args.begin(), c.args.end());
    service.push_back(exec_line("ExecStartPre", w));
    service.back().pop_back();
    service.push_back(exec_line("ExecStart", {exe, "pod", "start", "--pod-id-file=%t/%N.pod-id"}));
    service.back().pop_back();
    service.push_back(exec_line("ExecStop", {exe, "pod", "stop", "--pod-id-file=%t/%N.pod-id", "--ignore", "--time=10"}));
    service.back().pop_back();
    service.push_back(exec_line("ExecStopPost", {exe, "pod", "rm", "--pod-id-file=%t/%N.pod-id", "--ignore", "--force"}));
    service.back().pop_back();
    service.push_back("Type=forking");
    service.push_back("PIDFile=%t/%N.pid");
  }
  if (!c.errors.empty()) return fail(kInvalid, join(c.errors, "\n"));

  std::string s = "# Automatically generated by skiff-systemd-generator\n#\n";
  auto pass = [&](const Section& sec) {
    for (auto& e : sec.entries) s += e.key + "=" + e.value + "\n";
  };
  s += "[X-" + sect + "]\n";
  for (auto& sec : f.sections)
    if (sec.name == sect) pass(sec);
  s += "\n[Unit]\nWants=network-online.target\nAfter=network-online.target\n";
  s += "SourcePath=" + f.path + "\nRequiresMountsFor=%t/skiff\n";
  for (auto& d : c.unit_deps) s += d + "\n";
  for (auto& sec : f.sections)
    if (sec.name == "Unit") pass(sec);
  s += "\n[Service]\n";
  for (auto& l : service) s += l + "\n";
  for (auto& sec : f.sections)
    if (sec.name == "Service") pass(sec);
  std::set<std::string> done{sect, "Unit", "Service"};
  for (auto& sec : f.sections) {
    if (done.count(sec.name)) continue;
    done.insert(sec.name);
    s += "\n[" + sec.name + "]\n";
    for (auto& other : f.sections)
      if (other.name == sec.name) pass(other);
  }
  for (auto& v : f.all("Install", "WantedBy")) {
    auto w = split_words(v);
    if (w) g.wanted_by.insert(g.wanted_by.end(), w->begin(), w->end());
  }
  for (auto& v : f.all("Install", "RequiredBy")) {
    auto w = split_words(v);
    if (w) g.required_by.insert(g.required_by.end(), w->begin(), w->end());
  }
  g.text = std::move(s);
  g.warnings = std::move(c.warnings);
  return g;
}

}  // namespace skiff::cli::quadlet
