// Pods: records, create, remove and the hooks create/start call (include/skiff/engine/pod.hpp).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "pod_internal.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/netnames.hpp"
#include "skiff/network/ports.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

// ---- the pod link in a container's record (the one place it lives) -------------------------

std::string pod_of(const ContainerRecord& r) { return r.extra.pod_id; }

bool is_pod_infra(const ContainerRecord& r) { return r.extra.pod_infra; }

void set_pod(ContainerRecord& r, const std::string& pod_id, bool infra) {
  r.extra.pod_id = pod_id;
  r.extra.pod_infra = infra;
}

// ---- records ---------------------------------------------------------------------------------

std::string pods_dir(const Engine& e) { return e.graph() + "/pods"; }

Result<FileLock> lock_pods(const Engine& e) {
  TRY(mkdir_p(pods_dir(e), 0700));
  return lock_file(e.graph() + "/pods.lock", LockMode::Exclusive, true);
}

namespace {

std::vector<std::string> strings_in(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

std::string pod_dir(const Engine& e, const std::string& id) { return pods_dir(e) + "/" + id; }

Result<std::vector<PodRecord>> read_pods(const Engine& e) {
  std::vector<PodRecord> out;
  auto names = list_dir(pods_dir(e));
  if (!names) return out;  // no pod yet
  for (auto& n : *names) {
    if (n.size() != 64 || n[0] == '.') continue;
    auto j = read_json_file(pod_dir(e, n) + "/pod.json", 1 << 20);
    if (!j) continue;  // a create killed before its record
    auto p = pod_from_json(*j);
    if (p) out.push_back(std::move(*p));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.created > b.created; });
  return out;
}

Error no_such_pod(const std::string& ref) {
  return Error{kNotFound, fmt::format("no pod with name or ID {} found: no such pod", ref)};
}

Result<PodRecord> find_pod_record(const Engine& e, const std::string& ref) {
  auto pods = TRY(read_pods(e));
  for (auto& p : pods)
    if (p.id == ref || p.name == ref) return p;
  std::vector<const PodRecord*> hits;
  if (!ref.empty() && ref.find_first_not_of("0123456789abcdef") == std::string::npos)
    for (auto& p : pods)
      if (p.id.compare(0, ref.size(), ref) == 0) hits.push_back(&p);
  if (hits.size() == 1) return *hits[0];
  if (hits.size() > 1) return fail(kConflict, fmt::format("more than one result for pod ID {}", ref));
  return no_such_pod(ref);
}

std::vector<std::string> parse_share(const PodCreateOptions& o, Status& st) {
  std::vector<std::string> out;
  static const std::vector<std::string> kKnown = {"cgroup", "ipc", "net", "pid", "uts", "user", "none"};
  std::string spec = o.share;
  bool add = !spec.empty() && spec[0] == '+';
  if (add) spec = "ipc,net,uts," + spec.substr(1);
  for (auto& s : split(spec, ',')) {
    std::string ns(trim(s));
    if (!ns.empty() && std::find(kKnown.begin(), kKnown.end(), ns) == kKnown.end()) {
      st = fail(kInvalid, fmt::format("invalid kernel namespace to share: {}: must be one of cgroup, ipc, net, "
                                      "pid, uts or none", ns));
      return {};
    }
  }
  for (auto& s : split(spec, ',')) {
    std::string ns(trim(s));
    if (ns.empty()) continue;
    if (ns == "none") return {};
    if (ns == "cgroup" || ns == "user") {
      st = fail(kUnsupported, fmt::format("--share {}: skiff's pods share ipc, net, pid and uts only", ns));
      return {};
    }
    if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  }
  // Podman's order in inspect.
  std::vector<std::string> ordered;
  for (const char* ns : {"uts", "ipc", "net", "pid"})
    if (std::find(out.begin(), out.end(), ns) != out.end()) ordered.push_back(ns);
  return ordered;
}

bool shares(const PodRecord& p, const char* ns) {
  return !p.infra_id.empty() && std::find(p.share.begin(), p.share.end(), ns) != p.share.end();
}

Json labels_of(const std::vector<std::string>& labels, const std::vector<std::string>& files, Status& st) {
  Json out = Json::object();
  for (auto& f : files) {
    auto text = read_file(f, 16 << 20);
    if (!text) {
      st = wrap(text.error(), fmt::format("open label file `{}`", f));
      return out;
    }
    for (auto& line : split(*text, '\n')) {
      auto t = trim(line);
      if (t.empty() || t[0] == '#') continue;
      auto [k, v] = split_once(t, '=');
      out[std::string(k)] = std::string(v.value_or(""));
    }
  }
  for (auto& l : labels) {
    auto [k, v] = split_once(l, '=');
    out[std::string(k)] = std::string(v.value_or(""));
  }
  return out;
}

}  // namespace

