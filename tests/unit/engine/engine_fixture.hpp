#pragma once
// A store with container records for the engine's tests: Engine::open on a temp graph and run
// root, records written as `create` writes them, and the state files of the engine and the
// monitor (state.json, exit.json, monitor.json) written by hand.

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "../storage/fixture.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/process.hpp"

namespace skiff::test {

using namespace skiff::engine;

inline constexpr int64_t kSecond = 1'000'000'000;
inline const int64_t kT0 = 1'700'000'000 * kSecond;  // a start time

inline std::string id_of(char c) { return std::string(64, c); }

struct EngineStore {
  TempDir t;
  std::unique_ptr<Engine> e;

  EngineStore() {
    Paths p;
    p.uid = geteuid();
    p.gid = getegid();
    p.rootless = p.uid != 0;
    p.graph_root = t.sub("graph");
    p.run_root = t.sub("run");
    p.run_root_explicit = true;
    auto r = Engine::open(p, "", true);
    BOOST_REQUIRE_MESSAGE(r, test::why(r));
    e = std::move(*r);
    BOOST_REQUIRE(e->same_boot());
  }

  ContainerRecord add(const std::string& id, const std::string& name, int64_t created = kT0,
                      const std::string& restart = "no") {
    // Made from Docker-shaped JSON, as config.json is read back.
    Json j = Json::object();
    j["Id"] = id;
    j["Name"] = name;
    j["Created"] = created;
    j["Image"] = "busybox";
    j["Config"] = Json::object();
    j["HostConfig"] = Json::object();
    j["HostConfig"]["RestartPolicy"] = Json::object();
    j["HostConfig"]["RestartPolicy"]["Name"] = restart;
    auto rec = record_from_json(j);
    BOOST_REQUIRE(rec);
    ContainerRecord r = *rec;
    BOOST_REQUIRE(mkdir_p(e->container_dir(id), 0700));
    BOOST_REQUIRE(mkdir_p(e->run_dir(id), 0700));
    BOOST_REQUIRE(write_record(*e, r, false));
    BOOST_REQUIRE(symlink(("../../containers/" + id).c_str(), (e->graph() + "/names/containers/" + name).c_str()) == 0);
    return r;
  }

  void put(const std::string& path, const std::string& text) { BOOST_REQUIRE(write_file_atomic(path, text, 0600, false)); }
  void put_json(const std::string& path, const Json& j) { BOOST_REQUIRE(write_json_atomic(path, j, 0600, false)); }

  // The engine's intent record: the latest start.
  void started(const ContainerRecord& r, int64_t at, bool removing = false) {
    Json j = Json::object();
    j["startedAt"] = at;
    if (removing) j["removing"] = true;
    put_json(e->container_dir(r.id) + "/state.json", j);
  }
  void exited(const ContainerRecord& r, int code, int64_t started_at, int64_t finished_at,
              const std::string& error = "", int restarts = 0) {
    Json j = Json::object();
    j["exitCode"] = code;
    j["startedAt"] = started_at;
    j["finishedAt"] = finished_at;
    j["restartCount"] = restarts;
    j["error"] = error;
    j["oomKilled"] = false;
    put_json(e->container_dir(r.id) + "/exit.json", j);
  }
  // monitor.json: the monitor (alive: this process, with its real start time) and the container.
  void monitor(const ContainerRecord& r, bool monitor_alive, int64_t started_at, bool ctr_alive,
               int64_t written_at = kT0 + 1, int restarts = 0) {
    uint64_t me = process_start_time(getpid());
    Json j = Json::object();
    j["bootId"] = "b";
    j["writtenAt"] = written_at;
    j["monitorPid"] = int(getpid());
    j["monitorStart"] = monitor_alive ? me : me + 1;
    j["startedAt"] = started_at;
    j["pid"] = int(getpid());
    j["pidStart"] = ctr_alive ? me : me + 1;
    j["restartCount"] = restarts;
    put_json(e->run_dir(r.id) + "/monitor.json", j);
  }
  ContainerState state(const ContainerRecord& r) { return read_state(*e, r); }
};


}  // namespace skiff::test
