#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../storage/fixture.hpp"
#include "engine/mounts.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"

using namespace skiff;
using namespace skiff::engine;
using skiff::test::TempDir;

namespace {

using Strings = std::vector<std::string>;

// Parses one flag of each kind; the error's text ("" on success).
std::string error_of(const Strings& v, const Strings& m = {}, const Strings& t = {}) {
  auto r = parse_mount_flags(v, m, t);
  return r ? std::string() : r.error().msg;
}

MountSpec one(const Strings& v, const Strings& m = {}, const Strings& t = {}) {
  auto r = parse_mount_flags(v, m, t);
  BOOST_REQUIRE_MESSAGE(r, test::why(r));
  BOOST_REQUIRE_EQUAL(r->size(), 1u);
  return (*r)[0];
}

bool has(const Strings& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_mounts)

BOOST_AUTO_TEST_CASE(volume_flag_anonymous_and_named) {
  auto a = one({"/data"});
  BOOST_TEST(a.type == "volume");
  BOOST_TEST(a.anonymous);
  BOOST_TEST(a.name.size() == 64u);  // 32 random bytes in hex, as Docker's anonymous volumes
  BOOST_TEST(a.destination == "/data");
  BOOST_TEST(a.rw);
  BOOST_TEST(one({"/data"}).name != a.name);

  auto n = one({"my-vol.1:/var/lib/x/:ro"});
  BOOST_TEST(n.type == "volume");
  BOOST_TEST(!n.anonymous);
  BOOST_TEST(n.name == "my-vol.1");
  BOOST_TEST(n.source.empty());
  BOOST_TEST(n.destination == "/var/lib/x");  // cleaned
  BOOST_TEST(!n.rw);
}

BOOST_AUTO_TEST_CASE(volume_flag_bind_sources) {
  TempDir t;
  BOOST_REQUIRE(mkdir_p(t.sub("src/sub"), 0755));
  auto b = one({t.sub("src/sub/..") + ":/mnt"});
  BOOST_TEST(b.type == "bind");
  BOOST_TEST(b.source == t.sub("src"));  // resolved (realpath)
  BOOST_TEST(!b.create_source);

  // A missing host directory is created by -v (at create), not refused.
  auto m = one({t.sub("missing//dir/") + ":/mnt"});
  BOOST_TEST(m.type == "bind");
  BOOST_TEST(m.create_source);
  BOOST_TEST(m.source == t.sub("missing/dir"));
  BOOST_TEST(!path_exists(m.source), "parsing creates nothing");
  std::vector<MountSpec> ms{m};
  BOOST_REQUIRE(create_bind_sources(ms));
  struct stat st;
  BOOST_REQUIRE(stat(t.sub("missing/dir").c_str(), &st) == 0);
  BOOST_TEST(S_ISDIR(st.st_mode));
  BOOST_TEST((st.st_mode & 0777) == 0755u);

  // A relative source (starting with '.') is a bind relative to the working directory.
  char cwd[PATH_MAX];
  BOOST_REQUIRE(getcwd(cwd, sizeof cwd));
  auto r = one({"./no-such-skiff-test-dir/x:/mnt"});
  BOOST_TEST(r.type == "bind");
  BOOST_TEST(r.create_source);
  BOOST_TEST(r.source == std::string(cwd) + "/no-such-skiff-test-dir/x");
}

BOOST_AUTO_TEST_CASE(volume_flag_modes) {
  auto m = one({"v1:/x:rw,rshared,nocopy,z"});
  BOOST_TEST(m.rw);
  BOOST_TEST(m.nocopy);
  BOOST_TEST(m.options == Strings{"rshared"});
  BOOST_TEST(!one({"v1:/x:Z,ro"}).rw);
  BOOST_TEST(one({"v1:/x:"}).rw, "an empty mode is the default");
  BOOST_TEST(error_of({"v1:/x:rx"}) == "invalid mode: rx");
  BOOST_TEST(error_of({"v1:/x:ro,bogus"}) == "invalid mode: bogus");
}

BOOST_AUTO_TEST_CASE(volume_flag_errors) {
  BOOST_TEST(error_of({"a:b:c:d"}) == "invalid volume specification: 'a:b:c:d'");
  BOOST_TEST(error_of({":/x"}) == "invalid volume specification: ':/x'");
  BOOST_TEST(error_of({"bad name:/x"}) ==
             "\"bad name\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
             "allowed. If you intended to pass a host directory, use absolute path");
  BOOST_TEST(error_of({"v:/x"}).find("includes invalid characters") != std::string::npos,
             "a one-character name is not a valid volume name (Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+)");
  BOOST_TEST(error_of({"_v:/x"}).find("includes invalid characters") != std::string::npos);
  BOOST_TEST(error_of({"v1:relative"}) == "invalid mount destination \"relative\": must be an absolute path");
  BOOST_TEST(error_of({"relative"}) == "invalid mount destination \"relative\": must be an absolute path");
  BOOST_TEST(error_of({"v1:/"}) == "invalid mount destination \"/\": cannot mount over the root");
  BOOST_TEST(error_of({"v1:/a/.."}) == "invalid mount destination \"/\": cannot mount over the root");
}

BOOST_AUTO_TEST_CASE(mount_flag_types) {
  TempDir t;
  auto b = one({}, {"type=bind,src=" + t.path() + ",dst=/mnt/,readonly,bind-propagation=rslave"});
  BOOST_TEST(b.type == "bind");
  BOOST_TEST(b.source == t.path());
  BOOST_TEST(b.destination == "/mnt");
  BOOST_TEST(!b.rw);
  BOOST_TEST(b.options == Strings{"rslave"});
  BOOST_TEST(!b.create_source);

  auto v = one({}, {"Type=volume,Source=data,Target=/d,volume-nocopy"});  // keys are case-insensitive
  BOOST_TEST(v.type == "volume");
  BOOST_TEST(v.name == "data");
  BOOST_TEST(v.source.empty());
  BOOST_TEST(v.nocopy);
  BOOST_TEST(!v.anonymous);

  auto a = one({}, {"type=volume,destination=/d,ro=false"});
  BOOST_TEST(a.anonymous);
  BOOST_TEST(a.name.size() == 64u);
  BOOST_TEST(a.rw);

  auto tm = one({}, {"type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777"});
  BOOST_TEST(tm.type == "tmpfs");
  BOOST_TEST(has(tm.options, "size=67108864"));
  BOOST_TEST(has(tm.options, "mode=1777"));
}

BOOST_AUTO_TEST_CASE(mount_flag_errors) {
  TempDir t;
  BOOST_TEST(error_of({}, {"src=/x,dst=/y"}) == "type is required");
  BOOST_TEST(error_of({}, {"type=volume,src=v1"}) == "target is required");
  BOOST_TEST(error_of({}, {"type=npipe,dst=/y"}) == "invalid mount type \"npipe\" (bind, volume, tmpfs)");
  BOOST_TEST(error_of({}, {"type=bind,dst=/y"}) == "source is required when specifying bind mount");
  BOOST_TEST(error_of({}, {"type=bind,src=" + t.sub("missing") + ",dst=/y"}) ==
                 "bind source path does not exist: " + t.sub("missing"),
             "--mount never creates a missing source (-v does)");
  BOOST_TEST(error_of({}, {"type=tmpfs,src=x,dst=/y"}) == "source is not allowed for tmpfs mounts");
  BOOST_TEST(error_of({}, {"type=volume,src=bad/name,dst=/y"}) == "invalid volume name \"bad/name\"");
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,readonly=maybe"}) == "invalid value for readonly: maybe");
  BOOST_TEST(error_of({}, {"type=bind,src=/,dst=/y,bind-propagation=shared-ish"}) ==
             "invalid propagation mode: shared-ish");
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-size=lots"}).find("invalid tmpfs-size: lots") == 0);
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-size=-1"}).find("invalid tmpfs-size: -1") == 0);
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-mode=rwx"}).find("invalid tmpfs-mode: rwx") == 0);
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,colour=blue"}) == "unexpected key 'colour' in 'colour=blue'");
  BOOST_TEST(error_of({}, {"type=volume,dst=y"}) == "invalid mount destination \"y\": must be an absolute path");
  // Keys Docker accepts and skiff ignores.
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,volume-driver=local,volume-opt=o=x,volume-label=a=b,consistency=cached"}) ==
             "");
}

