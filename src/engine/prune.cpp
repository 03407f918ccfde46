// container, volume and network prune (see include/skiff/engine/prune.hpp).
#include "skiff/engine/prune.hpp"

#include <fcntl.h>

#include <map>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/netnames.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

bool label_match(const Json& labels, const std::string& want) {
  auto [k, v] = split_once(want, '=');
  return labels.is_object() && labels.contains(k) && (!v || labels[k] == *v);
}

}  // namespace

Result<bool> container_prunable(const Container& c, const std::vector<std::string>& filters, int64_t now) {
  if (c.state.status != RunState::Exited && c.state.status != RunState::Created) return false;
  if (c.state.status == RunState::Created && c.state.monitor_pid > 0) return false;
  bool take = true;
  for (auto& f : filters) {
    auto [k, v] = split_once(f, '=');
    if (k == "label") {
      take &= label_match(c.rec.config.labels, v.value_or(""));
    } else if (k == "until") {
      auto t = parse_time_filter(v.value_or(""), now);
      if (!t) return fail(kInvalid, fmt::format("invalid filter 'until={}'", v.value_or("")));
      take &= c.rec.created < *t;
    } else {
      return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    }
  }
  return take;
}

Result<Pruned> prune_containers(Engine& e, const std::vector<std::string>& filters) {
  Pruned p;
  auto list = TRY(list_containers(e));
  for (auto& c : list) {
    if (!TRY(container_prunable(c, filters, now_ns()))) continue;
    if (remove_container(e, c.rec.id, false, false)) p.removed.push_back(c.rec.id);
  }
  // Also what creates and removals killed half-way left behind (not containers yet/any more).
  sweep_containers(e, true);
  return p;
}

Result<bool> volume_matches(const Engine& e, const Volume& v, const std::vector<std::string>& filters) {
  for (auto& f : filters) {
    auto [k, val] = split_once(f, '=');
    std::string value = val.value_or("");
    if (k == "name") {
      if (v.name.find(value) == std::string::npos) return false;
    } else if (k == "label") {
      if (!label_match(v.labels, value)) return false;
    } else if (k == "driver") {
      if (v.driver != value) return false;
    } else if (k == "dangling") {
      auto b = parse_bool(value);
      if (!b) return fail(kInvalid, fmt::format("invalid filter 'dangling={}'", value));
      if (volume_users(e, v.name).empty() != *b) return false;
    } else {
      return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    }
  }
  return true;
}

Result<Pruned> prune_volumes(Engine& e, bool all, const std::vector<std::string>& filters) {
  Pruned p;
  auto vols = TRY(list_volumes(e));
  for (auto& v : vols) {
    if (!all && !v.anonymous) continue;
    if (!volume_users(e, v.name).empty()) continue;
    if (!TRY(volume_matches(e, v, filters))) continue;
    uint64_t size = tree_size_at(AT_FDCWD, v.mountpoint).value_or(0);
    if (remove_volume(e, v.name, false)) {
      p.removed.push_back(v.name);
      p.reclaimed += size;
    }
  }
  return p;
}

Result<bool> network_matches(const Engine& e, const network::Network& n, const std::vector<std::string>& filters) {
  // Docker: values of one key are ORed, keys are ANDed.
  std::map<std::string, std::vector<std::string>> by_key;
  for (auto& f : filters) {
    auto [k, v] = split_once(f, '=');
    by_key[k].push_back(v.value_or(""));
  }
  for (auto& [k, values] : by_key) {
    bool any = false;
    for (auto& v : values) {
      if (k == "name") any |= n.name.find(v) != std::string::npos;
      else if (k == "id") any |= n.id.starts_with(v);
      else if (k == "driver") any |= n.driver == v;
      else if (k == "scope") any |= v == "local";
      else if (k == "type") {
        if (v != "custom" && v != "builtin") return fail(kInvalid, fmt::format("invalid filter: 'type'='{}'", v));
        any |= (v == "builtin") == n.predefined;
      } else if (k == "label") {
        auto [lk, lv] = split_once(v, '=');
        any |= n.labels.contains(lk) && (!lv || n.labels[lk] == *lv);
      } else if (k == "dangling") {
        auto b = parse_bool(v);
        if (!b) return fail(kInvalid, fmt::format("invalid filter 'dangling={}'", v));
        any |= !n.predefined && network_members(e, n.name).empty() == *b;
      } else if (k == "until") {
        auto t = parse_rfc3339(v);
        if (!t) {
          if (auto secs = parse_int(v)) t = *secs * 1000000000LL;
        }
        if (!t) return fail(kInvalid, fmt::format("invalid filter 'until={}': want a timestamp", v));
        any |= !n.predefined && n.created < *t;
      } else {
        return fail(kInvalid, fmt::format("invalid filter '{}'", k));
      }
    }
    if (!any) return false;
  }
  return true;
}

Result<Pruned> prune_networks(Engine& e, const std::vector<std::string>& filters) {
  Pruned p;
  auto nets = TRY(net_store(e).list());
  for (auto& n : nets) {
    if (n.predefined || !network_members(e, n.name).empty()) continue;
    if (!TRY(network_matches(e, n, filters))) continue;
    if (remove_network(e, n.name, false)) p.removed.push_back(n.name);
  }
  return p;
}

}  // namespace skiff::engine
