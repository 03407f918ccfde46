#define BOOST_TEST_DYN_LINK
// Runs real containers from a busybox rootfs directory (kind "dir"), as root on the host or
// as an unprivileged user with a single-id mapping. Skipped where namespaces are unavailable.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/runtime/container.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/process.hpp"

using namespace skiff;

namespace {

struct Rootfs {
  std::string dir;
  Rootfs() {
    char tmpl[] = "/tmp/skiff-rt-XXXXXX";
    dir = mkdtemp(tmpl);
    chmod(dir.c_str(), 0755);
    for (auto d : {"/bin", "/etc", "/proc", "/dev", "/sys", "/tmp", "/root"}) mkdir((dir + d).c_str(), 0755);
    BOOST_REQUIRE(run_program({"cp", "/bin/busybox", dir + "/bin/busybox"})->ok());
    for (auto app : {"sh", "cat", "ls", "hostname", "id", "echo", "true", "false", "grep", "sleep"})
      symlink("busybox", (dir + "/bin/" + app).c_str());
    BOOST_REQUIRE(write_file_atomic(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"));
    BOOST_REQUIRE(write_file_atomic(dir + "/etc/group", "root:x:0:\nnogroup:x:65534:\n"));
    BOOST_REQUIRE(write_file_atomic(dir + "/notexec", "data"));
  }
  ~Rootfs() { (void)remove_tree(dir); }
};

oci::Spec base_spec(const Rootfs& r, std::vector<std::string> args) {
  oci::Spec s;
  s.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  s.hostname = "0123456789ab";
  s.root.kind = "dir";
  s.root.path = r.dir;
  s.mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
  };
  s.masked_paths = {"/proc/kcore", "/proc/keys", "/sys/firmware"};
  s.readonly_paths = {"/proc/sys", "/proc/sysrq-trigger"};
  s.process.args = std::move(args);
  s.process.env = {"PATH=/bin"};
  s.process.cap_drop = {"ALL"};
  s.process.cap_add = {"CHOWN", "SETGID", "SETUID"};
  s.process.seccomp = "unconfined";
  s.process.no_new_privileges = true;  // off by default (Docker's); these tests check it applies
  auto map = idmap_for_current_user();
  BOOST_REQUIRE(map);
  s.idmap = *map;
  s.new_userns = map->userns;
  return s;
}

// Runs the spec with stdout captured; returns {exit code, output}.
std::pair<int, std::string> run(const oci::Spec& s, Error* err = nullptr) {
  auto out = make_pipe();
  BOOST_REQUIRE(out);
  runtime::Stdio io{-1, out->write.get(), out->write.get()};
  auto c = runtime::create(s, io);
  out->write.reset();
  if (!c) {
    if (!err) BOOST_TEST_MESSAGE("create failed: " << c.error().msg);
    if (err) *err = c.error();
    return {-1, ""};
  }
  auto st = c->start();
  if (!st) {
    if (!err) BOOST_TEST_MESSAGE("start failed: " << st.error().msg);
    if (err) *err = st.error();
    return {-1, ""};
  }
  auto text = read_all(out->read.get());
  int status = 0;
  waitpid(c->pid(), &status, 0);
  c->release();
  return {exit_code_from_status(status), text ? *text : ""};
}

bool can_run() {
  if (geteuid() == 0) return true;
  auto r = run_program({"unshare", "-U", "-m", "-p", "-f", "true"});
  return r && r->ok();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_container)

BOOST_AUTO_TEST_CASE(runs_a_command_with_exit_code_hostname_and_policy) {
  if (!can_run()) return;
  Rootfs r;
  auto [code, out] = run(base_spec(r, {"sh", "-c", "hostname; cat /proc/self/status | grep -E '^(NoNewPrivs|CapEff)'; "
                                                     "cat /proc/kcore 2>&1 | head -c 0; echo > /proc/sys/kernel/x 2>/dev/null || echo ro; "
                                                     "ls /proc/self/fd; exit 7"}));
  BOOST_TEST(code == 7);
  BOOST_TEST(out.find("0123456789ab\n") == 0);
  BOOST_TEST(out.find("NoNewPrivs:\t1") != std::string::npos);
  BOOST_TEST(out.find("CapEff:\t00000000000000c1") != std::string::npos);
  BOOST_TEST(out.find("ro\n") != std::string::npos);
  BOOST_TEST(out.find("0\n1\n2\n3\n") != std::string::npos);  // 0-2 plus ls's own
  BOOST_TEST(out.find("4\n") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(exec_errors_map_to_126_and_127) {
  if (!can_run()) return;
  Rootfs r;
  Error e;
  run(base_spec(r, {"nosuchcmd"}), &e);
  BOOST_TEST(e.code == kCommandNotFound);
  BOOST_TEST(e.msg == "exec: \"nosuchcmd\": executable file not found in $PATH");
  run(base_spec(r, {"/notexec"}), &e);
  BOOST_TEST(e.code == kCannotInvoke);
}

BOOST_AUTO_TEST_CASE(user_and_workdir) {
  if (!can_run()) return;
  Rootfs r;
  auto s = base_spec(r, {"sh", "-c", "id -u; pwd"});
  s.process.cwd = "/work/dir";
  if (!s.idmap.single) s.process.user = "nobody";
  auto [code, out] = run(s);
  BOOST_TEST(code == 0);
  BOOST_TEST(out == (s.idmap.single ? "0\n/work/dir\n" : "65534\n/work/dir\n"));
  Error e;
  s.process.user = "nosuchuser";
  run(s, &e);
  BOOST_TEST(e.msg == "unable to find user nosuchuser: no matching entries in passwd file");
}

// CVE-2024-21626: a directory fd of the caller (a monitor's) must not be reachable as the
// working directory through /proc/self/fd/N, directly or through a symlink in the rootfs.
BOOST_AUTO_TEST_CASE(no_host_fd_reaches_the_working_directory) {
  if (!can_run()) return;
  Rootfs r;
  int host = open("/", O_PATH | O_DIRECTORY);  // inherited: not close-on-exec
  BOOST_REQUIRE(host >= 0);
  std::string link = "/proc/self/fd/" + std::to_string(host);
  BOOST_REQUIRE(symlink(link.c_str(), (r.dir + "/wd").c_str()) == 0);
  for (std::string cwd : {link, std::string("/wd")}) {
    auto s = base_spec(r, {"sh", "-c", "pwd; ls"});
    s.process.cwd = cwd;
    Error e;
    auto [code, out] = run(s, &e);
    BOOST_TEST(code == -1, "cwd " << cwd << " ran: " << out);
    BOOST_TEST(e.code == EPERM, "cwd " << cwd << ": " << e.msg);
  }
  close(host);
}

BOOST_AUTO_TEST_CASE(user_ids_out_of_range_are_refused_not_truncated) {
  BOOST_TEST(runtime::check_user_ids("2147483647:2147483647", {"0", "wheel"}).has_value());
  BOOST_TEST(runtime::check_user_ids("nobody:nogroup", {}).has_value());
  BOOST_TEST(runtime::check_user_ids("99999999999", {}).error().msg ==
             "invalid user 99999999999: uids and gids must be in range 0-2147483647");
  BOOST_TEST(runtime::check_user_ids("0:2147483648", {}).error().msg ==
             "invalid group 2147483648: uids and gids must be in range 0-2147483647");
  BOOST_TEST(!runtime::check_user_ids("", {"123456789012345678901234567890"}).has_value());
  // resolve_user checks too (exec and an old record's user go through it).
  auto r = runtime::resolve_user("99999999999", "", "", {});
  BOOST_TEST(!r.has_value());
  BOOST_TEST(runtime::resolve_user("1000:1000", "", "", {})->uid == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
