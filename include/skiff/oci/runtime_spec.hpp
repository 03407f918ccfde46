#pragma once
// The runtime spec: everything the runtime needs to turn a rootfs into a running process.
// Pure data (built by the engine from CLI flags + image config, executed by src/runtime in the
// monitor). It follows the OCI runtime-spec's concepts, trimmed to what skiff executes, and is
// serialised as JSON so it can be dumped (`--log-level debug`) and passed to a re-exec'd
// monitor.

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/util/idmap.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::oci {

/// One mount. `destination` is resolved inside the rootfs by fd (never by string joining).
struct Mount {
  std::string destination;  ///< absolute path inside the container
  std::string type;         ///< "bind", "tmpfs", "proc", "devpts", "mqueue", "sysfs", "cgroup2"…
  std::string source;       ///< host path for binds; fs source otherwise
  std::vector<std::string> options;  ///< "ro", "nosuid", "nodev", "noexec", "rbind", "mode=755", …
  /// For binds: the destination is a file (create an empty file, not a directory).
  bool file = false;
  /// For volume mounts: copy the image's content at destination into an empty source first.
  bool copy_up = false;
};

struct Rlimit {
  int resource = 0;  ///< RLIMIT_*
  uint64_t soft = 0, hard = 0;
};

struct Process {
  std::vector<std::string> args;  ///< argv; args[0] is looked up in the container's PATH
  std::vector<std::string> env;   ///< KEY=VALUE
  std::string cwd = "/";
  /// "user[:group]" as given (-u or image USER); resolved in the container's /etc/passwd and
  /// /etc/group by the runtime after pivot_root. Empty = root.
  std::string user;
  std::vector<std::string> additional_groups;  ///< --group-add (names or ids)
  bool keep_groups = false;  ///< --group-add keep-groups: no setgroups(), the caller's groups stay
  bool terminal = false;
  bool stdin_open = false;  ///< -i: keep stdin connected
  std::vector<std::string> cap_add, cap_drop;  ///< Docker's --cap-add/--cap-drop values
  std::vector<std::string> cap_base;  ///< containers.conf default_capabilities (empty: built-in)
  bool no_new_privileges = false;
  std::vector<Rlimit> rlimits;
  /// Seccomp: "default" (Docker's profile), "unconfined", or a JSON profile's text.
  std::string seccomp = "default";
  std::string seccomp_cache_dir;  ///< where compiled filters are cached (may be empty)
  int oom_score_adj = 0;
  bool init = false;  ///< --init: the runtime's own minimal init is pid 1
};

/// How the root filesystem is assembled.
struct Root {
  std::string kind = "overlay";  ///< "overlay" or "dir" (vfs: a private copy)
  std::string overlay_cwd;       ///< chdir here so `lower` entries can be short relative paths
  std::vector<std::string> lower;  ///< overlay lower dirs, topmost first (relative to overlay_cwd)
  std::string upper, work;       ///< overlay upper/work (absolute)
  std::string path;              ///< kind=dir: the directory; kind=overlay: the mount point
  bool userxattr = false;        ///< rootless overlay (user.overlay.* xattrs)
  bool readonly = false;         ///< --read-only
};

struct Spec {
  std::string id;        ///< container ID (64 hex)
  std::string hostname;  ///< default: the short ID
  Root root;
  std::vector<Mount> mounts;  ///< applied in order after the rootfs
  std::vector<std::string> masked_paths, readonly_paths;
  Process process;
  bool new_userns = true;   ///< rootless: a user namespace mapped with `idmap`
  IdMap idmap;
  bool new_netns = true;    ///< false for --network host (and when joining one below)
  /// --network container:X / ns:PATH: the network namespace file to join (new_netns false).
  /// Rootless, the container joins the user namespace that owns it too.
  std::string join_netns;
  /// A pod's shared IPC and UTS namespaces (the infra's /proc/<pid>/ns/ipc, …/uts): joined by
  /// the same helper as join_netns (which must be set with them), instead of new ones.
  std::string join_ipcns, join_utsns;
  /// The container's first process sends its network (and user) namespace fds to the monitor
  /// at the start of its setup (the monitor cannot open them: the process is not dumpable).
  bool send_ns_fds = false;
  bool privileged = false;
  std::vector<std::pair<std::string, std::string>> sysctl;
  /// The container's cgroup ("skiff/<id>", relative to each hierarchy's root; runtime/cgroup.hpp),
  /// empty = none: the monitor creates it with `cgroup_limits` before the first process runs.
  std::string cgroup_path;
  Json cgroup_limits = Json::object();  ///< Docker's HostConfig names (Memory, NanoCpus, …)
  bool cgroupns = true;                 ///< a private cgroup namespace (--cgroupns private)
  /// --systemd on cgroup v1: the container's cgroup in the name=systemd hierarchy
  /// (runtime/cgroup_systemd.hpp), empty = none.
  std::string systemd_cgroup;
};

Json to_json(const Spec& s);
Result<Spec> spec_from_json(const Json& j);

}  // namespace skiff::oci
