// exec: a process in a running container under its own small monitor.
#include <unistd.h>

#include "env.hpp"
#include "mounts.hpp"
#include "skiff/monitor/state_records.hpp"
#include "skiff/runtime/defaults.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

Result<ExecStarting> begin_exec(Engine& e, const std::string& ref, const ExecOptions& o, const std::string& log_level) {
  if (o.command.empty()) return fail(kInvalid, "no command specified");
  auto c = TRY(find_container(e, ref));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("container {} is not running (state: {})", c.rec.id, status_name(c.state.status)));
  if (c.state.paused)
    return fail(kConflict, fmt::format("Container {} is paused, unpause the container before exec", c.rec.id));
  auto mon = TRY(monitor::read_monitor_record(e.run_dir(c.rec.id)));
  auto spec = TRY(build_spec(e, c.rec));
  oci::Process& p = spec.process;
  p.args = o.command;
  // Docker's env rules for exec: the container's environment, then --env-file, then -e.
  for (auto& f : o.env_files) TRY(add_env_file(p.env, f));
  for (auto& kv : o.env) TRY(add_env(p.env, kv, "-e"));
  if (!o.user.empty()) p.user = o.user;
  if (!o.workdir.empty()) p.cwd = o.workdir;
  p.terminal = o.tty;
  p.stdin_open = o.interactive;
  p.init = false;
  if (o.privileged) spec.privileged = true;

  ExecStarting s;
  s.session = random_hex(4);
  s.run_dir = e.run_dir(c.rec.id) + "/e-" + s.session;
  if (mkdir(s.run_dir.c_str(), 0700) < 0) return fail_errno(fmt::format("mkdir `{}`", s.run_dir));
  monitor::Config mc;
  mc.id = c.rec.id;
  mc.run_dir = s.run_dir;
  mc.state_dir = s.run_dir;
  mc.log_driver = "none";  // exec output is not part of the container's log (Docker)
  mc.log_path = s.run_dir + "/log";
  mc.log_level = log_level.empty() ? "warn" : log_level;
  mc.exec_pid = c.state.pid;
  mc.exec_pid_start = mon.pid_start;
  mc.spec = std::move(spec);
  s.launch = TRY(monitor::launch(mc));
  return s;
}

}  // namespace skiff::engine
