// (De)serialisation of the typed container record parts (container_config.hpp): the only code
// that knows their JSON keys.
#include "skiff/engine/container_config.hpp"

namespace skiff::engine {

namespace {

std::vector<std::string> strings(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

Json strings_or_null(const std::vector<std::string>& v) { return v.empty() ? Json(nullptr) : Json(v); }

}  // namespace

std::string ContainerConfig::label(const std::string& key) const { return json_str(labels, key); }

Json to_json(const ContainerConfig& c) {
  Json j = Json::object();
  j["Hostname"] = c.hostname;
  j["Domainname"] = c.domainname;
  j["User"] = c.user;
  j["AttachStdin"] = c.attach_stdin;
  j["AttachStdout"] = c.attach_stdout;
  j["AttachStderr"] = c.attach_stderr;
  if (!c.exposed_ports.is_null()) j["ExposedPorts"] = c.exposed_ports;
  j["Tty"] = c.tty;
  j["OpenStdin"] = c.open_stdin;
  j["StdinOnce"] = c.stdin_once;
  j["Env"] = c.env;
  j["Cmd"] = strings_or_null(c.cmd);
  j["Image"] = c.image;
  j["Volumes"] = c.volumes;
  j["WorkingDir"] = c.working_dir;
  j["Entrypoint"] = strings_or_null(c.entrypoint);
  j["OnBuild"] = nullptr;
  j["Labels"] = c.labels;
  j["StopSignal"] = c.stop_signal;
  if (c.stop_timeout) j["StopTimeout"] = *c.stop_timeout;
  if (!c.create_command.empty()) j["CreateCommand"] = c.create_command;
  if (!c.healthcheck.is_null()) j["Healthcheck"] = c.healthcheck;
  if (!c.mac_address.empty()) j["MacAddress"] = c.mac_address;
  if (c.timeout > 0) j["Timeout"] = c.timeout;
  if (c.unknown.is_object())
    for (auto& [k, v] : c.unknown.items()) j[k] = v;
  return j;
}

ContainerConfig container_config_from_json(const Json& j) {
  ContainerConfig c;
  if (!j.is_object()) return c;
  for (auto& [k, v] : j.items()) {
    if (k == "Hostname") c.hostname = json_str(j, k);
    else if (k == "Domainname") c.domainname = json_str(j, k);
    else if (k == "User") c.user = json_str(j, k);
    else if (k == "AttachStdin") c.attach_stdin = json_bool(j, k);
    else if (k == "AttachStdout") c.attach_stdout = json_bool(j, k);
    else if (k == "AttachStderr") c.attach_stderr = json_bool(j, k);
    else if (k == "ExposedPorts") c.exposed_ports = v;
    else if (k == "Tty") c.tty = json_bool(j, k);
    else if (k == "OpenStdin") c.open_stdin = json_bool(j, k);
    else if (k == "StdinOnce") c.stdin_once = json_bool(j, k);
    else if (k == "Env") c.env = strings(v);
    else if (k == "Cmd") c.cmd = strings(v);
    else if (k == "Image") c.image = json_str(j, k);
    else if (k == "Volumes") c.volumes = v;
    else if (k == "WorkingDir") c.working_dir = json_str(j, k);
    else if (k == "Entrypoint") c.entrypoint = strings(v);
    else if (k == "OnBuild") continue;  // always null in a container's record
    else if (k == "Labels") c.labels = v.is_object() ? v : Json::object();
    else if (k == "StopSignal") c.stop_signal = json_str(j, k);
    else if (k == "StopTimeout") c.stop_timeout = v.is_number() ? std::optional<int>(int(json_int(j, k))) : std::nullopt;
    else if (k == "CreateCommand") c.create_command = strings(v);
    else if (k == "Healthcheck") c.healthcheck = v;
    else if (k == "MacAddress") c.mac_address = json_str(j, k);
    else if (k == "Timeout") c.timeout = json_int(j, k);
    else c.unknown[k] = v;
  }
  return c;
}

Json pod_link_json(const ContainerExtra& x) {
  if (x.pod_id.empty()) return Json(nullptr);
  Json p = Json::object();
  p["id"] = x.pod_id;
  if (x.pod_infra) p["infra"] = true;
  return p;
}

Json to_json(const ContainerExtra& x) {
  Json j = Json::object();
  if (!x.network.is_null()) j["network"] = x.network;
  if (x.no_hosts) j["noHosts"] = true;
  if (!x.links.is_null()) j["links"] = x.links;
  if (!x.networks.is_null()) j["networks"] = x.networks;
  if (x.health_timer) j["healthTimer"] = *x.health_timer;
  if (!x.sd_notify.empty()) j["sdNotify"] = x.sd_notify;
  if (!x.pid_file.empty()) j["pidFile"] = x.pid_file;
  if (!x.conmon_pid_file.empty()) j["conmonPidFile"] = x.conmon_pid_file;
  if (!x.health_on_failure.empty()) j["healthOnFailure"] = x.health_on_failure;
  j["mounts"] = x.mounts;
  j["hostname"] = x.hostname;
  if (!x.cgroups.empty()) j["cgroups"] = x.cgroups;
  if (x.systemd) j["systemd"] = true;
  if (!x.seccomp_profile.empty()) j["seccompProfile"] = x.seccomp_profile;
  if (!x.cap_base.empty()) j["capBase"] = x.cap_base;
  if (x.no_new_privileges) j["noNewPrivileges"] = true;
  if (!x.layer_dirs.empty()) j["layerDirs"] = x.layer_dirs;
  if (!x.top_layer.empty()) j["topLayer"] = x.top_layer;
  if (!x.requires_.empty()) j["requires"] = x.requires_;
  if (!x.timezone.empty()) j["timezone"] = x.timezone;
  if (x.keep_groups) j["keepGroups"] = true;
  if (!x.userns.is_null()) j["userns"] = x.userns;
  if (!x.pod_id.empty()) j["pod"] = pod_link_json(x);
  if (!x.overlay_cwd.empty()) j["overlayCwd"] = x.overlay_cwd;
  if (x.unknown.is_object())
    for (auto& [k, v] : x.unknown.items()) j[k] = v;
  return j;
}

ContainerExtra container_extra_from_json(const Json& j) {
  ContainerExtra x;
  if (!j.is_object()) return x;
  for (auto& [k, v] : j.items()) {
    if (k == "network") x.network = v;
    else if (k == "noHosts") x.no_hosts = json_bool(j, k);
    else if (k == "links") x.links = v;
    else if (k == "networks") x.networks = v;
    else if (k == "healthTimer") x.health_timer = v.is_boolean() ? std::optional<bool>(v.get<bool>()) : std::nullopt;
    else if (k == "sdNotify") x.sd_notify = json_str(j, k);
    else if (k == "pidFile") x.pid_file = json_str(j, k);
    else if (k == "conmonPidFile") x.conmon_pid_file = json_str(j, k);
    else if (k == "healthOnFailure") x.health_on_failure = json_str(j, k);
    else if (k == "mounts") x.mounts = v.is_array() ? v : Json::array();
    else if (k == "hostname") x.hostname = json_str(j, k);
    else if (k == "cgroups") x.cgroups = json_str(j, k);
    else if (k == "seccompProfile") x.seccomp_profile = json_str(j, k);
    else if (k == "capBase") x.cap_base = strings(v);
    else if (k == "noNewPrivileges") x.no_new_privileges = json_bool(j, k);
    else if (k == "layerDirs") x.layer_dirs = strings(v);
    else if (k == "topLayer") x.top_layer = json_str(j, k);
    else if (k == "requires") x.requires_ = strings(v);
    else if (k == "timezone") x.timezone = json_str(j, k);
    else if (k == "keepGroups") x.keep_groups = json_bool(j, k);
    else if (k == "userns") x.userns = v;
    else if (k == "pod") x.pod_id = json_str(v, "id"), x.pod_infra = json_bool(v, "infra");
    else if (k == "systemd") x.systemd = json_bool(j, k);
    else if (k == "overlayCwd") x.overlay_cwd = json_str(j, k);
    else x.unknown[k] = v;
  }
  return x;
}

}  // namespace skiff::engine
