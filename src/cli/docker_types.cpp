// Docker's API types as template schemas (see docker_types.hpp and template.hpp). Facts from
// docker/docker api/types (types.go, container/config.go, container/hostconfig.go,
// network/endpoint.go, swarm/swarm.go, registry/registry.go) and docker/cli
// (cli/command/system/version.go, info.go); only what a schema needs is listed: nested structs,
// fields that may be null (maps, slices, pointers) and fields Docker omits when empty.
#include "docker_types.hpp"

#include <string_view>

namespace skiff::cli {

namespace {

// container.Config: every field (its keys also give docker_config its order).
constexpr std::string_view kConfig = R"({"_type": "container.Config",
  "Hostname": "string", "Domainname": "string", "User": "string", "AttachStdin": "bool",
  "AttachStdout": "bool", "AttachStderr": "bool", "ExposedPorts": "map", "Tty": "bool",
  "OpenStdin": "bool", "StdinOnce": "bool", "Env": "slice", "Cmd": "slice", "Healthcheck": "ptr",
  "ArgsEscaped": "bool", "Image": "string", "Volumes": "map", "WorkingDir": "string",
  "Entrypoint": "slice", "NetworkDisabled": "bool", "MacAddress": "string", "OnBuild": "slice",
  "Labels": "map", "StopSignal": "string", "StopTimeout": "ptr", "Shell": "slice"})";

// The keys Docker prints even when empty (the others are omitempty).
constexpr std::string_view kConfigAlways[] = {"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
                                              "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd",
                                              "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels"};

constexpr std::string_view kHostConfig = R"({"_type": "container.HostConfig",
  "Binds": "slice", "LogConfig": {"_type": "container.LogConfig", "Config": "map"},
  "PortBindings": {"map": {"slice": {"_type": "nat.PortBinding"}}}, "RestartPolicy": {"_type": "container.RestartPolicy"},
  "VolumesFrom": "slice", "ConsoleSize": "slice", "Annotations": "map", "CapAdd": "slice",
  "CapDrop": "slice", "Dns": "slice", "DnsOptions": "slice", "DnsSearch": "slice",
  "ExtraHosts": "slice", "GroupAdd": "slice", "Links": "slice", "SecurityOpt": "slice",
  "StorageOpt": "map", "Tmpfs": "map", "Sysctls": "map", "Runtime": "string",
  "BlkioWeightDevice": "slice", "BlkioDeviceReadBps": "slice", "BlkioDeviceWriteBps": "slice",
  "BlkioDeviceReadIOps": "slice", "BlkioDeviceWriteIOps": "slice", "Devices": "slice",
  "DeviceCgroupRules": "slice", "DeviceRequests": "slice", "KernelMemory": "int",
  "KernelMemoryTCP": "int", "MemorySwappiness": "ptr", "OomKillDisable": "ptr",
  "PidsLimit": "ptr", "Ulimits": "slice", "Mounts": "slice", "MaskedPaths": "slice",
  "ReadonlyPaths": "slice", "Init": "ptr", "IDMappings": "ptr"})";

constexpr std::string_view kContainer = R"({"_type": "types.ContainerJSON",
  "Args": "slice",
  "State": {"_type": "types.ContainerState", "Health": "ptr"},
  "Node": "ptr", "ExecIDs": "slice",
  "GraphDriver": {"_type": "types.GraphDriverData", "Data": "map"},
  "SizeRw": "ptr", "SizeRootFs": "ptr",
  "Mounts": {"slice": {"_type": "types.MountPoint", "Type": "string", "Name": "string", "Driver": "string"}},
  "NetworkSettings": {"_type": "types.NetworkSettings", "Ports": {"map": {"slice": {"_type": "nat.PortBinding"}}},
    "SecondaryIPAddresses": "slice", "SecondaryIPv6Addresses": "slice",
    "Networks": {"map": {"_type": "network.EndpointSettings", "IPAMConfig": "ptr", "Links": "slice",
      "Aliases": "slice", "DriverOpts": "map", "DNSNames": "slice"}}}})";

constexpr std::string_view kImage = R"({"_type": "types.ImageInspect",
  "RepoTags": "slice", "RepoDigests": "slice", "Variant": "string", "OsVersion": "string",
  "VirtualSize": "int",
  "GraphDriver": {"_type": "types.GraphDriverData", "Data": "map"},
  "RootFS": {"_type": "types.RootFS", "Type": "string", "Layers": "slice"},
  "Metadata": {"_type": "types.ImageMetadata", "LastTagTime": "string"}})";

constexpr std::string_view kClientVersion = R"({"_type": "system.clientVersion",
  "Platform": {"_type": "struct { Name string }", "Name": "string"},
  "DefaultAPIVersion": "string", "BuildTime": "string"})";

