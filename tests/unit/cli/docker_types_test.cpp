#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "cli/docker_types.hpp"
#include "cli/format.hpp"

using namespace skiff;
using namespace skiff::cli;

// inspect -f / version --format / info --format over Docker's Go types: a field Docker has
// prints its type's empty value, a name it does not have is an error.
namespace {

std::string run(const std::string& tmpl, const Json& obj, const Json& type, bool fallback = true) {
  ObjectFormat of;
  of.schema = &type;
  of.raw_fallback = fallback;
  auto r = format_object(tmpl, obj, of);
  if (!r) return "ERR(" + std::to_string(r.error().code == kTemplateFailed ? 1 : 0) + "): " + r.error().msg;
  return *r;
}

Json container() {
  Json c = Json::parse(R"({"Id": "abc", "Args": null, "State": {"Status": "running", "Pid": 42},
    "ExecIDs": null, "GraphDriver": {"Data": null, "Name": "overlay"},
    "Mounts": [{"Type": "bind", "Source": "/a", "Destination": "/b", "Mode": "", "RW": true, "Propagation": "rprivate"}],
    "NetworkSettings": {"Ports": {}, "Networks": {"none": {"Aliases": null, "IPAddress": ""}}}})");
  c["Config"] = docker_config(Json::parse(R"({"Env": ["A=b"], "Cmd": ["sh"]})"));
  return c;
}

std::string must_text(Result<std::string> r) { return r ? *r : "ERR: " + r.error().msg; }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_typed_format)

BOOST_AUTO_TEST_CASE(empty_fields_print_their_go_type) {
  Json c = container();
  const Json& t = container_json_type();
  BOOST_TEST(run("{{.Config.Volumes}}", c, t) == "map[]\n");
  BOOST_TEST(run("{{.Config.Entrypoint}}", c, t) == "[]\n");
  BOOST_TEST(run("{{.Config.Labels}}", c, t) == "map[]\n");
  BOOST_TEST(run("{{.Config.Env}} {{.Config.Cmd}}", c, t) == "[A=b] [sh]\n");
  BOOST_TEST(run("{{.Args}} {{.ExecIDs}} {{.GraphDriver.Data}}", c, t) == "[] [] map[]\n");
  BOOST_TEST(run("{{.State.Health}}", c, t) == "<nil>\n");
  BOOST_TEST(run("{{.SizeRw}}", c, t) == "<nil>\n");
  // omitempty fields Docker leaves out of the JSON: their zero values.
  BOOST_TEST(run("[{{.Config.StopSignal}}] {{.Config.ArgsEscaped}}", c, t) == "[] false\n");
  BOOST_TEST(run("{{range .Mounts}}[{{.Name}}|{{.Driver}}|{{.Source}}]{{end}}", c, t) == "[||/a]\n");
  BOOST_TEST(run("{{range .NetworkSettings.Networks}}{{.Aliases}}{{end}}", c, t) == "[]\n");
  // json of a nil map / slice / pointer is null; len of a nil map 0; index of a nil map "".
  BOOST_TEST(run("{{json .Config.Volumes}} {{json .Args}} {{json .State.Health}}", c, t) == "null null null\n");
  BOOST_TEST(run("{{len .Config.Labels}} [{{index .Config.Labels \"x\"}}]", c, t) == "0 []\n");
  BOOST_TEST(run("{{if .Config.Volumes}}yes{{else}}no{{end}}", c, t) == "no\n");
  // A missing key of a map (not a struct) is <no value>, as in Docker.
  BOOST_TEST(run("{{.Config.Labels.x}} {{.NetworkSettings.Ports.x}}", c, t) == "<no value> <no value>\n");
  // Present values print as before.
  BOOST_TEST(run("{{.State.Status}} {{.State.Pid}} {{.Id}}", c, t) == "running 42 abc\n");
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_errors) {
  Json c = container();
  const Json& t = container_json_type();
  // inspect: the typed run fails, the raw fallback's missingkey=error gives Docker's text.
  BOOST_TEST(run("{{.Foo}}", c, t) ==
             "ERR(1): template parsing error: template: :1:2: executing \"\" at <.Foo>: map has no entry for key \"Foo\"");
  BOOST_TEST(run("{{.Config.Foo}}", c, t) ==
             "ERR(1): template parsing error: template: :1:9: executing \"\" at <.Config.Foo>: map has no entry for key \"Foo\"");
  // Docker's well-known one: no healthcheck, so no Health in the JSON.
  BOOST_TEST(run("{{.State.Health.Status}}", c, t) ==
             "ERR(1): template parsing error: template: :1:8: executing \"\" at <.State.Health.Status>: map has no entry for key "
             "\"Health\"");
  // version / info: no fallback, Go's struct error.
  Json v = Json::parse(R"({"Client": {"Version": "1"}, "Server": {"Version": "1"}})");
  BOOST_TEST(run("{{.Server.Version}}", v, version_type(), false) == "1\n");
  BOOST_TEST(run("{{.Server.KernelVersion}}|{{.Client.BuildTime}}", v, version_type(), false) == "|\n");
  BOOST_TEST(run("{{.Foo}}", v, version_type(), false) ==
             "ERR(1): template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type "
             "system.versionInfo");
  // Parse errors stay usage-like errors (not exit 1).
  BOOST_TEST(run("{{.Foo", c, t).starts_with("ERR(0): template parsing error: template: :1:"));
  // Without a schema, data is plain JSON as before.
  BOOST_TEST(must_text(format_object("{{.Missing}}", c)) == "<no value>\n");
}

BOOST_AUTO_TEST_CASE(docker_config_has_every_key_in_order) {
  Json c = docker_config(Json());
  std::string keys;
  for (auto it = c.begin(); it != c.end(); ++it) keys += it.key() + " ";
  BOOST_TEST(keys ==
             "Hostname Domainname User AttachStdin AttachStdout AttachStderr Tty OpenStdin StdinOnce Env Cmd Image Volumes "
             "WorkingDir Entrypoint OnBuild Labels ");
  BOOST_TEST(c["Env"].is_null());
  BOOST_TEST(c["User"] == "");
  Json d = docker_config(Json::parse(
      R"({"Labels": {"a": "b"}, "User": "nobody", "StopSignal": "", "ExposedPorts": {"80/tcp": {}}, "CreateCommand": ["x"]})"));
  keys.clear();
  for (auto it = d.begin(); it != d.end(); ++it) keys += it.key() + " ";
  BOOST_TEST(keys ==
             "Hostname Domainname User AttachStdin AttachStdout AttachStderr ExposedPorts Tty OpenStdin StdinOnce Env Cmd Image "
             "Volumes WorkingDir Entrypoint OnBuild Labels CreateCommand ");
  BOOST_TEST(d["User"] == "nobody");
}

BOOST_AUTO_TEST_SUITE_END()
