// Pods: status and the lifecycle commands over their containers (include/skiff/engine/pod.hpp).
#include <algorithm>
#include <functional>

#include "pod_internal.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/resources.hpp"

namespace skiff::engine {

std::string pod_status(const Pod& p) {
  if (p.containers.empty()) return "Created";
  size_t running = 0, paused = 0, stopped = 0, created = 0, errored = 0;
  for (auto& c : p.containers) {
    if (c.state.paused) ++paused;
    else if (c.state.status == RunState::Running || c.state.status == RunState::Restarting) ++running;
    else if (c.state.status == RunState::Exited) ++stopped;
    else if (c.state.status == RunState::Created) ++created;
    else ++errored;
  }
  size_t n = p.containers.size();
  if (running > 0 && running < n) return "Degraded";
  if (running == n) return "Running";
  if (paused == n) return "Paused";
  if (stopped == n) return "Exited";
  if (stopped > 0) return "Stopped";
  if (errored > 0) return "Error";
  return "Created";
}

std::vector<std::string> pod_start_order(const Pod& p) {
  std::vector<std::string> ids;
  for (auto& c : p.containers) ids.push_back(c.rec.id);  // infra first (list_pods' order)
  return ids;
}

namespace {

// Runs `op` over the pod's containers in `order`, gathering the members' errors.
Status each(Engine& e, const std::string& ref, bool reverse, std::vector<Error>& errors,
            const std::function<Status(const Container&)>& op) {
  auto p = TRY(find_pod(e, ref));
  auto order = p.containers;
  if (reverse) std::reverse(order.begin(), order.end());
  for (auto& c : order)
    if (auto st = op(c); !st) errors.push_back(st.error());
  return ok();
}

}  // namespace

Status start_pod(Engine& e, const std::string& ref, const std::string& log_level, std::vector<Error>& errors) {
  auto p = TRY(find_pod(e, ref));
  if (p.containers.empty())
    return fail(kNotFound, fmt::format("no containers in pod {} have no dependencies, cannot start pod: no such container",
                                       p.rec.id));
  return each(e, ref, false, errors, [&](const Container& c) -> Status {
    if (c.state.status == RunState::Running) return ok();
    return start_container(e, c.rec.id, log_level);
  });
}

Status stop_pod(Engine& e, const std::string& ref, std::optional<int> timeout, std::vector<Error>& errors) {
  return each(e, ref, true, errors, [&](const Container& c) { return stop_container(e, c.rec.id, timeout); });
}

Status kill_pod(Engine& e, const std::string& ref, int signal, std::vector<Error>& errors) {
  auto p = TRY(find_pod(e, ref));
  bool any = std::any_of(p.containers.begin(), p.containers.end(), [](auto& c) { return c.state.pid > 0; });
  if (!any) return fail(kConflict, fmt::format("pod {} has no running containers: cannot kill", p.rec.id));
  return each(e, ref, true, errors, [&](const Container& c) -> Status {
    if (c.state.status != RunState::Running) return ok();
    return kill_container(e, c.rec.id, signal);
  });
}

Status pause_pod(Engine& e, const std::string& ref, bool pause, std::vector<Error>& errors) {
  return each(e, ref, false, errors, [&](const Container& c) -> Status {
    if (c.state.status != RunState::Running || c.state.paused == pause) return ok();
    return pause ? pause_container(e, c.rec.id) : unpause_container(e, c.rec.id);
  });
}

}  // namespace skiff::engine
