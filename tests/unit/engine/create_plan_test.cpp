#define BOOST_TEST_DYN_LINK
// create's plan (src/engine/create_plan.cpp): Docker's entrypoint/cmd merge, the environment's
// order, user, working directory, hostname, labels, mounts (the image's VOLUMEs), ports,
// restart policy, logging, tmpfs and sysctls, and the errors that refuse a create before
// anything is written.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <unistd.h>

#include "engine/create_plan.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::engine;

namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Json image() {
  auto j = parse_json(R"({"Entrypoint":["/entry"],"Cmd":["img-cmd","arg"],"Env":["PATH=/bin","A=image"],)"
                      R"("User":"daemon","WorkingDir":"/srv","Labels":{"a":"image","b":"image"},)"
                      R"("Volumes":{"/data":{},"/cache":{}},"ExposedPorts":{"53/udp":{}},"StopSignal":"SIGINT"})");
  BOOST_REQUIRE(j);
  return *j;
}

CreatePlan plan(const CreateOptions& o, const Json& ic = image(), const ContainersConf& cc = {}) {
  auto p = plan_container(kId, o, cc, ic);
  BOOST_REQUIRE_MESSAGE(bool(p), (p ? std::string() : p.error().msg));
  return *p;
}

std::string error_of(const CreateOptions& o, const Json& ic = image()) {
  auto p = plan_container(kId, o, ContainersConf{}, ic);
  BOOST_REQUIRE(!p);
  return p.error().msg;
}

using Strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_create_plan)

BOOST_AUTO_TEST_CASE(image_entrypoint_and_cmd) {
  CreatePlan p = plan({});
  BOOST_TEST(p.path == "/entry");
  BOOST_TEST((p.args == Strings{"img-cmd", "arg"}));
  BOOST_TEST((p.config.entrypoint == Strings{"/entry"}));
  BOOST_TEST((p.config.cmd == Strings{"img-cmd", "arg"}));
}

BOOST_AUTO_TEST_CASE(command_replaces_cmd_only) {
  CreateOptions o;
  o.command = {"ls", "-l"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.path == "/entry");
  BOOST_TEST((p.args == Strings{"ls", "-l"}));
}

BOOST_AUTO_TEST_CASE(entrypoint_flag_clears_image_cmd) {
  CreateOptions o;
  o.entrypoint = "/bin/sh";
  CreatePlan p = plan(o);
  BOOST_TEST(p.path == "/bin/sh");
  BOOST_TEST(p.args.empty());
  BOOST_TEST(p.config.cmd.empty());
  o.command = {"-c", "true"};
  p = plan(o);
  BOOST_TEST((p.args == Strings{"-c", "true"}));
}

BOOST_AUTO_TEST_CASE(empty_entrypoint_flag_runs_the_command) {
  CreateOptions o;
  o.entrypoint = "";
  o.command = {"echo", "hi"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.path == "echo");
  BOOST_TEST(p.config.entrypoint.empty());
  o.command.clear();
  BOOST_TEST(error_of(o) == "no command specified");
}

BOOST_AUTO_TEST_CASE(no_command_at_all) { BOOST_TEST(error_of({}, Json::object()) == "no command specified"); }

BOOST_AUTO_TEST_CASE(environment_order) {
  // containers.conf < image < --env-file < -e; a bare NAME copies the caller's value, or is
  // left out when the caller has none.
  char path[] = "/tmp/skiff-plan-env-XXXXXX";
  int fd = mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  std::string text = "# comment\n  B=file\nA=file\n";
  BOOST_REQUIRE(write(fd, text.data(), text.size()) == ssize_t(text.size()));
  close(fd);
  setenv("SKIFF_PLAN_TEST_HOST", "from-host", 1);
  unsetenv("SKIFF_PLAN_TEST_UNSET");
  ContainersConf cc;
  cc.env = {"CONF=1", "A=conf"};
  CreateOptions o;
  o.command = {"x"};
  o.env_files = {path};
  o.env = {"B=flag", "SKIFF_PLAN_TEST_HOST", "SKIFF_PLAN_TEST_UNSET"};
  CreatePlan p = plan(o, image(), cc);
  unlink(path);
  BOOST_TEST((p.config.env == Strings{"CONF=1", "A=file", "PATH=/bin", "B=flag", "SKIFF_PLAN_TEST_HOST=from-host"}));
}

