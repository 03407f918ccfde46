// `skiff build` (also `image build`, `buildx build`) and `builder prune`: the Dockerfile
// executor. Each instruction runs on the image of the step before: RUN in a container started
// through the same path as `skiff run` (its layer committed, the container removed), COPY/ADD
// as a layer made without a container (engine/build_steps.hpp), the rest as metadata. Every
// step is an image whose parent is the step before (hidden from `images` unless -a, as Docker's
// classic builder), found again through the build cache index on the next build.
//
// The parser, variable expansion, .dockerignore and the context are module build
// (include/skiff/build/); this file only executes and prints (Docker's classic builder lines).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <set>

#include "attach.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/build/context.hpp"
#include "skiff/build/dockerfile.hpp"
#include "skiff/engine/build_steps.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/oci/image.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/http.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates = nullptr);
Result<engine::ImageDefaults> image_defaults(engine::Engine& e, storage::Store& store, const storage::ImageRecord& rec,
                                             const std::string& name);
std::string familiar_name(std::string_view ref);

namespace {

// A RUN that exited non-zero: Docker prints the message alone and exits 1.
constexpr int kBuildStepFailed = kErrFirst + 900;

// Set by SIGINT/SIGTERM (and the attach proxy): the RUN in progress is killed and removed, and
// no further step starts.
std::atomic<bool> g_interrupted{false};

using build::Instruction;
using build::Vars;

// Docker's predefined args: usable without an ARG line (proxies), never in history unless
// declared.
const char* const kProxyArgs[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                  "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

std::string short_id(const std::string& id) {
  std::string h = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return h.substr(0, 12);
}

std::vector<std::string> strings_of(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

Json json_strings(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (auto& s : v) a.push_back(s);
  return a;
}

// Go's %q-free JSON of a string list, as Docker prints exec forms in history: ["sh" "-c"]
// is written by Docker as ["sh","-c"] (json.Marshal).
std::string json_list_text(const std::vector<std::string>& v) { return skiff::to_json(json_strings(v)); }

struct Platform {
  std::string os = "linux", arch, variant;
  std::string str() const { return os + "/" + arch + (variant.empty() ? "" : "/" + variant); }
};

// What the executor carries through one stage.
struct StageState {
  std::string image;  ///< current image ID ("" for scratch before any step)
  Json cfg;           ///< the whole image config
  Vars args;          ///< ARGs declared in this stage (with values) — the build args in effect
  std::vector<std::string> arg_order;
  std::vector<std::string> shell{"/bin/sh", "-c"};
  int64_t clamp = 0;  ///< layer mtime clamp
  bool cache_ok = true;
  bool cmd_set = false;  ///< CMD given in this stage (ENTRYPOINT then keeps it)
};

struct Options {
  std::vector<std::string> tags;
  std::map<std::string, std::string> build_args;
  std::set<std::string> used_build_args;
  std::string target, network;
  bool no_cache = false, pull = false, quiet = false, squash = false;
  std::vector<std::string> labels;
  std::string iidfile;
  std::optional<int64_t> epoch;
  std::map<std::string, std::string> secrets;  ///< id → host file
  Platform platform;
};

class Executor {
 public:
  Executor(Context& ctx, const ParsedArgs& a, engine::Engine& e, storage::Store& store, build::BuildContext& bctx,
           build::Dockerfile& df, Options o)
      : ctx_(ctx), a_(a), e_(e), store_(store), bctx_(bctx), df_(df), o_(std::move(o)) {}

  Result<std::string> run();

 private:
  void say(const std::string& s) {
    if (o_.quiet) return;
    outf("{}", s);
    flush_out();  // a long COPY or pull shows its step line while it works
  }
  int64_t step_time() const { return o_.epoch ? *o_.epoch * 1000000000LL : now_ns(); }
  std::string created_text() const { return format_rfc3339nano(step_time()); }

  Result<std::vector<int>> needed_stages(int target);
  int stage_ref(const std::string& name, int before) const;
  Result<Status> run_stage(int idx);
  Status step(StageState& st, const Instruction& ins, int stage_idx, bool trigger);
  Status do_from(StageState& st, const build::Stage& s, int idx);
  Status commit_meta(StageState& st, const std::string& created_by, const std::string& key);
  Status do_run(StageState& st, const Instruction& ins, const std::string& key, int stage_idx);
  Status do_copy(StageState& st, const Instruction& ins, const std::string& key, int stage_idx);
  Result<std::string> source_image(const std::string& from, int stage_idx);
  Vars vars_for(const StageState& st) const;
  std::string run_prefix(const StageState& st) const;
  Result<std::string> cache_key(const StageState& st, const std::string& text, const std::string& extra);
  bool try_cache(StageState& st, const std::string& key);
  Status finish_step(StageState& st, const std::string& image, const std::string& key);

  Context& ctx_;
  const ParsedArgs& a_;
  engine::Engine& e_;
  storage::Store& store_;
  build::BuildContext& bctx_;
  build::Dockerfile& df_;
  Options o_;
  Vars meta_args_;
  std::map<int, std::string> stage_images_;
  std::map<int, std::string> stage_bases_;  ///< the image each stage started from ("" scratch)
  std::map<int, int64_t> stage_clamps_;
  int step_no_ = 0, step_total_ = 0;
};

std::optional<uint64_t> parse_octal(const std::string& s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    v = v * 8 + uint64_t(c - '0');
  }
  return v;
}

std::string upper_of(std::string s) {
  for (auto& c : s) c = char(toupper(uint8_t(c)));
  return s;
}

Json& config_of(Json& cfg) {
  if (!cfg["config"].is_object()) cfg["config"] = Json::object();
  return cfg["config"];
}

// Go marshals maps with sorted keys: Docker's configs list ports, volumes and labels so.
Json sorted_keys(const Json& obj) {
  if (!obj.is_object()) return obj;
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  Json out = Json::object();
  for (auto& k : keys) out[k] = obj.at(k);
  return out;
}

void sort_maps(Json& cfg) {
  Json& c = cfg["config"];
  if (!c.is_object()) return;
  for (const char* k : {"ExposedPorts", "Volumes", "Labels"})
    if (c.contains(k)) c[k] = sorted_keys(c[k]);
}

std::string env_get(const Json& cfg, const std::string& key) {
  for (auto& kv : strings_of(json_get(json_get(cfg, "config"), "Env"))) {
    auto eq = kv.find('=');
    if (kv.substr(0, eq) == key) return eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return "";
}

void env_set(Json& cfg, const std::string& key, const std::string& value) {
  Json& c = config_of(cfg);
  auto env = strings_of(json_get(c, "Env"));
  bool found = false;
  for (auto& kv : env)
    if (kv.substr(0, kv.find('=')) == key) {
      kv = key + "=" + value;
      found = true;
    }
  if (!found) env.push_back(key + "=" + value);
  c["Env"] = json_strings(env);
}

Vars Executor::vars_for(const StageState& st) const {
  Vars v = st.args;
  for (auto& kv : strings_of(json_get(json_get(st.cfg, "config"), "Env"))) {
    auto eq = kv.find('=');
    v[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return v;
}

// "|2 A=1 B=2 " before a RUN's command in history, for the build args in effect (Docker: the
// declared ARGs that have a value, sorted).
std::string Executor::run_prefix(const StageState& st) const {
  std::vector<std::string> kv;
  for (auto& [k, v] : st.args) {
    if (!env_get(st.cfg, k).empty()) continue;
    kv.push_back(k + "=" + v);
  }
  if (kv.empty()) return "";
  std::sort(kv.begin(), kv.end());
  return fmt::format("|{} {} ", kv.size(), join(kv, " "));
}

Result<std::string> Executor::cache_key(const StageState& st, const std::string& text, const std::string& extra) {
  auto h = TRY(Sha256::make());
  h.update("skiff-build-v1\n" + st.image + "\n" + text + "\n");
  for (auto& [k, v] : st.args) h.update(k + "=" + v + "\n");
  h.update("\n" + extra + "\n" + std::to_string(st.clamp) + "\n" + (o_.epoch ? std::to_string(*o_.epoch) : "-"));
  return h.hex();
}

bool Executor::try_cache(StageState& st, const std::string& key) {
  if (o_.no_cache || !st.cache_ok) return false;
  auto id = engine::build_cache_get(e_, key);
  if (!id) {
    st.cache_ok = false;  // a missed step: every later one runs (its parent is new)
    return false;
  }
  auto raw = store_.image_config(*id);
  if (!raw) return false;
  auto cfg = parse_json(*raw, "image config");
  if (!cfg) return false;
  st.image = *id;
  st.cfg = std::move(*cfg);
  say(" ---> Using cache\n");
  say(fmt::format(" ---> {}\n", short_id(*id)));
  return true;
}

Status Executor::finish_step(StageState& st, const std::string& image, const std::string& key) {
  st.image = image;
  (void)engine::build_cache_put(e_, key, image);
  say(fmt::format(" ---> {}\n", short_id(image)));
  return ok();
}

Status Executor::commit_meta(StageState& st, const std::string& created_by, const std::string& key) {
  std::string created = created_text();
  st.cfg["created"] = created;
  Json h = Json::object();
  h["created"] = created;
  h["created_by"] = created_by;
  h["empty_layer"] = true;
  if (!st.cfg["history"].is_array()) st.cfg["history"] = Json::array();
  st.cfg["history"].push_back(h);
  sort_maps(st.cfg);
  auto id = TRY(engine::build_store_image(e_, st.image, st.cfg, std::nullopt, step_time()));
  return finish_step(st, id, key);
}

int Executor::stage_ref(const std::string& name, int before) const {
  std::string low = to_lower(name);
  for (int i = 0; i < before && i < int(df_.stages.size()); ++i) {
    if (!df_.stages[i].name.empty() && df_.stages[i].name == low) return i;
    if (std::to_string(i) == name) return i;
  }
  return -1;
}

Result<std::vector<int>> Executor::needed_stages(int target) {
  std::set<int> need{target};
  for (int i = target; i >= 0; --i) {
    if (!need.count(i)) continue;
    const auto& s = df_.stages[i];
    auto base = build::expand_word(s.base, meta_args_, df_.escape);
    if (base) {
      int r = stage_ref(*base, i);
      if (r >= 0) need.insert(r);
    }
    for (auto& ins : s.instructions) {
      std::vector<std::string> refs;
      if (auto f = ins.flag("from")) refs.push_back(f->value);
      for (auto& m : ins.flag_values("mount"))
        if (auto rm = build::parse_run_mount(m); rm && !rm->from.empty()) refs.push_back(rm->from);
      for (auto& r : refs) {
        int k = stage_ref(r, i);
        if (k >= 0) need.insert(k);
      }
    }
  }
  return std::vector<int>(need.begin(), need.end());
}

Result<std::string> Executor::source_image(const std::string& from, int stage_idx) {
  int k = stage_ref(from, stage_idx);
  if (k >= 0) {
    auto it = stage_images_.find(k);
    if (it == stage_images_.end()) return fail(kInvalid, fmt::format("stage {} has not been built", from));
    return it->second;
  }
  std::string policy = o_.pull ? "always" : "missing";
  auto img = TRY(resolve_run_image(ctx_, e_, from, policy, a_));
  return img.id;
}

Status Executor::do_from(StageState& st, const build::Stage& s, int idx) {
  std::string base = TRY_CTX(build::expand_word(s.base, meta_args_, df_.escape), "{}:{}", df_.file, s.from.line);
  if (!s.platform.empty()) {
    std::string p = TRY(build::expand_word(s.platform, meta_args_, df_.escape));
    if (p != o_.platform.str() && p != o_.platform.os + "/" + o_.platform.arch)
      return fail(kInvalid, fmt::format("{}:{}: FROM --platform={}: only the host's platform ({}) can be built",
                                        df_.file, s.from.line, p, o_.platform.str()));
  }
  if (base == "scratch") {
    st.image = "";
    st.cfg = Json::object();
    st.cfg["architecture"] = o_.platform.arch;
    if (!o_.platform.variant.empty()) st.cfg["variant"] = o_.platform.variant;
    st.cfg["os"] = "linux";
    st.cfg["config"] = Json::object();
    st.cfg["rootfs"] = Json::object({{"type", "layers"}, {"diff_ids", Json::array()}});
    st.cfg["history"] = Json::array();
    st.clamp = o_.epoch.value_or(0);
    say(" ---> \n");
    return ok();
  }
  int ref = stage_ref(base, idx);
  if (ref >= 0) {
    st.image = stage_images_.at(ref);
  } else {
    if (base.empty()) return fail(kInvalid, fmt::format("{}:{}: FROM needs an image", df_.file, s.from.line));
    std::string policy = o_.pull ? "always" : "missing";
    auto img = TRY(resolve_run_image(ctx_, e_, base, policy, a_));
    st.image = img.id;
  }
  st.cfg = TRY(parse_json(TRY(store_.image_config(st.image)), "image config"));
  st.cfg.erase("container");
  st.cfg.erase("container_config");
  if (o_.epoch) {
    st.clamp = *o_.epoch;
  } else {
    auto t = parse_rfc3339(json_str(st.cfg, "created"));
    st.clamp = t ? *t / 1000000000LL : 0;
  }
  say(fmt::format(" ---> {}\n", short_id(st.image)));
  // ONBUILD triggers of the base run now, then are dropped from the config.
  auto triggers = strings_of(json_get(json_get(st.cfg, "config"), "OnBuild"));
  if (!triggers.empty()) {
    auto list = TRY_CTX(build::parse_triggers(triggers, df_.escape), "{}:{}: ONBUILD trigger of {}", df_.file,
                        s.from.line, base);
    say(fmt::format("# Executing {} build trigger{}\n", list.size(), list.size() == 1 ? "" : "s"));
    config_of(st.cfg).erase("OnBuild");
    for (auto& t : list) TRY(step(st, t, idx, true));
  }
  return ok();
}

// Docker's classic history text of a metadata instruction.
std::string nop(const std::string& text) { return "/bin/sh -c #(nop)  " + text; }

Status Executor::step(StageState& st, const Instruction& raw, int stage_idx, bool trigger) {
  if (g_interrupted) return fail(kInterrupted, "build interrupted");
  if (!trigger) {
    ++step_no_;
    say(fmt::format("Step {}/{} : {}\n", step_no_, step_total_, raw.original));
  }
  std::string where = fmt::format("{}:{}", df_.file, raw.line);
  Vars vars = vars_for(st);
  Instruction ins = raw;
  if (build::expands_variables(raw.cmd))
    ins = TRY_CTX(build::expand_instruction(raw, vars, df_.escape), "{}", where);
  const std::string& c = ins.cmd;
  Json& rc = config_of(st.cfg);

  if (c == "run") return do_run(st, ins, TRY(cache_key(st, raw.original, "")), stage_idx);
  if (c == "copy" || c == "add") return do_copy(st, ins, "", stage_idx);

  // Metadata instructions.
  std::string text;
  if (c == "arg") {
    for (auto& kv : ins.kvs) {
      std::string val;
      bool has = false;
      if (auto it = o_.build_args.find(kv.key); it != o_.build_args.end()) {
        val = it->second;
        has = true;
        o_.used_build_args.insert(kv.key);
      } else if (kv.has_value) {
        val = kv.value;
        has = true;
      } else if (auto m = meta_args_.find(kv.key); m != meta_args_.end()) {
        val = m->second;
        has = true;
      }
      if (has) st.args[kv.key] = val;
      else st.args.erase(kv.key);
      text += (text.empty() ? "" : " ") + kv.key + (kv.has_value ? "=" + kv.value : "");
    }
    std::string key = TRY(cache_key(st, raw.original, ""));
    if (try_cache(st, key)) return ok();
    return commit_meta(st, nop("ARG " + text), key);
  }
  std::string key = TRY(cache_key(st, raw.original, ""));
  if (c == "cmd") st.cmd_set = true;  // also when the step comes from the cache
  if (try_cache(st, key)) return ok();
  if (c == "env") {
    for (auto& kv : ins.kvs) {
      env_set(st.cfg, kv.key, kv.value);
      text += (text.empty() ? "" : " ") + kv.key + "=" + kv.value;
    }
    return commit_meta(st, nop("ENV " + text), key);
  }
  if (c == "label") {
    if (!rc["Labels"].is_object()) rc["Labels"] = Json::object();
    for (auto& kv : ins.kvs) {
      rc["Labels"][kv.key] = kv.value;
      text += (text.empty() ? "" : " ") + kv.key + "=" + kv.value;
    }
    return commit_meta(st, nop("LABEL " + text), key);
  }
  if (c == "maintainer") {
    st.cfg["author"] = ins.args.empty() ? "" : ins.args[0];
    return commit_meta(st, nop("MAINTAINER " + json_str(st.cfg, "author")), key);
  }
  if (c == "cmd" || c == "entrypoint") {
    std::vector<std::string> v = ins.json ? ins.args : st.shell;
    if (!ins.json) v.push_back(ins.args.empty() ? "" : ins.args[0]);
    std::string field = c == "cmd" ? "Cmd" : "Entrypoint";
    rc[field] = json_strings(v);
    // ENTRYPOINT resets a CMD inherited from the base, not one this stage set (Docker).
    if (c == "entrypoint" && !st.cmd_set) rc.erase("Cmd");
    if (c == "cmd") st.cmd_set = true;
    if (!ins.json) rc["ArgsEscaped"] = true;
    std::string upper = c == "cmd" ? "CMD" : "ENTRYPOINT";
    return commit_meta(st, nop(upper + " " + json_list_text(v)), key);
  }
  if (c == "workdir") {
    std::string w = ins.args.empty() ? "" : ins.args[0];
    if (w.empty() || w[0] != '/') w = json_str(rc, "WorkingDir", "/") + "/" + w;
    w = clean_path(w);
    rc["WorkingDir"] = w;
    // Created when missing: a layer only when something was created (Docker's mkdir).
    engine::CopyRequest cr;
    cr.dest = w + "/";
    cr.mkdir_only = true;
    auto layer = TRY(engine::build_copy_layer(e_, st.image, cr, st.clamp));
    std::string created = created_text();
    st.cfg["created"] = created;
    Json h = Json::object({{"created", created}, {"created_by", nop("WORKDIR " + w)}});
    if (!layer) h["empty_layer"] = true;
    if (!st.cfg["history"].is_array()) st.cfg["history"] = Json::array();
    st.cfg["history"].push_back(h);
    auto id = TRY(engine::build_store_image(e_, st.image, st.cfg, layer, step_time()));
    return finish_step(st, id, key);
  }
  if (c == "user") {
    rc["User"] = ins.args.empty() ? "" : ins.args[0];
    return commit_meta(st, nop("USER " + json_str(rc, "User")), key);
  }
  if (c == "expose") {
    if (!rc["ExposedPorts"].is_object()) rc["ExposedPorts"] = Json::object();
    std::vector<std::string> ports;
    for (auto& p : ins.args) {
      std::string port = p.find('/') == std::string::npos ? p + "/tcp" : to_lower(p);
      rc["ExposedPorts"][port] = Json::object();
      ports.push_back(port);
    }
    std::sort(ports.begin(), ports.end());
    return commit_meta(st, nop("EXPOSE " + join(ports, " ")), key);
  }
  if (c == "volume") {
    if (!rc["Volumes"].is_object()) rc["Volumes"] = Json::object();
    for (auto& v : ins.args) {
      if (v.empty()) return fail(kInvalid, fmt::format("{}: VOLUME specified can not be an empty string", where));
      rc["Volumes"][v] = Json::object();
    }
    return commit_meta(st, nop("VOLUME " + json_list_text(ins.args)), key);
  }
  if (c == "stopsignal") {
    std::string sig = ins.args.empty() ? "" : ins.args[0];
    if (!engine::parse_signal(sig)) return fail(kInvalid, fmt::format("{}: STOPSIGNAL: invalid signal: {}", where, sig));
    rc["StopSignal"] = sig;
    return commit_meta(st, nop("STOPSIGNAL " + sig), key);
  }
  if (c == "shell") {
    if (!ins.json || ins.args.empty())
      return fail(kInvalid, fmt::format("{}: SHELL requires the arguments to be in JSON form", where));
    st.shell = ins.args;
    rc["Shell"] = json_strings(ins.args);
    return commit_meta(st, nop("SHELL " + json_list_text(ins.args)), key);
  }
  if (c == "healthcheck") {
    auto hc = TRY_CTX(build::healthcheck_spec(ins), "{}", where);
    Json j = Json::object();
    j["Test"] = json_strings(hc.test);
    if (hc.interval) j["Interval"] = hc.interval;
    if (hc.timeout) j["Timeout"] = hc.timeout;
    if (hc.start_period) j["StartPeriod"] = hc.start_period;
    if (hc.start_interval) j["StartInterval"] = hc.start_interval;
    if (hc.retries) j["Retries"] = hc.retries;
    rc["Healthcheck"] = j;
    std::string shown = "HEALTHCHECK &{" + json_list_text(hc.test) + "}";
    return commit_meta(st, nop(shown), key);
  }
  if (c == "onbuild") {
    std::string trig = ins.args.empty() ? "" : ins.args[0];
    auto ob = strings_of(json_get(rc, "OnBuild"));
    ob.push_back(trig);
    rc["OnBuild"] = json_strings(ob);
    return commit_meta(st, nop("ONBUILD " + trig), key);
  }
  return fail(kInvalid, fmt::format("{}: unknown instruction: {}", where, upper_of(c)));
}


// ADD <url>: a GET following redirects (a few), the body kept in memory (at most 1 GiB).
Result<std::string> download(const std::string& url) {
  auto t = TRY(registry::make_http_transport());
  auto u = TRY(registry::parse_url(url));
  for (int hops = 0; hops < 10; ++hops) {
    registry::HttpRequest req;
    req.url = u.str();
    auto res = TRY(t->send(req));
    if (res.status >= 300 && res.status < 400 && res.headers.has("Location")) {
      u = TRY(registry::resolve_url(u, res.headers.get("Location")));
      continue;
    }
    if (res.status != 200) return fail(kNetwork, fmt::format("GET {}: {} {}", u.str(), res.status, res.reason));
    return res.read_body(size_t(1) << 30);
  }
  return fail(kNetwork, fmt::format("GET {}: too many redirects", url));
}

Status Executor::do_run(StageState& st, const Instruction& ins, const std::string& key0, int stage_idx) {
  std::string where = fmt::format("{}:{}", df_.file, ins.line);
  std::vector<std::string> cmd;
  std::string shown;
  if (ins.json) {
    cmd = ins.args;
    shown = json_list_text(cmd);
  } else {
    std::string script = ins.args.empty() ? "" : ins.args[0];
    if (!ins.heredocs.empty()) {
      std::string first(trim(script));
      const auto& h0 = ins.heredocs[0];
      if (ins.heredocs.size() == 1 && (first == "<<" + h0.name || first == "<<-" + h0.name ||
                                       first == "<<\"" + h0.name + "\"" || first == "<<'" + h0.name + "'")) {
        script = h0.content;
      } else {
        for (auto& h : ins.heredocs) script += "\n" + h.content + h.name;
      }
    }
    cmd = st.shell;
    cmd.push_back(script);
    shown = join(st.shell, " ") + " " + script;
  }
  // Mounts (--mount=type=…) and the network.
  engine::CreateOptions o;
  std::string network = o_.network;
  if (auto f = ins.flag("network")) network = f->value == "default" ? network : f->value;
  std::vector<std::string> mount_targets;
  std::string mounts_text;
  // Binds from a stage or an image: copied (build_bind_source) only once the cache missed,
  // then bound at their place among the RUN's mounts.
  struct FromBind {
    size_t at;  ///< index in o.mounts
    std::string image, source, target;
    bool readonly;
  };
  std::vector<FromBind> from_binds;
  Vars mvars = vars_for(st);
  for (auto& spec : ins.flag_values("mount")) {
    auto m = TRY_CTX(build::parse_run_mount(spec, &mvars, df_.escape), "{}", where);
    mounts_text += spec + "\n";
    std::string target = m.target;
    if (m.type == "secret") {
      std::string id = m.id.empty() ? split_dir_base(m.target).second : m.id;
      if (target.empty()) target = "/run/secrets/" + id;
      auto it = o_.secrets.find(id);
      if (it == o_.secrets.end()) {
        if (m.required) return fail(kInvalid, fmt::format("{}: secret {} not found: pass it with --secret id={},src=FILE", where, id, id));
        continue;
      }
      o.mounts.push_back(fmt::format("type=bind,source={},target={},readonly", it->second, target));
    } else if (m.type == "tmpfs") {
      o.tmpfs.push_back(target);
    } else if (m.type == "cache") {
      std::string id = m.id.empty() ? target : m.id;
      std::string dir = e_.graph() + "/build-cache-mounts/" + TRY(sha256_digest(id)).substr(7, 32);
      TRY(mkdir_p(dir, 0755));
      o.mounts.push_back(fmt::format("type=bind,source={},target={}", dir, target));
    } else if (m.type == "bind") {
      if (!m.from.empty()) {
        if (target.empty()) return fail(kInvalid, fmt::format("{}: RUN --mount=type=bind,from={}: target is required", where, m.from));
        std::string id = TRY_CTX(source_image(m.from, stage_idx), "{}: RUN --mount=type=bind,from={}", where, m.from);
        // The stage's or image's content is part of the step's identity.
        mounts_text += "from-image=" + id + "\n";
        from_binds.push_back({o.mounts.size(), id, m.source, target, m.readonly});
        mount_targets.push_back(target);
        continue;
      }
      if (!bctx_.has_dir()) return fail(kInvalid, fmt::format("{}: RUN --mount=type=bind needs a build context", where));
      auto fd = TRY_CTX(bctx_.open(m.source.empty() ? "." : m.source, O_PATH), "{}: RUN --mount source", where);
      // The path the kernel resolved inside the context (the user's own files: a symlink
      // swapped in later gives them nothing they could not read anyway).
      char buf[PATH_MAX];
      ssize_t n = readlink(fd_path(fd.get()).c_str(), buf, sizeof buf);
      if (n <= 0 || size_t(n) >= sizeof buf) return fail_errno(fmt::format("{}: RUN --mount source {}", where, m.source));
      std::string host(buf, size_t(n));
      o.mounts.push_back(fmt::format("type=bind,source={},target={}{}", host, target, m.readonly ? ",readonly" : ""));
    } else {
      return fail(kUnsupported, fmt::format("{}: RUN --mount=type={} is not supported (bind, cache, tmpfs, secret)", where, m.type));
    }
    mount_targets.push_back(target);
  }
  std::string key = key0;
  if (!mounts_text.empty() || network != o_.network) key = TRY(cache_key(st, ins.original, mounts_text + network));
  if (try_cache(st, key)) return ok();
  if (st.image.empty()) return fail(kInvalid, fmt::format("{}: RUN in a stage FROM scratch has no shell to run", where));
  // The copies behind binds from a stage or image live as long as this RUN.
  struct Copies {
    engine::Engine& e;
    std::vector<engine::BuildBindSource> v;
    ~Copies() {
      for (auto& c : v) (void)engine::remove_build_bind_source(e, c);
    }
  } copies{e_, {}};
  for (size_t i = 0; i < from_binds.size(); ++i) {
    const auto& b = from_binds[i];
    auto c = TRY_CTX(engine::build_bind_source(e_, b.image, b.source), "{}: RUN --mount=type=bind source", where);
    copies.v.push_back(c);
    o.mounts.insert(o.mounts.begin() + ptrdiff_t(b.at + i),
                    fmt::format("type=bind,source={},target={}{}", c.path, b.target, b.readonly ? ",readonly" : ""));
  }

  auto rec = TRY(store_.lookup_image(st.image, false));
  auto img = TRY(image_defaults(e_, store_, rec, ""));
  img.config = json_get(st.cfg, "config").is_object() ? st.cfg["config"] : Json::object();
  o.image = st.image;
  o.command = cmd;
  o.entrypoint = "";
  for (auto& [k, v] : st.args)
    if (env_get(st.cfg, k).empty()) o.env.push_back(k + "=" + v);
  for (auto p : kProxyArgs)
    if (auto it = o_.build_args.find(p); it != o_.build_args.end() && !st.args.count(p))
      o.env.push_back(std::string(p) + "=" + it->second);
  o.network = network;
  if (auto f = ins.flag("security")) {
    if (f->value == "insecure") o.privileged = true;
    else if (f->value != "sandbox")
      return fail(kInvalid, fmt::format("{}: RUN --security={}: sandbox or insecure", where, f->value));
  }
  auto ctr = TRY(engine::create_container(e_, o, &img));
  say(fmt::format(" ---> Running in {}\n", ctr.id.substr(0, 12)));
  auto cleanup = [&]() { (void)engine::remove_container(e_, ctr.id, true, true); };
  auto starting = engine::begin_start(e_, ctr.id, ctx_.global.log_level);
  if (!starting) {
    cleanup();
    return starting.error();
  }
  AttachOptions ao;
  ao.sig_proxy = true;
  ao.detach_keys = "";
  auto kill = [&](int) {
    g_interrupted = true;
    (void)engine::kill_container(e_, ctr.id, SIGKILL);
  };
  int saved1 = -1, saved2 = -1;
  if (o_.quiet) {
    flush_out();
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    saved1 = dup(1);
    saved2 = dup(2);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  } else {
    flush_out();
  }
  auto res = attach_session(e_.run_dir(ctr.id), ao, &starting->launch, kill);
  if (saved1 >= 0) {
    dup2(saved1, 1);
    dup2(saved2, 2);
    close(saved1);
    close(saved2);
  }
  if (!res) {
    cleanup();
    return res.error();
  }
  int code = res->exit_code;
  if (code < 0) {
    auto c = engine::find_container(e_, ctr.id);
    code = c ? c->state.exit_code : 1;
  }
  if (g_interrupted) {
    cleanup();
    return fail(kInterrupted, "build interrupted: the working container was removed");
  }
  if (code != 0) {
    cleanup();
    std::string shown_cmd = ins.json ? json_list_text(cmd) : join(st.shell, " ") + " " + (ins.args.empty() ? "" : ins.args[0]);
    return fail(kBuildStepFailed, fmt::format("The command '{}' returned a non-zero code: {}", shown_cmd, code));
  }
  auto layer = engine::build_container_layer(e_, ctr.id, st.clamp, mount_targets);
  if (!layer) {
    cleanup();
    return layer.error();
  }
  std::string created = created_text();
  st.cfg["created"] = created;
  Json h = Json::object({{"created", created}, {"created_by", run_prefix(st) + shown}});
  if (!*layer) h["empty_layer"] = true;
  if (!st.cfg["history"].is_array()) st.cfg["history"] = Json::array();
  st.cfg["history"].push_back(h);
  auto id = engine::build_store_image(e_, st.image, st.cfg, *layer, step_time());
  say(fmt::format("Removing intermediate container {}\n", ctr.id.substr(0, 12)));
  cleanup();
  if (!id) return id.error();
  return finish_step(st, *id, key);
}

Status Executor::do_copy(StageState& st, const Instruction& ins, const std::string&, int stage_idx) {
  std::string where = fmt::format("{}:{}", df_.file, ins.line);
  bool add = ins.cmd == "add";
  std::string upper = add ? "ADD" : "COPY";
  if (ins.args.size() < 2) return fail(kInvalid, fmt::format("{}: {} requires at least two arguments", where, upper));
  engine::CopyRequest r;
  std::string dest = ins.args.back();
  std::string wd = json_str(json_get(st.cfg, "config"), "WorkingDir", "/");
  if (dest.empty() || dest[0] != '/') {
    bool slash = !dest.empty() && (dest.back() == '/' || dest == ".");
    dest = clean_path(wd + "/" + dest) + (slash || dest.empty() ? "/" : "");
  }
  r.dest = dest;
  if (auto f = ins.flag("chown")) r.chown = f->value;
  if (auto f = ins.flag("chmod")) {
    auto m = parse_octal(f->value);
    if (!m || *m > 07777) return fail(kInvalid, fmt::format("{}: invalid --chmod={}: an octal mode such as 0755", where, f->value));
    r.chmod = uint32_t(*m);
  }
  r.parents = ins.flag_bool("parents");
  std::vector<std::string> excludes = ins.flag_values("exclude");
  if (!excludes.empty()) {
    auto m = std::make_shared<build::IgnoreMatcher>(
        TRY_CTX(build::IgnoreMatcher::from_patterns(excludes), "{}: {} --exclude", where, upper));
    r.exclude = [m](const std::string& rel) { return m->excluded(rel); };
  }
  bool unpack = !ins.flag("unpack") || ins.flag_bool("unpack");
  std::string from = ins.flag("from") ? ins.flag("from")->value : "";
  std::string checksum = ins.flag("checksum") ? ins.flag("checksum")->value : "";
  std::vector<std::string> sources(ins.args.begin(), ins.args.end() - 1);
  std::string extra = "exclude=" + join(excludes, "\n") + "\nunpack=" + (unpack ? "1" : "0") + "\ndest=" + dest + "\nchown=" + r.chown + "\nchmod=" + (r.chmod ? std::to_string(*r.chmod) : "") +
                      "\nparents=" + (r.parents ? "1" : "0") + "\n";
  std::vector<std::string> ctx_sources;
  std::string kind = "file";
  for (auto& s : sources) {
    bool is_heredoc = false;
    for (auto& h : ins.heredocs)
      if (s == "<<" + h.name || s == "<<-" + h.name || s == "<<\"" + h.name + "\"" || s == "<<'" + h.name + "'") {
        std::string body = TRY(build::expand_heredoc(h, vars_for(st), df_.escape));
        r.inline_files.push_back({h.name, body, 0644, st.clamp});
        extra += "heredoc " + h.name + "\n" + body + "\n";
        is_heredoc = true;
      }
    if (is_heredoc) continue;
    if (from.empty() && (s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0)) {
      if (!add) return fail(kInvalid, fmt::format("{}: COPY does not download URLs ({}): use ADD", where, s));
      if (s.find(".git") != std::string::npos && (s.ends_with(".git") || s.find(".git#") != std::string::npos))
        return fail(kUnsupported, fmt::format("{}: ADD of a git repository ({}) is not supported: clone it into the build context", where, s));
      auto body = TRY_CTX(download(s), "{}: ADD {}", where, s);
      if (!checksum.empty()) {
        std::string got = TRY(sha256_digest(body));
        if (got != checksum)
          return fail(kInvalid, fmt::format("{}: ADD {}: digest mismatch {}: {}", where, s, got, checksum));
      }
      std::string name = s.substr(s.find("://") + 3);
      name = name.substr(0, name.find_first_of("?#"));
      auto slash = name.rfind('/');
      name = slash == std::string::npos || slash + 1 == name.size() ? "index.html" : name.substr(slash + 1);
      extra += "url " + s + " " + TRY(sha256_digest(body)) + "\n";
      r.inline_files.push_back({name, std::move(body), 0600, st.clamp});
      continue;
    }
    if (s.rfind("git@", 0) == 0)
      return fail(kUnsupported, fmt::format("{}: ADD of a git repository ({}) is not supported: clone it into the build context", where, s));
    r.sources.push_back(s);
    if (from.empty()) ctx_sources.push_back(s);
  }
  if (!checksum.empty() && r.inline_files.empty())
    return fail(kInvalid, fmt::format("{}: ADD --checksum is only for URL sources", where));
  if (!from.empty()) {
    r.from_image = TRY_CTX(source_image(from, stage_idx), "{}: {} --from={}", where, upper, from);
    r.keep_owner = r.chown.empty();
    extra += "from=" + r.from_image + "\n";
    for (auto& s : r.sources) extra += "src " + s + "\n";
  } else if (!r.sources.empty()) {
    if (!bctx_.has_dir()) return fail(kInvalid, fmt::format("{}: {} failed: no build context (the Dockerfile came on stdin)", where, upper));
    r.context_fd = bctx_.dirfd();
    const build::IgnoreMatcher* ig = &bctx_.ignore();
    if (!ig->empty())
      r.excluded = [ig](const std::string& rel, bool is_dir) {
        return ig->excluded(rel) && !(is_dir && ig->may_include_below(rel));
      };
    int64_t t0 = now_ns();
    std::string h = TRY_CTX(bctx_.hash_copy_sources(ctx_sources), "{}", where);
    log::debug("build: {}: sources hashed in {:.1f} ms", where, double(now_ns() - t0) / 1e6);
    extra += "context " + h + "\n";
    kind = ctx_sources.size() > 1 ? "multi" : "file";
    if (ctx_sources.size() == 1) {
      auto stt = bctx_.stat(ctx_sources[0]);
      if (stt && S_ISDIR(stt->mode)) kind = "dir";
    }
    extra += "hash " + h + "\n";
  }
  r.extract_archives = add && unpack;
  if (add && ins.flag("unpack") && unpack && !r.inline_files.empty())
    return fail(kUnsupported, fmt::format("{}: ADD --unpack of a downloaded archive is not supported: download it "
                                          "into the context and ADD the file", where));
  std::string key = TRY(cache_key(st, ins.original, extra));
  if (try_cache(st, key)) return ok();
  auto layer = TRY_CTX(engine::build_copy_layer(e_, st.image, r, st.clamp), "{}", where);
  std::string created = created_text();
  st.cfg["created"] = created;
  std::string hhex = TRY(sha256_digest(extra)).substr(7);
  Json h = Json::object({{"created", created}, {"created_by", fmt::format("/bin/sh -c #(nop) {} {}:{} in {} ", upper, kind, hhex, dest)}});
  if (!st.cfg["history"].is_array()) st.cfg["history"] = Json::array();
  st.cfg["history"].push_back(h);
  auto id = TRY(engine::build_store_image(e_, st.image, st.cfg, layer, step_time()));
  return finish_step(st, id, key);
}

Result<Status> Executor::run_stage(int idx) {
  const auto& s = df_.stages[idx];
  StageState st;
  ++step_no_;
  say(fmt::format("Step {}/{} : {}\n", step_no_, step_total_, s.from.original));
  TRY(do_from(st, s, idx));
  stage_bases_[idx] = st.image;
  stage_clamps_[idx] = st.clamp;
  if (auto sh = strings_of(json_get(json_get(st.cfg, "config"), "Shell")); !sh.empty()) st.shell = sh;
  for (auto& ins : s.instructions) TRY(step(st, ins, idx, false));
  stage_images_[idx] = st.image;
  return ok();
}

Result<std::string> Executor::run() {
  // ARGs before the first FROM (their defaults, overridden by --build-arg) and the platform
  // args Docker puts in the global scope: what FROM lines expand with.
  Vars automatic{{"TARGETPLATFORM", o_.platform.str()}, {"TARGETOS", o_.platform.os},
                 {"TARGETARCH", o_.platform.arch},      {"TARGETVARIANT", o_.platform.variant},
                 {"BUILDPLATFORM", o_.platform.str()},  {"BUILDOS", o_.platform.os},
                 {"BUILDARCH", o_.platform.arch},       {"BUILDVARIANT", o_.platform.variant}};
  Vars bargs(o_.build_args.begin(), o_.build_args.end());
  meta_args_ = TRY(build::resolve_meta_args(df_, bargs, automatic));
  for (auto& m : df_.meta_args)
    for (auto& kv : m.kvs)
      if (o_.build_args.count(kv.key)) o_.used_build_args.insert(kv.key);
  if (df_.stages.empty()) return fail(kInvalid, fmt::format("{}: no FROM instruction: a Dockerfile starts with FROM", df_.file));
  int target = int(df_.stages.size()) - 1;
  if (!o_.target.empty()) {
    auto s = df_.find_stage(o_.target);
    if (!s) return fail(kInvalid, fmt::format("failed to reach build target {} in Dockerfile", o_.target));
    target = s->index;
  }
  auto stages = TRY(needed_stages(target));
  for (int i : stages) step_total_ += 1 + int(df_.stages[i].instructions.size());
  for (int i : stages) TRY(run_stage(i));
  std::string id = stage_images_.at(target);
  if (id.empty()) return fail(kInvalid, "the build produced no image: a stage FROM scratch needs at least one instruction");
  // --squash: the target stage's own layers become one (Docker's: the base's layers stay, the
  // history keeps its rows with empty_layer, and one row says what was merged).
  if (o_.squash) {
    std::string base = stage_bases_.at(target);
    auto layer = TRY(engine::build_squash_layer(e_, base, id, stage_clamps_.at(target)));
    Json cfg = TRY(parse_json(TRY(store_.image_config(id)), "image config"));
    size_t base_rows = 0;
    if (!base.empty()) {
      Json bcfg = TRY(parse_json(TRY(store_.image_config(base)), "image config"));
      if (bcfg["history"].is_array()) base_rows = bcfg["history"].size();
    }
    if (cfg["history"].is_array())
      for (size_t i = base_rows; i < cfg["history"].size(); ++i) cfg["history"][i]["empty_layer"] = true;
    std::string created = created_text();
    Json h = Json::object({{"created", created}, {"comment", fmt::format("merge {} to {}", id, base.empty() ? "scratch" : base)}});
    if (!layer) h["empty_layer"] = true;
    cfg["history"].push_back(h);
    cfg["created"] = created;
    id = TRY(engine::build_store_image(e_, base, cfg, layer, step_time()));
  }
  // --label: added to the final image's config.
  if (!o_.labels.empty()) {
    Json cfg = TRY(parse_json(TRY(store_.image_config(id)), "image config"));
    Json& rc = config_of(cfg);
    if (!rc["Labels"].is_object()) rc["Labels"] = Json::object();
    for (auto& l : o_.labels) {
      auto eq = l.find('=');
      rc["Labels"][l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    sort_maps(cfg);
    id = TRY(engine::build_store_image(e_, id, cfg, std::nullopt, step_time()));
  }
  return id;
}

Result<Platform> host_platform(const std::string& flag) {
  auto h = oci::Platform::host();
  Platform p;
  p.os = h.os.empty() ? "linux" : h.os;
  p.arch = h.architecture;
  p.variant = h.variant;
  if (!flag.empty()) {
    for (auto& one : split(flag, ',')) {
      auto want = TRY(oci::Platform::parse(one));
      if (want.os != p.os || want.architecture != p.arch || (!want.variant.empty() && want.variant != p.variant))
        return fail(kInvalid, fmt::format("--platform {}: skiff builds only for the host's platform ({})", one, p.str()));
    }
  }
  return p;
}

void on_signal(int) { g_interrupted = true; }

}  // namespace

Result<int> cmd_build(Context& ctx, const ParsedArgs& a) {
  Options o;
  for (auto& t : a.list("tag")) {
    auto ref = oci::Reference::parse(t);
    if (!ref) return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"-t, --tag\" flag: {}", t, ref.error().msg));
    if (ref->digest()) return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"-t, --tag\" flag: a tag cannot have a digest", t));
    o.tags.push_back(ref->str_with_default_tag());
  }
  for (auto& kv : a.list("build-arg")) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      // Docker: `--build-arg NAME` takes the value from the environment.
      if (const char* v = getenv(kv.c_str())) o.build_args[kv] = v;
      continue;
    }
    o.build_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.target = a.str("target");
  o.no_cache = a.flag("no-cache");
  o.pull = a.flag("pull");
  o.quiet = a.flag("quiet");
  o.labels = a.list("label");
  o.iidfile = a.str("iidfile");
  o.network = a.has("network") ? a.str("network") : engine::CreateOptions{}.network;
  o.squash = a.flag("squash");
  if (a.has("timestamp")) {
    o.epoch = a.num("timestamp");
  } else if (const char* sde = getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    auto v = parse_int(sde);
    if (!v || *v < 0) return fail(kInvalid, fmt::format("SOURCE_DATE_EPOCH=\"{}\": not a number of seconds", sde));
    o.epoch = *v;
  }
  for (auto& s : a.list("secret")) {
    std::string id, src;
    for (auto& part : split(s, ',')) {
      auto eq = part.find('=');
      std::string k = part.substr(0, eq), v = eq == std::string::npos ? "" : part.substr(eq + 1);
      if (k == "id") id = v;
      else if (k == "src" || k == "source") src = v;
      else if (k == "type" && v == "file") continue;
      else return fail(kInvalid, fmt::format("--secret {}: unknown key \"{}\" (id=ID,src=FILE)", s, k));
    }
    if (id.empty()) return fail(kInvalid, fmt::format("--secret {}: id= is required", s));
    if (src.empty()) src = id;
    char real[PATH_MAX];
    if (!realpath(src.c_str(), real)) return fail_errno(fmt::format("--secret {}: {}", s, src));
    o.secrets[id] = real;
  }
  o.platform = TRY(host_platform(a.str("platform")));

  // The context and the Dockerfile.
  std::string ctxarg = a.positional[0];
  std::string file = a.str("file");
  build::BuildContext bctx;
  build::DockerfileSource dfsrc;
  if (ctxarg == "-") {
    if (file == "-") return fail(kInvalid, "cannot read both the context and the Dockerfile (-f -) from standard input");
    auto in = TRY(build::read_stdin_input(0));
    bctx = std::move(in.context);
    if (in.dockerfile) {
      dfsrc = std::move(*in.dockerfile);
    } else {
      dfsrc = TRY(build::find_dockerfile_in(bctx, file));
    }
  } else {
    if (ctxarg.find("://") != std::string::npos || ctxarg.rfind("git@", 0) == 0)
      return fail(kUnsupported, fmt::format("context {}: only a local directory or - (standard input) can be a build context", ctxarg));
    struct stat st;
    if (stat(ctxarg.c_str(), &st) < 0) return fail(kNotFound, fmt::format("unable to prepare context: path \"{}\" not found", ctxarg));
    if (!S_ISDIR(st.st_mode)) return fail(kInvalid, fmt::format("unable to prepare context: context must be a directory: {}", ctxarg));
    bctx = TRY(build::BuildContext::open_dir(ctxarg));
    dfsrc = TRY(build::find_dockerfile(ctxarg, file));
  }
  if (bctx.has_dir())
    bctx.set_ignore(TRY(dfsrc.context_path.empty() ? bctx.load_ignore(dfsrc.path) : bctx.load_ignore_in(dfsrc.context_path)));
  auto df = TRY(build::parse_dockerfile(dfsrc.text, dfsrc.name));
  for (auto& w : df.warnings)
    if (!o.quiet) err(fmt::format("[WARNING]: {}\n", w.text()));

  auto e = TRY(open_engine(ctx, true));
  storage::Store* store = TRY(e->store(true));
  struct sigaction sa{}, old_int{}, old_term{};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  Executor ex(ctx, a, *e, *store, bctx, df, o);
  if (!o.quiet) outf("Sending build context to skiff\n");
  auto id = ex.run();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (!id) {
    if (id.error().code == kBuildStepFailed) {
      flush_out();
      err(id.error().msg + "\n");
      return 1;
    }
    return id.error();
  }
  for (auto& [k, v] : o.build_args) {
    (void)v;
    bool predefined = std::find(std::begin(kProxyArgs), std::end(kProxyArgs), k) != std::end(kProxyArgs);
    if (!o.quiet && !predefined && !o.used_build_args.count(k))
      err(fmt::format("[Warning] One or more build-args [{}] were not consumed\n", k));
  }
  for (auto& t : o.tags) TRY(store->tag_image(*id, t));
  if (!o.iidfile.empty()) TRY(write_file_atomic(o.iidfile, *id, 0644, false));
  if (o.quiet) {
    outf("{}\n", *id);
    return 0;
  }
  outf("Successfully built {}\n", short_id(*id));
  for (auto& t : o.tags) outf("Successfully tagged {}\n", familiar_name(t));
  return 0;
}

Result<int> cmd_builder_prune(Context& ctx, const ParsedArgs& a) {
  if (!a.flag("force") && !confirm("WARNING! This will remove all dangling build cache.\nAre you sure you want to continue?"))
    return 0;
  auto e = TRY(open_engine(ctx, true));
  auto removed = TRY(engine::build_cache_prune(*e));
  if (!removed.empty()) {
    outf("Deleted build cache objects:\n");
    for (auto& id : removed) outf("{}\n", id);
  }
  outf("\nTotal reclaimed space: 0B\n");
  return 0;
}

}  // namespace skiff::cli
