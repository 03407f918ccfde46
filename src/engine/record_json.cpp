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
    else c.unknown[k] = v;
  }
  return c;
}

}  // namespace skiff::engine
