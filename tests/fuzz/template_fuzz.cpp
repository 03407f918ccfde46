// --format templates: parse, then execute against an `inspect`-like object, with caps small
// enough that a hostile template fails fast (the same code paths as the default caps).
#include "fuzz.hpp"
#include "skiff/gotmpl/template.hpp"

using namespace skiff;

static const Json& object() {
  static const Json j = *parse_json(R"({"Id": "8cf21efeca42", "Name": "/web", "RestartCount": 2,
    "State": {"Status": "running", "Running": true, "Pid": 42, "ExitCode": 0},
    "Args": ["-c", "sleep 1"], "Config": {"Env": ["A=1", "B=2"], "Labels": {"a": "b", "c.d": "e"},
    "Cmd": ["sh"], "Entrypoint": null}, "Mounts": [{"Source": "/x", "Destination": "/y", "RW": true}],
    "Size": 1.5e9})");
  return j;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto t = gotmpl::Template::parse(fuzz_text(data, size));
  if (!t) return 0;
  gotmpl::ExecEnv env;
  env.max_output = 1 << 16;
  env.max_steps = 100000;
  std::string out;
  (void)t->execute(out, object(), env);
  if (out.size() > env.max_output) __builtin_trap();
  env.type_name = "types.ContainerJSON";
  env.missing_key_error = true;
  out.clear();
  (void)t->execute(out, object(), env);
  std::map<std::string, std::string> headers{{"ID", "CONTAINER ID"}};
  out.clear();
  (void)t->execute_header(out, headers, env);
  return 0;
}