Json to_json(const PodRecord& p) {
  Json j = Json::object();
  j["Id"] = p.id;
  j["Name"] = p.name;
  j["Created"] = p.created;
  j["CreateCommand"] = p.create_command;
  j["ExitPolicy"] = p.exit_policy;
  j["Hostname"] = p.hostname;
  j["Labels"] = p.labels;
  j["CreateInfra"] = p.infra;
  j["InfraContainerID"] = p.infra_id;
  j["SharedNamespaces"] = p.share;
  j["InfraConfig"] = p.infra_config;
  return j;
}

Result<PodRecord> pod_from_json(const Json& j) {
  PodRecord p;
  p.id = json_str(j, "Id");
  if (p.id.size() != 64) return fail(kCorrupt, "pod record without an ID");
  p.name = json_str(j, "Name");
  p.created = json_int(j, "Created");
  p.create_command = strings_in(json_get(j, "CreateCommand"));
  p.exit_policy = json_str(j, "ExitPolicy", "continue");
  p.hostname = json_str(j, "Hostname");
  p.labels = json_get(j, "Labels").is_object() ? j["Labels"] : Json::object();
  p.infra = json_bool(j, "CreateInfra", true);
  p.infra_id = json_str(j, "InfraContainerID");
  p.share = strings_in(json_get(j, "SharedNamespaces"));
  p.infra_config = json_get(j, "InfraConfig").is_object() ? j["InfraConfig"] : Json::object();
  return p;
}

Result<std::vector<Pod>> list_pods(const Engine& e) {
  auto recs = TRY(read_pods(e));
  std::vector<Pod> out;
  if (recs.empty()) return out;
  auto ctrs = TRY(list_containers(e));
  for (auto& r : recs) {
    Pod p;
    p.rec = std::move(r);
    for (auto& c : ctrs)
      if (pod_of(c.rec) == p.rec.id) p.containers.push_back(c);
    // Infra first, then oldest first (Podman's order).
    std::stable_sort(p.containers.begin(), p.containers.end(), [&](auto& a, auto& b) {
      bool ia = a.rec.id == p.rec.infra_id, ib = b.rec.id == p.rec.infra_id;
      if (ia != ib) return ia;
      return a.rec.created < b.rec.created;
    });
    out.push_back(std::move(p));
  }
  return out;
}

Result<Pod> find_pod(const Engine& e, const std::string& ref) {
  auto rec = TRY(find_pod_record(e, ref));
  auto all = TRY(list_pods(e));
  for (auto& p : all)
    if (p.rec.id == rec.id) return p;
  return no_such_pod(ref);
}

Result<std::string> resolve_pod_id(const Engine& e, const std::string& ref) {
  return TRY(find_pod_record(e, ref)).id;
}

std::string pod_name(const Engine& e, const std::string& id) {
  if (id.size() != 64) return "";
  auto j = read_json_file(pod_dir(e, id) + "/pod.json", 1 << 20);
  return j ? json_str(*j, "Name") : "";
}

void sweep_pods(Engine& e) {
  auto names = list_dir(pods_dir(e));
  if (!names) return;
  std::set<std::string> live;
  for (auto& n : *names) {
    std::string dir = pod_dir(e, n);
    if (n.starts_with(".removing-")) {
      (void)remove_tree(dir);
      continue;
    }
    if (n.size() == 64 && path_exists(dir + "/pod.json")) {
      live.insert(n);
      continue;
    }
    if (n.size() == 64) (void)remove_tree(dir);  // a create killed before its record
  }
  // Infra containers (and members) of pods that no longer exist: their create or the pod's
  // removal was killed half-way.
  auto ctrs = list_containers(e);
  if (!ctrs) return;
  for (auto& c : *ctrs) {
    std::string pod = pod_of(c.rec);
    if (pod.empty() || live.count(pod)) continue;
    log::debug("pod: removing container {} of the removed pod {}", c.rec.id.substr(0, 12), pod.substr(0, 12));
    (void)remove_container(e, c.rec.id, true, true);
  }
}