BOOST_AUTO_TEST_CASE(tmpfs_flag) {
  auto m = one({}, {}, {"/run/x/:ro,size=64m,mode=1770,noexec"});
  BOOST_TEST(m.type == "tmpfs");
  BOOST_TEST(m.destination == "/run/x");
  BOOST_TEST(!m.rw);
  BOOST_TEST(m.options == (Strings{"size=64m", "mode=1770", "noexec"}));
  BOOST_TEST(one({}, {}, {"/t"}).options.empty());
  BOOST_TEST(one({}, {}, {"/t:rw,,"}).rw);
  BOOST_TEST(error_of({}, {}, {"t"}) == "invalid mount destination \"t\": must be an absolute path");
}

BOOST_AUTO_TEST_CASE(tmpfs_sizes_as_the_kernel_reads_them) {
  for (const char* ok : {"size=1", "size=64k", "size=64K", "size=1g", "size=7e", "size=7E", "size=50%", "size=100000%"})
    BOOST_TEST(error_of({}, {}, {std::string("/t:") + ok}) == "", ok);
  BOOST_TEST(error_of({}, {}, {"/t:size=m"}) ==
             "--tmpfs /t:size=m: invalid tmpfs size \"m\": want a number of bytes with an optional k, m, g, t, p "
             "or e suffix, or a percentage");
  BOOST_TEST(error_of({}, {}, {"/t:size=1mb"}) == "--tmpfs /t:size=1mb: invalid tmpfs size \"1mb\": unknown unit \"mb\" (k, m, g, t, p, e)");
  BOOST_TEST(error_of({}, {}, {"/t:size=1x"}).find("unknown unit \"x\"") != std::string::npos);
  // The kernel's memparse wraps silently: 8 EiB and more is refused here.
  BOOST_TEST(error_of({}, {}, {"/t:size=8192p"}).find("larger than 8 EiB") != std::string::npos);
  BOOST_TEST(error_of({}, {}, {"/t:size=9223372036854775808"}).find("larger than 8 EiB") != std::string::npos);
  BOOST_TEST(error_of({}, {}, {"/t:size=99999999999999999999999"}).find("larger than 8 EiB") != std::string::npos);
  BOOST_TEST(error_of({}, {}, {"/t:size=9223372036854775807"}) == "");
  BOOST_TEST(error_of({}, {}, {"/t:size=100001%"}).find("a percentage of the RAM that large overflows") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(nothing_over_or_inside_proc) {
  BOOST_TEST(error_of({"v1:/proc"}) == "\"/proc\" cannot be mounted because it is not of type proc");
  BOOST_TEST(error_of({}, {}, {"/proc/"}) == "\"/proc\" cannot be mounted because it is not of type proc");
  BOOST_TEST(error_of({}, {}, {"/proc/sys"}) == "\"/proc/sys\" cannot be mounted because it is inside /proc");
  BOOST_TEST(error_of({"v1:/proc/meminfo"}) == "\"/proc/meminfo\" cannot be mounted because it is inside /proc",
             "a volume is never one of lxcfs's files");
  // lxcfs's emulated files may be bound (and only those).
  BOOST_TEST(error_of({"/:/proc/meminfo", "/:/proc/uptime", "/:/proc/sys/kernel/ns_last_pid"}) == "");
  BOOST_TEST(error_of({"/:/proc/version"}) == "\"/proc/version\" cannot be mounted because it is inside /proc");
  BOOST_TEST(error_of({"v1:/procfs"}) == "", "only /proc itself and below");
}

BOOST_AUTO_TEST_CASE(duplicate_mount_points) {
  BOOST_TEST(error_of({"v1:/data", "v2:/data/"}) == "duplicate mount point: /data");
  BOOST_TEST(error_of({"v1:/data"}, {"type=tmpfs,dst=/data"}) == "duplicate mount point: /data");
  BOOST_TEST(error_of({}, {"type=volume,dst=/a/b"}, {"/a/./b"}) == "duplicate mount point: /a/b");
  auto r = parse_mount_flags({"v1:/a", "/b"}, {"type=tmpfs,dst=/c"}, {"/d"});
  BOOST_REQUIRE(r);
  BOOST_REQUIRE_EQUAL(r->size(), 4u);  // -v, then --mount, then --tmpfs
  BOOST_TEST((*r)[0].destination == "/a");
  BOOST_TEST((*r)[1].destination == "/b");
  BOOST_TEST((*r)[2].destination == "/c");
  BOOST_TEST((*r)[3].destination == "/d");
}

BOOST_AUTO_TEST_CASE(inspect_json_round_trip) {
  TempDir t;
  auto r = parse_mount_flags({"v1:/a:ro,nocopy", t.path() + ":/b", t.sub("new") + ":/c:rshared"}, {},
                             {"/d:size=1m"});
  BOOST_REQUIRE(r);
  Json j = mounts_to_json(*r);
  BOOST_REQUIRE(j.is_array());
  BOOST_TEST(json_str(j[0], "Type") == "volume");
  BOOST_TEST(json_str(j[0], "Name") == "v1");
  BOOST_TEST(json_str(j[0], "Driver") == "local");
  BOOST_TEST(json_bool(j[0], "RW", true) == false);
  BOOST_TEST(json_str(j[0], "Propagation") == "");
  BOOST_TEST(json_str(j[1], "Propagation") == "rprivate", "a bind's default propagation, as Docker shows it");
  BOOST_TEST(!j[1].contains("Name"));
  BOOST_TEST(json_str(j[2], "Propagation") == "rshared");
  BOOST_TEST(json_str(j[2], "Mode") == "rshared");
  BOOST_TEST(json_bool(j[2], "CreateSource"));
  BOOST_TEST(json_str(j[3], "Type") == "tmpfs");

  auto back = mounts_from_json(j);
  BOOST_REQUIRE_EQUAL(back.size(), r->size());
  for (size_t i = 0; i < back.size(); ++i) {
    BOOST_TEST(back[i].type == (*r)[i].type);
    BOOST_TEST(back[i].name == (*r)[i].name);
    BOOST_TEST(back[i].source == (*r)[i].source);
    BOOST_TEST(back[i].destination == (*r)[i].destination);
    BOOST_TEST(back[i].options == (*r)[i].options);
    BOOST_TEST(back[i].rw == (*r)[i].rw);
    BOOST_TEST(back[i].nocopy == (*r)[i].nocopy);
    BOOST_TEST(back[i].anonymous == (*r)[i].anonymous);
    BOOST_TEST(back[i].create_source == (*r)[i].create_source);
  }
  BOOST_TEST(mounts_from_json(Json("garbage")).empty());
  BOOST_TEST(mounts_from_json(Json::parse(R"([{"Destination":"/x"}])"))[0].rw, "RW defaults to true");
}

BOOST_AUTO_TEST_CASE(volume_flag_consistency_modes_are_accepted) {
  // Docker accepts (and on Linux ignores) the consistency modes that compose files written for
  // Docker Desktop carry: -v ./src:/app:cached.
  for (const char* mode : {"cached", "delegated", "consistent"}) {
    auto m = one({std::string("v1:/x:ro,") + mode});
    BOOST_TEST(!m.rw, mode);
    BOOST_TEST(m.options.empty(), mode);
  }
}

BOOST_AUTO_TEST_CASE(mount_flag_options_of_another_type_are_refused) {
  TempDir t;
  std::string bind = "type=bind,src=" + t.path() + ",dst=/y";
  BOOST_TEST(error_of({}, {bind + ",tmpfs-size=1m"}) == "cannot mix 'tmpfs-*' options with mount type 'bind'");
  BOOST_TEST(error_of({}, {bind + ",volume-nocopy"}) == "cannot mix 'volume-*' options with mount type 'bind'");
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,bind-propagation=shared"}) ==
             "cannot mix 'bind-*' options with mount type 'volume'");
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,tmpfs-mode=700"}) == "cannot mix 'tmpfs-*' options with mount type 'volume'");
  BOOST_TEST(error_of({}, {"tmpfs-size=1m,type=volume,dst=/y"}) == "cannot mix 'tmpfs-*' options with mount type 'volume'",
             "whatever the order of the keys");
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,bind-nonrecursive=true"}) == "cannot mix 'bind-*' options with mount type 'tmpfs'");
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,volume-driver=local"}) == "cannot mix 'volume-*' options with mount type 'tmpfs'");
  BOOST_TEST(error_of({}, {"type=volume,dst=/y,volume-nocopy,bind-propagation=shared"}) ==
             "cannot mix 'bind-*' options with mount type 'volume'");
  BOOST_TEST(error_of({}, {bind + ",bind-nonrecursive=true,readonly"}) == "");
}

BOOST_AUTO_TEST_CASE(tmpfs_mode_is_octal) {
  // The kernel reads tmpfs's mode= in octal: a digit 8 or 9 would fail only at start.
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-mode=999"}) == "invalid tmpfs-mode: 999 (an octal mode: 1777, 700)");
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-mode=0o755"}) == "invalid tmpfs-mode: 0o755 (an octal mode: 1777, 700)");
  BOOST_TEST(error_of({}, {"type=tmpfs,dst=/y,tmpfs-mode="}) == "invalid tmpfs-mode:  (an octal mode: 1777, 700)");
  BOOST_TEST(has(one({}, {"type=tmpfs,dst=/y,tmpfs-mode=0700"}).options, "mode=0700"));
}

BOOST_AUTO_TEST_SUITE_END()