BOOST_AUTO_TEST_CASE(bad_environment_entries) {
  CreateOptions o;
  o.command = {"x"};
  o.env = {"=v"};
  BOOST_TEST(error_of(o) == "invalid environment variable: =v");
  o.env = {"A B=1"};
  BOOST_TEST(error_of(o).find("contains whitespaces") != std::string::npos);
  o.env.clear();
  o.env_files = {"/nonexistent/skiff-env"};
  BOOST_TEST(error_of(o).find("open env file `/nonexistent/skiff-env`") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(user_workdir_hostname_from_image_or_flags) {
  CreatePlan p = plan({});
  BOOST_TEST(p.config.user == "daemon");
  BOOST_TEST(p.config.working_dir == "/srv");
  BOOST_TEST(p.config.hostname == kId.substr(0, 12));
  BOOST_TEST(p.config.stop_signal == "SIGINT");
  CreateOptions o;
  o.user = "1000:1000";
  o.workdir = "/tmp";
  o.hostname = "box";
  o.stop_signal = "SIGUSR1";
  p = plan(o);
  BOOST_TEST(p.config.user == "1000:1000");
  BOOST_TEST(p.config.working_dir == "/tmp");
  BOOST_TEST(p.config.hostname == "box");
  BOOST_TEST(p.config.stop_signal == "SIGUSR1");
  o.workdir = "rel";
  BOOST_TEST(error_of(o) == "the working directory 'rel' is invalid, it needs to be an absolute path");
  o.workdir.clear();
  o.stop_signal = "SIGNOPE";
  BOOST_TEST(error_of(o) == "invalid signal: SIGNOPE");
}

BOOST_AUTO_TEST_CASE(labels_flags_over_image) {
  CreateOptions o;
  o.labels = {"b=flag", "c"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.config.label("a") == "image");
  BOOST_TEST(p.config.label("b") == "flag");
  BOOST_TEST(p.config.labels.contains("c"));
  BOOST_TEST(p.config.label("c").empty());
}

BOOST_AUTO_TEST_CASE(image_volumes_not_covered_get_anonymous_volumes) {
  CreateOptions o;
  o.volumes = {"named:/data"};
  CreatePlan p = plan(o);
  BOOST_REQUIRE(p.mounts.size() == 2u);
  BOOST_TEST(p.mounts[0].destination == "/data");
  BOOST_TEST(p.mounts[0].name == "named");
  BOOST_TEST(!p.mounts[0].anonymous);
  BOOST_TEST(p.mounts[1].destination == "/cache");
  BOOST_TEST(p.mounts[1].anonymous);
  BOOST_TEST(p.mounts[1].type == "volume");
  BOOST_TEST(p.mounts[1].name.size() == 64u);
  BOOST_TEST(p.config.volumes.contains("/cache"));
}

BOOST_AUTO_TEST_CASE(ports_exposed_and_published) {
  CreateOptions o;
  o.publish = {"127.0.0.1:8080:80"};
  o.expose = {"9090"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.config.exposed_ports.contains("80/tcp"));
  BOOST_TEST(p.config.exposed_ports.contains("9090/tcp"));
  BOOST_TEST(p.config.exposed_ports.contains("53/udp"));  // the image's
  BOOST_TEST(p.port_bindings["80/tcp"][0]["HostPort"] == "8080");
  BOOST_TEST(plan({}, Json::object({{"Cmd", {"x"}}})).config.exposed_ports.is_null());
}

BOOST_AUTO_TEST_CASE(restart_policies) {
  CreateOptions o;
  o.restart = "on-failure:3";
  CreatePlan p = plan(o);
  BOOST_TEST(p.restart == "on-failure");
  BOOST_TEST(p.restart_max == 3);
  o.restart = "always:2";
  BOOST_TEST(error_of(o) == "maximum retry count cannot be used with restart policy 'always'");
  o.restart = "sometimes";
  BOOST_TEST(error_of(o) == "invalid restart policy 'sometimes'");
  o.restart = "always";
  o.auto_remove = true;
  BOOST_TEST(error_of(o) == "conflicting options: --restart and --rm");
}

BOOST_AUTO_TEST_CASE(logging) {
  CreatePlan p = plan({});
  BOOST_TEST(p.log_driver == "json-file");
  CreateOptions o;
  o.log_opts = {"max-size=1m", "tag=x"};
  p = plan(o);
  BOOST_TEST(p.log_opts["max-size"] == "1m");
  o.log_opts = {"colour=blue"};
  BOOST_TEST(error_of(o) == "unknown log opt 'colour' for json-file log driver");
  o.log_opts = {"max-size"};
  BOOST_TEST(error_of(o) == "invalid log option \"max-size\": want KEY=VALUE");
  o.log_opts.clear();
  o.log_driver = "syslog";
  BOOST_TEST(error_of(o).find("unsupported log driver \"syslog\"") == 0u);
}

BOOST_AUTO_TEST_CASE(tmpfs_and_sysctls) {
  CreateOptions o;
  o.tmpfs = {"/run:size=1m", "/scratch"};
  o.sysctls = {"net.ipv4.ip_forward=1"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.tmpfs["/run"] == "size=1m");
  BOOST_TEST(p.tmpfs["/scratch"] == "");
  BOOST_TEST(p.sysctls["net.ipv4.ip_forward"] == "1");
  o.sysctls = {"kernel.x"};
  BOOST_TEST(error_of(o) == "invalid sysctl \"kernel.x\": want KEY=VALUE");
}

BOOST_AUTO_TEST_CASE(interactive_and_tty) {
  CreateOptions o;
  o.interactive = true;
  o.tty = true;
  o.stop_timeout = 3;
  o.create_command = {"skiff", "create", "x"};
  CreatePlan p = plan(o);
  BOOST_TEST(p.config.attach_stdin);
  BOOST_TEST(p.config.open_stdin);
  BOOST_TEST(p.config.stdin_once);
  BOOST_TEST(p.config.tty);
  BOOST_TEST(p.config.stop_timeout_or_default() == 3);
  BOOST_TEST(p.config.create_command.size() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_name_refused) {
  CreateOptions o;
  o.name = "bad name";
  BOOST_TEST(error_of(o).find("bad name") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