Result<PodRecord> create_pod(Engine& e, const PodCreateOptions& o) {
  if (!o.name.empty()) TRY(validate_name(o.name));
  if (o.exit_policy != "continue" && o.exit_policy != "stop")
    return fail(kInvalid, fmt::format("invalid pod exit policy: {}: must be continue or stop", go_quote(o.exit_policy)));
  // stop needs the last member's monitor to stop the infra container: not built yet.
  if (o.exit_policy == "stop")
    return fail(kUnsupported, "--exit-policy stop is not supported yet: the pod's infra container keeps running when "
                              "its last container exits (use the default, continue, and `pod stop`)");
  Status st = ok();
  PodRecord p;
  p.share = parse_share(o, st);
  TRY(st);
  p.labels = labels_of(o.labels, o.label_files, st);
  TRY(st);
  if (!o.infra) {
    if (o.share_given && !p.share.empty())
      return fail(kInvalid, "you cannot share kernel namespaces on the pod level without an infra container");
    if (!o.publish.empty()) return fail(kInvalid, "you must have an infra container to publish port bindings to the pod");
    if (!o.network.empty()) return fail(kInvalid, "cannot set --network without an infra container");
    if (!o.add_hosts.empty() || !o.dns.empty() || !o.dns_search.empty() || !o.dns_options.empty())
      return fail(kInvalid, "cannot set --add-host or --dns without an infra container");
    p.share.clear();
  }
  if (!o.userns.empty() && o.userns != "host")
    return fail(kUnsupported, fmt::format("--userns {}: pods use the store's user namespace (only host)", o.userns));
  bool shares_net = std::find(p.share.begin(), p.share.end(), "net") != p.share.end();
  if (!shares_net && !o.publish.empty())
    return fail(kInvalid, "you must share the network namespace (--share net) to publish ports of the pod");

  auto lock = TRY(lock_pods(e));
  sweep_pods(e);
  auto existing = TRY(read_pods(e));
  if (!o.name.empty())
    for (auto& x : existing)
      if (x.name == o.name) {
        if (!o.replace)
          return fail(kConflict, fmt::format("adding pod to state: name {} is in use: pod already exists", go_quote(o.name)));
        lock.release();
        TRY(remove_pod(e, x.id, true, 0));
        lock = TRY(lock_pods(e));
      }
  for (;;) {
    p.id = random_hex(32);
    if (p.id.substr(0, 12).find_first_not_of("0123456789") != std::string::npos) break;
  }
  p.name = o.name;
  while (p.name.empty()) {
    std::string n = random_name(e);
    if (std::none_of(existing.begin(), existing.end(), [&](auto& x) { return x.name == n; })) p.name = n;
  }
  p.created = now_ns();
  p.create_command = o.create_command;
  p.exit_policy = o.exit_policy;
  p.hostname = o.hostname;
  p.infra = o.infra;

  Json ic = Json::object();
  Json bindings = Json::object();
  for (auto& pub : o.publish) {
    auto parsed = network::parse_publish(pub);
    if (!parsed) return parsed.error();
    Json exposed = Json::object();
    network::add_bindings(bindings, exposed, *parsed);
  }
  ic["PortBindings"] = bindings;
  ic["HostNetwork"] = o.network == "host";
  ic["DNSServer"] = o.dns.empty() ? Json(nullptr) : Json(o.dns);
  ic["DNSSearch"] = o.dns_search.empty() ? Json(nullptr) : Json(o.dns_search);
  ic["DNSOption"] = o.dns_options.empty() ? Json(nullptr) : Json(o.dns_options);
  ic["HostAdd"] = o.add_hosts.empty() ? Json(nullptr) : Json(o.add_hosts);
  ic["Networks"] = Json::array();
  if (!o.network.empty() && !is_network_mode(o.network))
    for (auto& n : split(o.network, ',')) ic["Networks"].push_back(n);
  ic["pid_ns"] = std::find(p.share.begin(), p.share.end(), "pid") != p.share.end() ? "pod" : "private";
  ic["userns"] = "host";
  ic["uts_ns"] = std::find(p.share.begin(), p.share.end(), "uts") != p.share.end() ? "private" : "";
  p.infra_config = ic;

  // Order for crash safety: the pod's directory, the infra container, the record. A create
  // killed before the record leaves what sweep_pods removes.
  std::string dir = pod_dir(e, p.id);
  if (mkdir(dir.c_str(), 0700) < 0) return fail_errno(fmt::format("mkdir `{}`", dir));
  auto undo = [&](Error err) -> Result<PodRecord> {
    if (!p.infra_id.empty()) (void)remove_container(e, p.infra_id, true, true);
    (void)remove_tree(dir);
    return err;
  };
  if (o.infra) {
    if (mkdir((dir + "/rootfs").c_str(), 0755) < 0) return undo(errno_error("create the infra container's root"));
    auto files = infra_files();
    if (!files) return undo(files.error());
    CreateOptions c;
    c.rootfs = dir + "/rootfs";
    c.image = fmt::format("localhost/skiff-pause:{}", SKIFF_VERSION);  // ps IMAGE (Podman: podman-pause)
    c.command = {kInfraExe, "__pause"};
    c.name = o.infra_name.empty() ? p.id.substr(0, 12) + "-infra" : o.infra_name;
    c.hostname = std::find(p.share.begin(), p.share.end(), "uts") != p.share.end()
                     ? (o.hostname.empty() ? p.name : o.hostname)
                     : "";
    c.volumes.push_back(files->exe + ":" + kInfraExe + ":ro");
    for (auto& [src, dst] : files->binds) c.volumes.push_back(src + ":" + dst + ":ro");
    std::string libpath;
    for (auto& d : files->lib_dirs) libpath += (libpath.empty() ? "" : ":") + d;
    if (!libpath.empty()) c.env.push_back("LD_LIBRARY_PATH=" + libpath);
    if (shares_net) {
      c.network = o.network;
      c.network_explicit = !o.network.empty();
      if (!o.network.empty() && !is_network_mode(o.network)) {
        c.networks = split(o.network, ',');
        c.network = c.networks[0];
      }
      c.publish = o.publish;
      c.add_hosts = o.add_hosts;
      c.dns = o.dns;
      c.dns_search = o.dns_search;
      c.dns_options = o.dns_options;
    } else {
      c.network = "none";
    }
    c.stop_timeout = 10;
    c.log_driver = "none";
    c.create_command = o.create_command;
    c.pod = p.id;
    c.pod_infra = true;
    auto rec = create_container(e, c, nullptr);
    if (!rec) return undo(wrap(rec.error(), "create the pod's infra container"));
    p.infra_id = rec->id;
  }
  if (auto w = write_json_atomic(dir + "/pod.json", to_json(p), 0600, true); !w) return undo(w.error());
  if (!o.pod_id_file.empty()) {
    if (auto w = write_file_atomic(o.pod_id_file, p.id, 0644, false); !w)
      log::warn("write the pod ID file `{}`: {}", o.pod_id_file, w.error().msg);
  }
  return p;
}