constexpr std::string_view kVersion = R"({"_type": "system.versionInfo",
  "Server": {"_type": "types.Version",
    "Platform": {"_type": "struct { Name string }", "Name": "string"},
    "Components": {"slice": {"_type": "types.ComponentVersion", "Details": "map"}},
    "MinAPIVersion": "string", "KernelVersion": "string", "Experimental": "bool",
    "BuildTime": "string"}})";

constexpr std::string_view kInfo = R"({"_type": "system.info",
  "DriverStatus": "slice", "SystemStatus": "slice",
  "Plugins": {"_type": "types.PluginsInfo", "Volume": "slice", "Network": "slice",
    "Authorization": "slice", "Log": "slice"},
  "KernelMemory": "bool", "KernelMemoryTCP": "bool", "CgroupVersion": "string",
  "RegistryConfig": {"_type": "registry.ServiceConfig",
    "AllowNondistributableArtifactsCIDRs": "slice", "AllowNondistributableArtifactsHostnames": "slice",
    "InsecureRegistryCIDRs": "slice", "IndexConfigs": "map", "Mirrors": "slice"},
  "GenericResources": "slice", "Labels": "slice", "Runtimes": "map",
  "Swarm": {"_type": "swarm.Info", "RemoteManagers": "slice", "Nodes": "int", "Managers": "int",
    "Cluster": "ptr", "Warnings": "slice"},
  "ContainerdCommit": {"_type": "types.Commit"}, "RuncCommit": {"_type": "types.Commit"},
  "InitCommit": {"_type": "types.Commit"},
  "SecurityOptions": "slice", "ProductLicense": "string", "DefaultAddressPools": "slice",
  "Warnings": "slice", "ServerErrors": "slice", "ClientErrors": "slice"})";

constexpr std::string_view kVolume = R"({"_type": "volume.Volume", "ClusterVolume": "ptr",
  "CreatedAt": "string", "Labels": "map", "Options": "map", "Status": "map", "UsageData": "ptr"})";

constexpr std::string_view kNetwork = R"({"_type": "network.Inspect", "IPAM": {"_type": "network.IPAM",
  "Options": "map", "Config": {"slice": {"_type": "network.IPAMConfig", "AuxiliaryAddresses": "map"}}},
  "ConfigFrom": {"_type": "network.ConfigReference"}, "Containers": {"map": {"_type": "network.EndpointResource"}},
  "Options": "map", "Labels": "map", "Peers": "slice", "Services": "map"})";

Json parse_schema(std::string_view text) {
  auto j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

}  // namespace

const Json& container_json_type() {
  static const Json t = [] {
    Json j = parse_schema(kContainer);
    j["HostConfig"] = parse_schema(kHostConfig);
    j["Config"] = parse_schema(kConfig);
    return j;
  }();
  return t;
}

const Json& image_inspect_type() {
  static const Json t = [] {
    Json j = parse_schema(kImage);
    j["ContainerConfig"] = parse_schema(kConfig);
    j["Config"] = parse_schema(kConfig);
    return j;
  }();
  return t;
}

const Json& version_type() {
  static const Json t = [] {
    Json j = parse_schema(kVersion);
    j["Client"] = parse_schema(kClientVersion);
    return j;
  }();
  return t;
}

const Json& info_type() {
  static const Json t = [] {
    Json j = parse_schema(kInfo);
    Json c = parse_schema(kClientVersion);
    c["_type"] = "system.clientInfo";
    c["Plugins"] = "slice";
    c["Warnings"] = "slice";
    j["ClientInfo"] = c;
    return j;
  }();
  return t;
}

const Json& network_type() {
  static const Json t = parse_schema(kNetwork);
  return t;
}

const Json& volume_type() {
  static const Json t = parse_schema(kVolume);
  return t;
}

Json docker_config(const Json& c) {
  static const Json schema = parse_schema(kConfig);
  auto always = [](std::string_view k) {
    for (auto a : kConfigAlways)
      if (a == k) return true;
    return false;
  };
  Json o = Json::object();
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& k = it.key();
    if (k == "_type") continue;
    const Json* v = c.is_object() && c.contains(k) ? &c[k] : nullptr;
    if (always(k)) {
      if (v) o[k] = *v;
      else if (*it == "string") o[k] = "";
      else if (*it == "bool") o[k] = false;
      else o[k] = nullptr;
      continue;
    }
    // omitempty: Go omits false, "", nil and empty maps/slices.
    if (!v || v->is_null() || (v->is_boolean() && !v->get<bool>()) || (v->is_string() && v->get_ref<const std::string&>().empty()) ||
        ((v->is_object() || v->is_array()) && v->empty()))
      continue;
    o[k] = *v;
  }
  if (c.is_object())
    for (auto it = c.begin(); it != c.end(); ++it)
      if (!schema.contains(it.key())) o[it.key()] = it.value();
  return o;
}

}  // namespace skiff::cli
