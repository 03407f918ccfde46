#include "skiff/oci/runtime_spec.hpp"

namespace skiff::oci {

static Json ranges_json(const std::vector<IdRange>& r) {
  Json a = Json::array();
  for (auto& x : r) a.push_back(Json::array({x.container_id, x.host_id, x.size}));
  return a;
}

static std::vector<IdRange> ranges_from(const Json& j) {
  std::vector<IdRange> out;
  if (!j.is_array()) return out;
  for (auto& e : j)
    if (e.is_array() && e.size() == 3)
      out.push_back(IdRange{e[0].get<uint32_t>(), e[1].get<uint32_t>(), e[2].get<uint32_t>()});
  return out;
}

Json to_json(const Spec& s) {
  Json j = Json::object();
  j["id"] = s.id;
  j["hostname"] = s.hostname;
  Json root = Json::object();
  root["kind"] = s.root.kind;
  root["overlayCwd"] = s.root.overlay_cwd;
  root["lower"] = s.root.lower;
  root["upper"] = s.root.upper;
  root["work"] = s.root.work;
  root["path"] = s.root.path;
  root["userxattr"] = s.root.userxattr;
  root["readonly"] = s.root.readonly;
  j["root"] = root;
  Json mounts = Json::array();
  for (auto& m : s.mounts) {
    Json mj = Json::object();
    mj["destination"] = m.destination;
    mj["type"] = m.type;
    mj["source"] = m.source;
    mj["options"] = m.options;
    if (m.file) mj["file"] = true;
    if (m.copy_up) mj["copyUp"] = true;
    mounts.push_back(mj);
  }
  j["mounts"] = mounts;
  j["maskedPaths"] = s.masked_paths;
  j["readonlyPaths"] = s.readonly_paths;
  const Process& p = s.process;
  Json pj = Json::object();
  pj["args"] = p.args;
  pj["env"] = p.env;
  pj["cwd"] = p.cwd;
  pj["user"] = p.user;
  pj["additionalGroups"] = p.additional_groups;
  if (p.keep_groups) pj["keepGroups"] = true;
  pj["terminal"] = p.terminal;
  pj["stdinOpen"] = p.stdin_open;
  pj["capAdd"] = p.cap_add;
  pj["capDrop"] = p.cap_drop;
  pj["capBase"] = p.cap_base;
  pj["noNewPrivileges"] = p.no_new_privileges;
  Json rl = Json::array();
  for (auto& r : p.rlimits) rl.push_back(Json::array({r.resource, r.soft, r.hard}));
  pj["rlimits"] = rl;
  pj["seccomp"] = p.seccomp;
  pj["seccompCacheDir"] = p.seccomp_cache_dir;
  pj["oomScoreAdj"] = p.oom_score_adj;
  pj["init"] = p.init;
  j["process"] = pj;
  j["newUserns"] = s.new_userns;
  Json idm = Json::object();
  idm["userns"] = s.idmap.userns;
  idm["single"] = s.idmap.single;
  idm["uids"] = ranges_json(s.idmap.uids);
  idm["gids"] = ranges_json(s.idmap.gids);
  idm["source"] = s.idmap.source;
  j["idmap"] = idm;
  j["newNetns"] = s.new_netns;
  if (!s.join_netns.empty()) j["joinNetns"] = s.join_netns;
  if (!s.join_ipcns.empty()) j["joinIpcns"] = s.join_ipcns;
  if (!s.join_utsns.empty()) j["joinUtsns"] = s.join_utsns;
  if (s.send_ns_fds) j["sendNsFds"] = true;
  j["privileged"] = s.privileged;
  Json sc = Json::array();
  for (auto& [k, v] : s.sysctl) sc.push_back(Json::array({k, v}));
  j["sysctl"] = sc;
  if (!s.cgroup_path.empty()) {
    j["cgroupPath"] = s.cgroup_path;
    j["cgroupLimits"] = s.cgroup_limits;
  }
  if (!s.cgroupns) j["cgroupns"] = false;
  if (!s.systemd_cgroup.empty()) j["systemdCgroup"] = s.systemd_cgroup;
  return j;
}

Result<Spec> spec_from_json(const Json& j) {
  try {
    Spec s;
    s.id = j.at("id").get<std::string>();
    s.hostname = j.value("hostname", "");
    const Json& r = j.at("root");
    s.root.kind = r.value("kind", "overlay");
    s.root.overlay_cwd = r.value("overlayCwd", "");
    s.root.lower = r.value("lower", std::vector<std::string>{});
    s.root.upper = r.value("upper", "");
    s.root.work = r.value("work", "");
    s.root.path = r.value("path", "");
    s.root.userxattr = r.value("userxattr", false);
    s.root.readonly = r.value("readonly", false);
    for (auto& mj : j.at("mounts")) {
      Mount m;
      m.destination = mj.at("destination").get<std::string>();
      m.type = mj.value("type", "");
      m.source = mj.value("source", "");
      m.options = mj.value("options", std::vector<std::string>{});
      m.file = mj.value("file", false);
      m.copy_up = mj.value("copyUp", false);
      s.mounts.push_back(std::move(m));
    }
    s.masked_paths = j.value("maskedPaths", std::vector<std::string>{});
    s.readonly_paths = j.value("readonlyPaths", std::vector<std::string>{});
    const Json& pj = j.at("process");
    Process& p = s.process;
    p.args = pj.at("args").get<std::vector<std::string>>();
    p.env = pj.value("env", std::vector<std::string>{});
    p.cwd = pj.value("cwd", "/");
    p.user = pj.value("user", "");
    p.additional_groups = pj.value("additionalGroups", std::vector<std::string>{});
    p.keep_groups = pj.value("keepGroups", false);
    p.terminal = pj.value("terminal", false);
    p.stdin_open = pj.value("stdinOpen", false);
    p.cap_add = pj.value("capAdd", std::vector<std::string>{});
    p.cap_drop = pj.value("capDrop", std::vector<std::string>{});
    p.cap_base = pj.value("capBase", std::vector<std::string>{});
    p.no_new_privileges = pj.value("noNewPrivileges", false);
    for (auto& rl : pj.value("rlimits", Json::array()))
      p.rlimits.push_back(Rlimit{rl[0].get<int>(), rl[1].get<uint64_t>(), rl[2].get<uint64_t>()});
    p.seccomp = pj.value("seccomp", "default");
    p.seccomp_cache_dir = pj.value("seccompCacheDir", "");
    p.oom_score_adj = pj.value("oomScoreAdj", 0);
    p.init = pj.value("init", false);
    s.new_userns = j.value("newUserns", true);
    const Json& idm = j.at("idmap");
    s.idmap.userns = idm.value("userns", true);
    s.idmap.single = idm.value("single", false);
    s.idmap.uids = ranges_from(idm.value("uids", Json::array()));
    s.idmap.gids = ranges_from(idm.value("gids", Json::array()));
    s.idmap.source = idm.value("source", "");
    s.new_netns = j.value("newNetns", true);
    s.join_netns = j.value("joinNetns", "");
    s.join_ipcns = j.value("joinIpcns", "");
    s.join_utsns = j.value("joinUtsns", "");
    s.send_ns_fds = j.value("sendNsFds", false);
    s.privileged = j.value("privileged", false);
    for (auto& kv : j.value("sysctl", Json::array())) s.sysctl.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
    s.cgroup_path = j.value("cgroupPath", std::string());
    if (j.contains("cgroupLimits")) s.cgroup_limits = j["cgroupLimits"];
    s.cgroupns = j.value("cgroupns", true);
    s.systemd_cgroup = j.value("systemdCgroup", std::string());
    return s;
  } catch (const std::exception& e) {
    return fail(kCorrupt, fmt::format("runtime spec: {}", e.what()));
  }
}

}  // namespace skiff::oci