Status remove_pod(Engine& e, const std::string& ref, bool force, std::optional<int> timeout) {
  auto lock = TRY(lock_pods(e));
  auto pod = TRY(find_pod(e, ref));
  if (!force)
    for (auto& c : pod.containers)
      if (c.state.pid > 0 || c.state.status == RunState::Running)
        return fail(kConflict, fmt::format("pod {} has containers that are not ready to be removed: cannot remove "
                                           "container {} as it is running - running or paused containers cannot be "
                                           "removed without force: container state improper",
                                           pod.rec.id, c.rec.id));
  // Members first (their stop, then the infra's, keeps the namespaces until the last leaves).
  for (auto& c : pod.containers) {
    if (c.rec.id == pod.rec.infra_id) continue;
    if (force && c.state.pid > 0) (void)stop_container(e, c.rec.id, timeout);
    TRY_CTX(remove_container(e, c.rec.id, true, false), "remove container {} of pod {}", c.rec.id.substr(0, 12),
            pod.rec.name);
  }
  // The pod goes before its infra container: a removal killed here leaves an infra of no pod,
  // which sweep_pods removes.
  std::string dir = pod_dir(e, pod.rec.id), gone = pods_dir(e) + "/.removing-" + pod.rec.id;
  if (rename(dir.c_str(), gone.c_str()) < 0) return fail_errno(fmt::format("remove pod {}", pod.rec.id));
  if (!pod.rec.infra_id.empty()) {
    auto infra = find_container(e, pod.rec.infra_id);
    if (infra) {
      if (infra->state.pid > 0) (void)stop_container(e, infra->rec.id, timeout);
      TRY_CTX(remove_container(e, infra->rec.id, true, false), "remove the infra container of pod {}", pod.rec.name);
    }
  }
  (void)remove_tree(gone);
  return ok();
}

