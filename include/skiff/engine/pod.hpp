#pragma once
// Pods (Podman's): containers that share namespaces (by default IPC, network and UTS) held by
// an infra container, which runs skiff itself in its pause role (`__pause`, no image: an empty
// root with the skiff binary and its libraries bind-mounted read-only). Published ports,
// --network, --hostname, --add-host and --dns of the pod belong to the infra container.
//
// Records (graph root):
//   pods/<id>/pod.json   the pod (written atomically; a pod exists once it does)
//   pods/<id>/rootfs/    the infra container's (empty) root directory
//   pods.lock            flock held by every pod writer (create, rm, prune, a member's create)
// A member container records its pod in its own record (pod_of/set_pod below: the one place),
// so membership is read from the containers' summaries; the pod record lists none.
// Crash safety: create makes pods/<id>/, then the infra container, then pod.json; a killed
// create leaves a directory without pod.json (and perhaps an infra container of no pod), which
// the next pod writer sweeps. rm removes the members, then the infra, then renames the
// directory to pods/.removing-<id> and deletes it.

#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/json.hpp"

namespace skiff::engine {

struct CreateOptions;

/// The one accessor of a container's pod link (its record's `Skiff.pod`: {"id", "infra"}):
/// the pod's full ID, "" when it is in none.
std::string pod_of(const ContainerRecord& r);
/// True for a pod's infra container.
bool is_pod_infra(const ContainerRecord& r);
/// Records the link (create).
void set_pod(ContainerRecord& r, const std::string& pod_id, bool infra);

struct PodRecord {
  std::string id, name;
  int64_t created = 0;  ///< ns
  std::vector<std::string> create_command;
  std::string exit_policy = "continue";  ///< continue | stop
  std::string hostname;
  Json labels = Json::object();
  bool infra = true;
  std::string infra_id;  ///< the infra container's ID ("" without one)
  std::vector<std::string> share;  ///< namespaces shared: ipc, net, uts (Podman's order in inspect)
  Json infra_config = Json::object();  ///< Podman's InfraConfig (ports, networks, DNS, hosts)
};

/// A pod and its containers (from their summaries), infra first.
struct Pod {
  PodRecord rec;
  std::vector<Container> containers;
};

/// `pod create` flags.
struct PodCreateOptions {
  std::string name, hostname, network, userns, exit_policy = "continue", pod_id_file;
  std::vector<std::string> publish, labels, label_files, add_hosts, dns, dns_search, dns_options;
  std::string share = "ipc,net,uts";
  bool share_given = false;
  bool infra = true, replace = false;
  std::string infra_name;  ///< --infra-name (default "<id12>-infra")
  std::vector<std::string> create_command;
};

Json to_json(const PodRecord& p);
Result<PodRecord> pod_from_json(const Json& j);

/// All pods, newest first, with their containers.
Result<std::vector<Pod>> list_pods(const Engine& e);
/// By full ID, name or unique ID prefix. Errors: kNotFound `no pod with name or ID X found:
/// no such pod` (Podman's words), ambiguous prefix kConflict.
Result<Pod> find_pod(const Engine& e, const std::string& ref);

/// The pod's ID for a name, ID or unique prefix (pod records only: cheap for ps filters).
Result<std::string> resolve_pod_id(const Engine& e, const std::string& ref);
/// The pod's name ("" if it is gone).
std::string pod_name(const Engine& e, const std::string& id);

/// Creates a pod and its infra container (not started).
Result<PodRecord> create_pod(Engine& e, const PodCreateOptions& o);

/// Podman's pod status from its containers: Created, Running, Degraded, Paused, Exited,
/// Stopped, Error.
std::string pod_status(const Pod& p);

/// The pod's containers' IDs in start order (infra first) or stop order (infra last).
std::vector<std::string> pod_start_order(const Pod& p);

/// Starts the pod (infra first). Errors of members are gathered: kPartial after all tried.
Status start_pod(Engine& e, const std::string& ref, const std::string& log_level, std::vector<Error>& errors);
Status stop_pod(Engine& e, const std::string& ref, std::optional<int> timeout, std::vector<Error>& errors);
Status kill_pod(Engine& e, const std::string& ref, int signal, std::vector<Error>& errors);
Status pause_pod(Engine& e, const std::string& ref, bool pause, std::vector<Error>& errors);
/// Removes the pod and its containers (`force`: running ones are stopped first, with
/// `timeout`; else a running member refuses the removal).
Status remove_pod(Engine& e, const std::string& ref, bool force, std::optional<int> timeout);
/// Deletes what killed pod creates and removals left (under the pods lock).
void sweep_pods(Engine& e);

/// create/run hook: `--pod NAME|ID|new:NAME` (CreateOptions::pod) → the container joins the
/// pod: its network mode becomes the infra's namespace (`container:<infra id>`), its hostname
/// the pod's; the pod's ID goes into `pod_id` for set_pod. `new:NAME` creates the pod first
/// (with the container's -p and --network, as Podman moves them). An infra container
/// (CreateOptions::pod_infra) names its pod's ID. Errors: a missing pod, --network or -p with
/// a pod that shares its network.
Status pod_create_hook(Engine& e, CreateOptions& o, std::string& pod_id);

/// start hook (before the container's lock is taken): a pod member's infra is started first.
Status pod_before_start(Engine& e, const ContainerRecord& r, const std::string& log_level);
/// start hook (after the network is prepared): a member joins the infra's IPC and UTS
/// namespaces as the pod shares them.
Status pod_spec_hook(Engine& e, const ContainerRecord& r, oci::Spec& spec);

/// rm hook: an infra container is removed with its pod only (kConflict while the pod exists).
Status pod_before_remove(const Engine& e, const ContainerRecord& r);

/// The pause role of an infra container's process (`skiff __pause`): sleeps until SIGINT,
/// SIGTERM or SIGHUP (its pid 1 then exits 0), reaping children.
int pod_pause_main();

}  // namespace skiff::engine
