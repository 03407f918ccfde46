#pragma once
// Handlers referenced by the command table (one cmd_*.cpp file per command group).

#include <map>
#include <memory>
#include <optional>

#include "command.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/engine/fsops.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/registry/client.hpp"

namespace skiff::cli {

/// Opens the engine for this invocation's paths (`write`: create the store skeleton).
Result<std::unique_ptr<engine::Engine>> open_engine(Context& ctx, bool write);
/// The dispatcher's step before a handler: opens what ctx.cmd->open names into ctx.engine.
Status open_for_command(Context& ctx);

/// Resolves the image for create/run, pulling it per `pull_policy` (always, missing, never,
/// newer); prints pull progress. (cmd_image.cpp)
Result<engine::ImageDefaults> resolve_run_image(Context& ctx, engine::Engine& e, const std::string& ref,
                                                const std::string& pull_policy, const ParsedArgs& a);

/// The registry options every command that talks to a registry takes (--tls-verify, --creds,
/// --authfile, --cert-dir); a malformed --creds is an error. (cmd_registry.cpp)
Result<registry::ClientOptions> registry_client_options(const ParsedArgs& a);

/// What a prune removed: the lines it prints under "Deleted …:" and the bytes freed
/// (`system prune` prints several of them as one report).
struct PruneReport {
  std::vector<std::string> lines;
  uint64_t reclaimed = 0;
};
/// The work of `image prune` (no prompt, no output; container and volume prunes are the
/// engine's, skiff/engine/prune.hpp).
Result<PruneReport> prune_images(engine::Engine& e, bool all, const std::vector<std::string>& filters);

// cmd_service.cpp: the service flags of create/run; --cidfile/--ignore targets (the
// positionals, then each file's ID; with --ignore, missing files and containers dropped).
engine::ServiceOptions service_options(const ParsedArgs& a);
/// nullopt: everything named was missing and --ignore was given (nothing to do, exit 0).
Result<std::optional<ParsedArgs>> service_targets(engine::Engine& e, const Context& ctx, const ParsedArgs& a);
/// A container's restart policy as `--filter restart-policy=` matches it ("no" when none).
std::string restart_policy_name(const engine::ContainerRecord& r);
/// ps STATUS's health part of a running container: " (healthy)", " (health: starting)" or "".
std::string health_suffix(const engine::Engine& e, const engine::Container& c);
Result<int> cmd_healthcheck_run(Context&, const ParsedArgs&);
/// The command line as typed (after the program name), recorded by main for
/// Config.CreateCommand (`generate systemd --new` rebuilds the run from it).
void set_command_line(const std::vector<std::string>& args);
const std::vector<std::string>& command_line();
// cmd_quadlet.cpp
Result<int> cmd_systemd_generator(Context&, const ParsedArgs&);
// cmd_autoupdate.cpp
Result<int> cmd_auto_update(Context&, const ParsedArgs&);
// cmd_generate.cpp
Result<int> cmd_generate_systemd(Context&, const ParsedArgs&);
// cmd_container.cpp
Result<int> cmd_create(Context&, const ParsedArgs&);
Result<int> cmd_run(Context&, const ParsedArgs&);
Result<int> cmd_start(Context&, const ParsedArgs&);
Result<int> cmd_attach(Context&, const ParsedArgs&);
Result<int> cmd_exec(Context&, const ParsedArgs&);
// cmd_ps.cpp
Result<int> cmd_ps(Context&, const ParsedArgs&);
// cmd_port.cpp
Result<int> cmd_port(Context&, const ParsedArgs&);
// cmd_container_ops.cpp
Result<int> cmd_stop(Context&, const ParsedArgs&);
Result<int> cmd_kill(Context&, const ParsedArgs&);
Result<int> cmd_restart(Context&, const ParsedArgs&);
Result<int> cmd_rm(Context&, const ParsedArgs&);
Result<int> cmd_container_prune(Context&, const ParsedArgs&);
Result<int> cmd_rename(Context&, const ParsedArgs&);
Result<int> cmd_wait(Context&, const ParsedArgs&);
Result<int> cmd_logs(Context&, const ParsedArgs&);
Result<int> cmd_container_inspect(Context&, const ParsedArgs&);
Result<int> cmd_top(Context&, const ParsedArgs&);
// cmd_limits.cpp, cmd_events.cpp
Result<int> cmd_pause(Context&, const ParsedArgs&);
Result<int> cmd_unpause(Context&, const ParsedArgs&);
Result<int> cmd_update(Context&, const ParsedArgs&);
Result<int> cmd_stats(Context&, const ParsedArgs&);
Result<int> cmd_events(Context&, const ParsedArgs&);
/// info: the cgroup fields (Docker's CgroupDriver/CgroupVersion/limit support, Host.Cgroups).
void add_cgroup_info(engine::Engine& e, Json& info);
/// An image event (pull, tag, untag, delete) or a container's commit, into the event log.
void log_event(engine::Engine& e, const std::string& type, const std::string& action, const std::string& id,
               const std::vector<std::pair<std::string, std::string>>& attrs);
std::string cgroup_info_text(const Json& info);
// cmd_image.cpp, cmd_images.cpp
Result<int> cmd_pull(Context&, const ParsedArgs&);
// cmd_registry.cpp
Result<int> cmd_push(Context&, const ParsedArgs&);
Result<int> cmd_login(Context&, const ParsedArgs&);
Result<int> cmd_logout(Context&, const ParsedArgs&);
Result<int> cmd_search(Context&, const ParsedArgs&);
Result<int> cmd_images(Context&, const ParsedArgs&);
Result<int> cmd_rmi(Context&, const ParsedArgs&);
Result<int> cmd_tag(Context&, const ParsedArgs&);
Result<int> cmd_image_inspect(Context&, const ParsedArgs&);
Result<int> cmd_inspect(Context&, const ParsedArgs&);
Result<int> cmd_history(Context&, const ParsedArgs&);
Result<int> cmd_image_prune(Context&, const ParsedArgs&);
// cmd_build.cpp
Result<int> cmd_build(Context&, const ParsedArgs&);
Result<int> cmd_builder_prune(Context&, const ParsedArgs&);
// cmd_archive.cpp
Result<int> cmd_save(Context&, const ParsedArgs&);
Result<int> cmd_load(Context&, const ParsedArgs&);
// cmd_manifest.cpp
Result<int> cmd_manifest_create(Context&, const ParsedArgs&);
Result<int> cmd_manifest_add(Context&, const ParsedArgs&);
Result<int> cmd_manifest_annotate(Context&, const ParsedArgs&);
Result<int> cmd_manifest_remove(Context&, const ParsedArgs&);
Result<int> cmd_manifest_inspect(Context&, const ParsedArgs&);
Result<int> cmd_manifest_push(Context&, const ParsedArgs&);
Result<int> cmd_manifest_rm(Context&, const ParsedArgs&);
Result<int> cmd_manifest_exists(Context&, const ParsedArgs&);
Result<int> cmd_system_df(Context&, const ParsedArgs&);
Result<int> cmd_system_check(Context&, const ParsedArgs&);
Result<int> cmd_system_migrate(Context&, const ParsedArgs&);
Result<int> cmd_system_reset(Context&, const ParsedArgs&);
// cmd_network.cpp
Result<int> cmd_network_create(Context&, const ParsedArgs&);
Result<int> cmd_network_ls(Context&, const ParsedArgs&);
Result<int> cmd_network_inspect(Context&, const ParsedArgs&);
Result<int> cmd_network_rm(Context&, const ParsedArgs&);
Result<int> cmd_network_prune(Context&, const ParsedArgs&);
Result<int> cmd_network_connect(Context&, const ParsedArgs&);
Result<int> cmd_network_disconnect(Context&, const ParsedArgs&);
Result<int> cmd_network_exists(Context&, const ParsedArgs&);
Result<int> cmd_network_reload(Context&, const ParsedArgs&);
Result<int> cmd_pod_create(Context&, const ParsedArgs&);
Result<int> cmd_pod_exists(Context&, const ParsedArgs&);
Result<int> cmd_pod_inspect(Context&, const ParsedArgs&);
Result<int> cmd_pod_kill(Context&, const ParsedArgs&);
Result<int> cmd_pod_logs(Context&, const ParsedArgs&);
Result<int> cmd_pod_pause(Context&, const ParsedArgs&);
Result<int> cmd_pod_prune(Context&, const ParsedArgs&);
Result<int> cmd_pod_ps(Context&, const ParsedArgs&);
Result<int> cmd_pod_restart(Context&, const ParsedArgs&);
Result<int> cmd_pod_rm(Context&, const ParsedArgs&);
Result<int> cmd_pod_start(Context&, const ParsedArgs&);
Result<int> cmd_pod_stats(Context&, const ParsedArgs&);
Result<int> cmd_pod_stop(Context&, const ParsedArgs&);
Result<int> cmd_pod_top(Context&, const ParsedArgs&);
Result<int> cmd_pod_unpause(Context&, const ParsedArgs&);

// cmd_volume.cpp
Result<int> cmd_volume_create(Context&, const ParsedArgs&);
Result<int> cmd_volume_ls(Context&, const ParsedArgs&);
Result<int> cmd_volume_inspect(Context&, const ParsedArgs&);
Result<int> cmd_volume_rm(Context&, const ParsedArgs&);
Result<int> cmd_volume_prune(Context&, const ParsedArgs&);

// cmd_fsops.cpp
Result<int> cmd_commit(Context&, const ParsedArgs&);
Result<int> cmd_cp(Context&, const ParsedArgs&);
Result<int> cmd_diff(Context&, const ParsedArgs&);
Result<int> cmd_export(Context&, const ParsedArgs&);
Result<int> cmd_import(Context&, const ParsedArgs&);
Result<int> cmd_system_prune(Context&, const ParsedArgs&);

// cmd_system.cpp
Result<int> cmd_version(Context&, const ParsedArgs&);
Result<int> cmd_info(Context&, const ParsedArgs&);
Result<int> cmd_help(Context&, const ParsedArgs&);

// cmd_mount.cpp
Result<int> cmd_mount(Context&, const ParsedArgs&);
Result<int> cmd_umount(Context&, const ParsedArgs&);

// cmd_completion.cpp
Result<int> cmd_completion(Context&, const ParsedArgs&);
Result<int> cmd_complete(Context&, const ParsedArgs&);

// cmd_podman.cpp: Podman's selections and commands.
/// Which containers --all means for a verb.
enum class TargetScope { All, Running, Stopped };
/// The containers a verb acts on: the positionals, or --all (in `scope`), --latest (the newest
/// container) or --filter (ps's filters; they narrow the positionals when both are given).
/// Neither: the usage error "requires at least 1 argument".
Result<std::vector<std::string>> target_containers(engine::Engine& e, const ParsedArgs& a, const Context& ctx,
                                                   TargetScope scope);
/// The containers that pass ps-style filters (cmd_ps.cpp), newest first.
Result<std::vector<engine::Container>> filter_containers(const engine::Engine& e, const std::vector<std::string>& filters);
/// The containers of `refs` with, before each, those that --requires it (rm --depend).
Result<std::vector<std::string>> with_dependents(engine::Engine& e, const std::vector<std::string>& refs);
/// wait --condition/--interval (Podman); nullopt when neither is given (Docker's wait).
struct WaitConditions {
  std::vector<std::string> states;
  int64_t interval_ns = 250000000;
};
Result<std::optional<WaitConditions>> wait_conditions(const ParsedArgs& a);
/// Polls until the container reaches one of the states: its exit code for stopped/exited, -1 otherwise.
Result<int> wait_for_conditions(engine::Engine& e, const std::string& ref, const WaitConditions& w);
/// Starts the containers `r` --requires (and theirs) that are not running, as Podman does.
Status start_requirements(engine::Engine& e, const engine::ContainerRecord& r, const std::string& log_level);
/// start_container after start_requirements.
Status start_with_requirements(engine::Engine& e, const std::string& ref, const std::string& log_level);
/// --attach/-a's streams (stdin, stdout, stderr; lowercase, once each); empty: all (cmd_podman.cpp).
Result<std::vector<std::string>> attach_streams(const ParsedArgs& a);
/// Podman's create/run flags into `p` (cmd_podman.cpp).
void podman_create_options(const ParsedArgs& a, engine::CreateOptions& o);
/// The podman personality's ps and images (podman_format.cpp); nullopt: the Docker code path
/// prints it (custom templates, image filters).
std::optional<Result<int>> podman_ps(Context& ctx, const ParsedArgs& a);
std::optional<Result<int>> podman_images(Context& ctx, const ParsedArgs& a);
/// cp CONTAINER:FILE /dev/stdout: true for a device, pipe or socket destination, to which the
/// file's bytes are written (copy_file_to_stream).
bool is_stream_destination(const std::string& dst);
Status copy_file_to_stream(engine::Engine& e, const std::string& ctr, const std::string& src, const std::string& dst,
                           const engine::CpOptions& o);
Result<int> cmd_unshare(Context&, const ParsedArgs&);
Result<int> cmd_container_exists(Context&, const ParsedArgs&);
Result<int> cmd_image_exists(Context&, const ParsedArgs&);
Result<int> cmd_volume_exists(Context&, const ParsedArgs&);
Result<int> cmd_untag(Context&, const ParsedArgs&);
Result<int> cmd_image_tree(Context&, const ParsedArgs&);

// cmd_docgen.cpp
Result<int> cmd_docgen(Context&, const ParsedArgs&);
/// The man pages' files (name → content): markdown `*.1.md` pages, one per command, alias
/// and group, with the fragments of `prose_dir` (may be "") merged in.
Result<std::map<std::string, std::string>> man_pages(const Table& t, const std::string& prose_dir);

}  // namespace skiff::cli