void remove_all_pods(Engine& e) {
  auto pods = read_pods(e);
  if (!pods) return;
  for (auto& p : *pods) (void)remove_pod(e, p.id, true, 0);
}

Status pod_create_hook(Engine& e, CreateOptions& o, std::string& pod_id) {
  const std::string pod_ref = o.pod;
  if (pod_ref.empty()) return ok();
  if (o.pod_infra) {
    pod_id = pod_ref;
    return ok();
  }
  PodRecord p;
  if (pod_ref.starts_with("new:")) {
    PodCreateOptions po;
    po.name = pod_ref.substr(4);
    if (po.name.empty()) return fail(kInvalid, "--pod new:NAME needs a pod name");
    // Podman moves the container's published ports (and its network) to the new pod.
    po.publish = std::move(o.publish);
    o.publish.clear();
    if (o.network_explicit && !o.network.empty() && !o.network.starts_with("container:")) {
      po.network = o.network;
      for (size_t i = 1; i < o.networks.size(); ++i) po.network += "," + o.networks[i];
    }
    o.network.clear();
    o.networks.clear();
    o.network_explicit = false;
    po.create_command = o.create_command;
    p = TRY(create_pod(e, po));
  } else {
    p = TRY(find_pod_record(e, pod_ref));
  }
  pod_id = p.id;
  if (shares(p, "net")) {
    if (o.network_explicit && !o.network.empty())
      return fail(kInvalid, fmt::format("invalid config provided: networks must be defined when the pod is created: "
                                        "network cannot be configured when it is shared with a pod (--network {})",
                                        o.network));
    if (!o.publish.empty() || o.publish_all)
      return fail(kInvalid, "invalid config provided: published or exposed ports must be defined when the pod is "
                            "created: network cannot be configured when it is shared with a pod");
    o.network = "container:" + p.infra_id;
    o.networks.clear();
    o.network_explicit = true;
  }
  if (shares(p, "uts")) {
    if (!o.hostname.empty())
      return fail(kInvalid, "invalid config provided: cannot set hostname when joining the pod UTS namespace");
    o.hostname = p.hostname.empty() ? p.name : p.hostname;
  }
  return ok();
}

Status pod_before_start(Engine& e, const ContainerRecord& r, const std::string& log_level) {
  std::string pod = pod_of(r);
  if (pod.empty() || is_pod_infra(r)) return ok();
  auto p = find_pod_record(e, pod);
  if (!p) return fail(kNotFound, fmt::format("the pod {} of container {} is gone", pod.substr(0, 12), r.name));
  if (p->infra_id.empty()) return ok();
  auto infra = find_container(e, p->infra_id);
  if (!infra) return fail(kNotFound, fmt::format("the infra container of pod {} is gone", p->name));
  if (infra->state.status == RunState::Running) return ok();
  if (auto st = start_container(e, p->infra_id, log_level); !st)
    return wrap(st.error(), fmt::format("start the infra container of pod {}", p->name));
  return ok();
}

Status pod_before_remove(const Engine& e, const ContainerRecord& r) {
  if (!is_pod_infra(r)) return ok();
  std::string pod = pod_of(r);
  if (!path_exists(pod_dir(e, pod) + "/pod.json")) return ok();  // the pod is being removed
  return fail(kConflict, fmt::format("container {} is the infra container of pod {} and cannot be removed without "
                                     "removing the pod", r.id, pod));
}

Status pod_spec_hook(Engine& e, const ContainerRecord& r, oci::Spec& spec) {
  std::string pod = pod_of(r);
  if (pod.empty() || is_pod_infra(r)) return ok();
  auto p = find_pod_record(e, pod);
  if (!p || p->infra_id.empty()) return ok();
  bool ipc = shares(*p, "ipc"), uts = shares(*p, "uts"), pid = shares(*p, "pid");
  if (!ipc && !uts && !pid) return ok();
  auto infra = find_container(e, p->infra_id);
  if (!infra || infra->state.pid <= 0)
    return fail(kConflict, fmt::format("the infra container of pod {} is not running", p->name));
  if (ipc) spec.join_ipcns = fmt::format("/proc/{}/ns/ipc", infra->state.pid);
  if (pid) spec.join_pidns = fmt::format("/proc/{}/ns/pid", infra->state.pid);
  if (uts) {
    spec.join_utsns = fmt::format("/proc/{}/ns/uts", infra->state.pid);
    spec.hostname.clear();  // the pod's, set by the infra
  }
  return ok();
}

}  // namespace skiff::engine
