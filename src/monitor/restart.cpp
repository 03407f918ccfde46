#include "restart.hpp"

#include <algorithm>

namespace skiff::monitor {

bool should_restart(const std::string& policy, int max, int exit_code, int restarts, bool stopping) {
  if (stopping) return false;
  if (policy == "always" || policy == "unless-stopped") return true;
  if (policy == "on-failure") return exit_code != 0 && (max == 0 || restarts < max);
  return false;
}

int64_t next_restart_delay_ms(int64_t prev_ms, int64_t ran_ns) {
  if (prev_ms <= 0 || ran_ns >= 10'000'000'000LL) return 100;  // the first restart waits 100 ms
  return std::min<int64_t>(prev_ms * 2, 60000);
}

}  // namespace skiff::monitor
