#pragma once
// The Go types of Docker's API objects (API 1.41-1.43 shapes, docker/docker api/types and
// docker/cli), as template schemas (template.hpp, ExecEnv::schema), so that `inspect -f`,
// `version --format` and `info --format` print what Docker prints for every field: the empty
// value of its type ("", [], map[], <nil>) when skiff has nothing for it, and an error for a
// name Docker does not have.

#include "skiff/util/json.hpp"

namespace skiff::cli {

const Json& container_json_type();  ///< types.ContainerJSON (container inspect)
const Json& image_inspect_type();   ///< types.ImageInspect (image inspect)
const Json& version_type();         ///< system.versionInfo (version: Client, Server)
const Json& info_type();            ///< system.info (info: types.Info and ClientInfo)
const Json& network_type();         ///< network.Inspect (network inspect)
const Json& volume_type();          ///< volume.Volume (volume inspect)

/// A container.Config object (an image config's "config", or a container's Config) in
/// Docker's key order, with every key Docker always prints (Hostname … Labels, null where it
/// has nothing) and the omitempty ones (ExposedPorts, Healthcheck, ArgsEscaped, StopSignal,
/// StopTimeout, Shell, …) only when set. Keys Docker does not know are kept, after its own.
Json docker_config(const Json& c);

}  // namespace skiff::cli
