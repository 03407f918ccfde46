#define BOOST_TEST_DYN_LINK
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "skiff/registry/config.hpp"
#include "skiff/util/base64.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "test_env.hpp"

using namespace skiff;
using namespace skiff::registry;
using skiff::oci::Reference;
using skiff::testing::TempEnv;

namespace {

std::vector<std::string> strs(const std::vector<Reference>& refs) {
  std::vector<std::string> v;
  for (const auto& r : refs) v.push_back(r.str());
  return v;
}

std::vector<std::string> strs(const std::vector<PullSource>& srcs) {
  std::vector<std::string> v;
  for (const auto& s : srcs) v.push_back(s.ref.str() + (s.insecure ? " insecure" : "") + (s.mirror ? " mirror" : ""));
  return v;
}

Reference parse_ref(const std::string& s) { return *Reference::parse(s); }

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_config)

BOOST_AUTO_TEST_CASE(no_config_means_docker_hub) {
  TempEnv t;
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE(conf);
  BOOST_TEST(conf->files.empty());
  auto r = resolve_short_name(*conf, parse_ref("busybox"));
  BOOST_REQUIRE(r);
  BOOST_TEST(strs(r->candidates) == std::vector<std::string>{"docker.io/library/busybox:latest"});
  BOOST_TEST(r->description == "");
  auto srcs = pull_sources(*conf, parse_ref("busybox:1"));
  BOOST_REQUIRE(srcs);
  BOOST_TEST(strs(*srcs) == std::vector<std::string>{"docker.io/library/busybox:1"});
}

BOOST_AUTO_TEST_CASE(precedence_system_file_then_drop_ins) {
  TempEnv t;
  std::string etc = t.write("sys/etc/containers/registries.conf",
                            "unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n"
                            "[aliases]\n\"foo\" = \"quay.io/foo/foo\"\n\"bar\" = \"quay.io/bar/bar\"\n");
  std::string d1 = t.write("sys/etc/containers/registries.conf.d/10-a.conf",
                           "[aliases]\n\"bar\" = \"\"\n\"baz\" = \"example.com/baz\"\n");
  std::string d2 = t.write("sys/etc/containers/registries.conf.d/20-b.conf",
                           "unqualified-search-registries = [\"127.0.0.1:5000\"]\n");
  t.write("sys/etc/containers/registries.conf.d/30-ignored.txt", "this is not TOML [");
  std::string u1 = t.write("home/.config/containers/registries.conf.d/50-user.conf", "short-name-mode = \"disabled\"\n");
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE_MESSAGE(conf, (conf ? std::string() : conf.error().msg));
  BOOST_TEST(conf->files == (std::vector<std::string>{etc, d1, d2, u1}));
  BOOST_TEST(conf->search_registries == std::vector<std::string>{"127.0.0.1:5000"});
  BOOST_TEST(conf->search_origin == d2);
  BOOST_TEST((conf->short_name_mode == ShortNameMode::kDisabled));
  BOOST_TEST(conf->aliases.count("bar") == 0u);  // erased by "" in a drop-in
  BOOST_TEST(conf->aliases.at("foo").origin == etc);
  BOOST_TEST(conf->aliases.at("baz").origin == d1);

  auto r = resolve_short_name(*conf, parse_ref("busybox:1.36"));
  BOOST_REQUIRE(r);
  BOOST_TEST(strs(r->candidates) == std::vector<std::string>{"127.0.0.1:5000/busybox:1.36"});
  BOOST_TEST(r->description == "Resolving \"busybox\" using unqualified-search registries (" + d2 + ")");
  auto a = resolve_short_name(*conf, parse_ref("foo@sha256:" + std::string(64, 'e')));
  BOOST_REQUIRE(a);
  BOOST_TEST(strs(a->candidates) == std::vector<std::string>{"quay.io/foo/foo@sha256:" + std::string(64, 'e')});
  BOOST_TEST(a->description == "Resolved \"foo\" as an alias (" + etc + ")");
  BOOST_TEST(a->from_alias);
  // Fully qualified names are not resolved.
  auto q = resolve_short_name(*conf, parse_ref("quay.io/foo"));
  BOOST_TEST(strs(q->candidates) == std::vector<std::string>{"quay.io/foo:latest"});
  BOOST_TEST(q->description == "");
}

BOOST_AUTO_TEST_CASE(user_file_hides_system_file_and_system_drop_ins) {
  TempEnv t;
  t.write("sys/etc/containers/registries.conf", "unqualified-search-registries = [\"system.example\"]\n");
  t.write("sys/etc/containers/registries.conf.d/a.conf", "[aliases]\n\"x\" = \"system.example/x\"\n");
  std::string user = t.write("home/.config/containers/registries.conf",
                             "unqualified-search-registries = [\"user.example\", \"docker.io\"]\n");
  std::string ud = t.write("home/.config/containers/registries.conf.d/a.conf", "[aliases]\n\"y\" = \"user.example/y\"\n");
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE(conf);
  BOOST_TEST(conf->files == (std::vector<std::string>{user, ud}));
  BOOST_TEST(conf->aliases.count("x") == 0u);
  BOOST_TEST(conf->aliases.count("y") == 1u);
  // Permissive (the default) without a terminal: every search registry, in order.
  auto r = resolve_short_name(*conf, parse_ref("team/app"));
  BOOST_REQUIRE(r);
  BOOST_TEST(strs(r->candidates) ==
             (std::vector<std::string>{"user.example/team/app:latest", "docker.io/team/app:latest"}));
  BOOST_TEST(!r->prompt);
  BOOST_TEST(resolve_short_name(*conf, parse_ref("team/app"), true)->prompt);
}

BOOST_AUTO_TEST_CASE(env_override_file_must_exist_and_drop_ins_still_apply) {
  TempEnv t;
  t.write("home/.config/containers/registries.conf", "unqualified-search-registries = [\"user.example\"]\n");
  std::string sysd = t.write("sys/etc/containers/registries.conf.d/a.conf", "[aliases]\n\"x\" = \"system.example/x\"\n");
  std::string over = t.write("override.conf", "unqualified-search-registries = [\"override.example\"]\n");
  t.env.registries_conf = over;
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE(conf);
  BOOST_TEST(conf->files == (std::vector<std::string>{over, sysd}));
  BOOST_TEST(conf->search_registries == std::vector<std::string>{"override.example"});
  t.env.registries_conf = t.root() + "/missing.conf";
  auto missing = load_registries_conf(t.env);
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().code == ENOENT);
  BOOST_TEST(missing.error().msg.starts_with("read registries configuration `" + t.root() + "/missing.conf`: "));
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  TempEnv t;
  auto check = [&](const std::string& text, const std::string& want) {
    std::string f = t.write("sys/etc/containers/registries.conf", text);
    auto conf = load_registries_conf(t.env);
    BOOST_REQUIRE(!conf);
    BOOST_TEST(conf.error().code == kInvalid);
    BOOST_TEST(conf.error().msg == "`" + f + "` " + want);
  };
  check("# comment\n[[registry]]\nlocation = \"a.example\"\ninsecure = \"yes\"\n",
        "line 4: [[registry]] insecure must be a boolean");
  check("unqualified-search-registries = [\"docker.io\"\n", "line 1, column 46: Error while parsing array: encountered end-of-file");
  check("\n\nshort-name-mode = \"sometimes\"\n",
        "line 3: invalid short-name-mode \"sometimes\" (want enforcing, permissive or disabled)");
  check("[registries.search]\nregistries = [\"docker.io\"]\n",
        "line 1: the version 1 format ([registries.search], [registries.insecure], [registries.block]) is not "
        "supported; use unqualified-search-registries and [[registry]] tables (containers-registries.conf(5))");
  check("[[registry]]\nprefix = \"x.example\"\nlocation = \"https://y.example\"\n",
        "line 3: invalid location \"https://y.example\": URI schemes are not supported");
  check("[[registry]]\nprefix = \"x.example\"\n", "line 2: invalid location for prefix \"x.example\": cannot be empty");
  check("[[registry]]\nprefix = \"*.x.example/foo\"\n",
        "line 2: invalid prefix \"*.x.example/foo\": a wildcard prefix must have the form *.example.com");
  check("[aliases]\n\"busybox:1\" = \"docker.io/library/busybox\"\n",
        "line 2: invalid alias \"busybox:1\": must not contain a tag or digest");
  check("[aliases]\n\"quay.io/x\" = \"quay.io/x\"\n",
        "line 2: invalid alias \"quay.io/x\": must be a short name, without a registry");
  check("[aliases]\n\"x\" = \"x\"\n", "line 2: invalid alias value \"x\": must include a registry");
  check("unqualified-search-registries = [\"not a host\"]\n",
        "line 1: invalid unqualified-search-registries entry \"not a host\": want host[:port]");
  check("[[registry]]\nlocation = \"r.example\"\n[[registry.mirror]]\nlocation = \"m.example\"\n"
        "pull-from-mirror = \"sometimes\"\n",
        "line 5: unsupported pull-from-mirror \"sometimes\" (want all, digest-only or tag-only)");
  // Semantic conflicts across files name both files.
  std::string a = t.write("sys/etc/containers/registries.conf", "[[registry]]\nlocation = \"r.example\"\n");
  std::string b = t.write("sys/etc/containers/registries.conf.d/b.conf",
                          "[[registry]]\nprefix = \"r.example/x\"\nlocation = \"r.example\"\ninsecure = true\n");
  auto conflict = load_registries_conf(t.env);
  BOOST_REQUIRE(!conflict);
  BOOST_TEST(conflict.error().msg == "registry \"r.example\" is defined several times with conflicting \"insecure\" "
                                     "settings (`" + a + "`, `" + b + "`)");
}

BOOST_AUTO_TEST_CASE(registry_tables_blocked_mirrors_prefixes) {
  TempEnv t;
  std::string f = t.write("sys/etc/containers/registries.conf", R"(
[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar"
[[registry.mirror]]
location = "mirror-0.local/mirror-for-foo"
[[registry.mirror]]
location = "mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
location = "docker.io/library"
[[registry.mirror]]
location = "127.0.0.1:5000/hub"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "127.0.0.1:5001/hub"
pull-from-mirror = "tag-only"

[[registry]]
location = "blocked.example"
blocked = true

[[registry]]
prefix = "*.corp.example"
insecure = true

[[registry]]
location = "digests.example"
mirror-by-digest-only = true
[[registry.mirror]]
location = "digest-mirror.example"
)");
  std::string d = t.write("sys/etc/containers/registries.conf.d/x.conf",
                          "[[registry]]\nprefix = \"blocked.example\"\nlocation = \"blocked.example\"\nblocked = false\n");
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE_MESSAGE(conf, (conf ? std::string() : conf.error().msg));
  // The drop-in replaced the blocked table (same prefix).
  BOOST_TEST(!conf->find_registry("blocked.example/x")->blocked);
  BOOST_TEST(conf->find_registry("blocked.example/x")->origin == d);

  auto srcs = pull_sources(*conf, parse_ref("example.com/foo/image"));
  BOOST_REQUIRE(srcs);
  BOOST_TEST(strs(*srcs) == (std::vector<std::string>{
                                "mirror-0.local/mirror-for-foo/image:latest mirror",
                                "mirror-1.local/mirrors/foo/image:latest insecure mirror",
                                "internal.example.net/bar/image:latest",
                            }));
  // "example.com/foobar" does not match the prefix "example.com/foo".
  BOOST_TEST(conf->find_registry("example.com/foobar") == nullptr);
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("example.com/foobar"))) ==
             std::vector<std::string>{"example.com/foobar:latest"});

  // Hub official images: mirrors by kind of reference.
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("busybox"))) ==
             (std::vector<std::string>{"127.0.0.1:5001/hub/busybox:latest mirror", "docker.io/library/busybox:latest"}));
  std::string dg = "@sha256:" + std::string(64, 'd');
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("busybox" + dg))) ==
             (std::vector<std::string>{"127.0.0.1:5000/hub/busybox" + dg + " mirror", "docker.io/library/busybox" + dg}));
  // docker.io/alpine/x is not under docker.io/library.
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("alpine/x"))) == std::vector<std::string>{"docker.io/alpine/x:latest"});

  // Wildcard prefix: any subdomain, no rewrite.
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("a.b.corp.example/app:1"))) ==
             std::vector<std::string>{"a.b.corp.example/app:1 insecure"});
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("corp.example/app"))) == std::vector<std::string>{"corp.example/app:latest"});
  BOOST_TEST(registry_insecure(*conf, "x.corp.example"));
  BOOST_TEST(!registry_insecure(*conf, "example.com"));

  // mirror-by-digest-only.
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("digests.example/a"))) == std::vector<std::string>{"digests.example/a:latest"});
  BOOST_TEST(strs(*pull_sources(*conf, parse_ref("digests.example/a" + dg))) ==
             (std::vector<std::string>{"digest-mirror.example/a" + dg + " mirror", "digests.example/a" + dg}));

  // Blocked.
  t.write("sys/etc/containers/registries.conf.d/y.conf", "[[registry]]\nlocation = \"docker.io/library\"\nblocked = true\n");
  auto conf2 = load_registries_conf(t.env);
  BOOST_REQUIRE(conf2);
  auto blocked = pull_sources(*conf2, parse_ref("busybox"));
  BOOST_REQUIRE(!blocked);
  BOOST_TEST(blocked.error().code == EACCES);
  BOOST_TEST(blocked.error().msg == "registry docker.io/library is blocked in `" + t.root() +
                                        "/sys/etc/containers/registries.conf.d/y.conf`");
}

BOOST_AUTO_TEST_CASE(longest_prefix_wins) {
  RegistriesConf conf;
  BOOST_REQUIRE(merge_registries_conf(conf, R"(
[[registry]]
location = "r.example"
[[registry]]
prefix = "r.example/a"
location = "a.example"
[[registry]]
prefix = "r.example/a/b"
location = "b.example/deep"
)", "test.conf", false));
  BOOST_TEST(conf.find_registry("r.example/a/b/c")->location == "b.example/deep");
  BOOST_TEST(conf.find_registry("r.example/a/c")->location == "a.example");
  BOOST_TEST(conf.find_registry("r.example/c")->location == "r.example");
  BOOST_TEST(conf.find_registry("r.example:5000/c") == nullptr);
  BOOST_TEST(strs(*pull_sources(conf, parse_ref("r.example/a/b/c:1"))) == std::vector<std::string>{"b.example/deep/c:1"});
}

BOOST_AUTO_TEST_CASE(short_name_modes_and_alias_cache) {
  TempEnv t;
  std::string f = t.write("sys/etc/containers/registries.conf",
                          "unqualified-search-registries = [\"a.example\", \"b.example\"]\nshort-name-mode = \"enforcing\"\n");
  auto conf = load_registries_conf(t.env);
  BOOST_REQUIRE(conf);
  auto e = resolve_short_name(*conf, parse_ref("app"));
  BOOST_REQUIRE(!e);
  BOOST_TEST(e.error().msg == "short-name resolution enforced but cannot prompt without a TTY (\"app\" could be any "
                              "of: a.example/app:latest, b.example/app:latest)");
  auto p = resolve_short_name(*conf, parse_ref("app"), true);
  BOOST_REQUIRE(p);
  BOOST_TEST(p->prompt);
  // After the user picked one, the choice is recorded and wins from then on.
  BOOST_REQUIRE(record_short_name_alias(t.env, "app", parse_ref("b.example/app:1")));
  auto conf2 = load_registries_conf(t.env);
  BOOST_REQUIRE(conf2);
  auto r = resolve_short_name(*conf2, parse_ref("app:2"));
  BOOST_REQUIRE(r);
  BOOST_TEST(strs(r->candidates) == std::vector<std::string>{"b.example/app:2"});
  BOOST_TEST(r->description == "Resolved \"app\" as an alias (" + t.env.home + "/.cache/containers/short-name-aliases.conf)");
  // An explicitly empty search list is an error, as in Podman.
  t.write("sys/etc/containers/registries.conf", "unqualified-search-registries = []\n");
  auto conf3 = load_registries_conf(t.env);
  auto none = resolve_short_name(*conf3, parse_ref("other"));
  BOOST_REQUIRE(!none);
  BOOST_TEST(none.error().msg == "short-name \"other\" did not resolve to an alias and no unqualified-search "
                                 "registries are defined in \"" + f + "\"");
}

BOOST_AUTO_TEST_CASE(auth_file_search_order) {
  TempEnv t;
  auto entry = [](const std::string& up) { return "{\"auth\":\"" + base64_encode(up) + "\"}"; };
  std::string primary = t.write("run/user/containers/auth.json",
                                "{\"auths\":{\"localhost:5000/team\":" + entry("team:t") + "}}");
  std::string xdg = t.write("home/.config/containers/auth.json",
                            "{\"auths\":{\"localhost:5000\":" + entry("xdg:x") + ",\"quay.io\":" + entry("q:q") + "}}");
  std::string docker = t.write("home/.docker/config.json",
                               "{\"auths\":{\"https://index.docker.io/v1/\":" + entry("hub:h:with:colons") +
                                   ",\"localhost:5000\":" + entry("docker:d") + "}}");
  std::string legacy = t.write("home/.dockercfg", "{\"https://old.example/v1/\":" + entry("old:o") + "}");

  auto find = [&](const std::string& reg, const std::string& path, std::string authfile = "") {
    auto r = find_credentials(t.env, reg, path, authfile);
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().msg));
    return *r;
  };
  // Most specific key in the first file that has any.
  auto a = find("localhost:5000", "team/app");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->creds.username == "team");
  BOOST_TEST(a->file == primary);
  BOOST_TEST(a->key == "localhost:5000/team");
  auto b = find("localhost:5000", "other/app");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->creds.username == "xdg");
  BOOST_TEST(b->file == xdg);
  // Docker's Hub key, a password containing colons.
  auto hub = find("docker.io", "library/busybox");
  BOOST_REQUIRE(hub);
  BOOST_TEST(hub->creds.username == "hub");
  BOOST_TEST(hub->creds.password == "h:with:colons");
  BOOST_TEST(hub->file == docker);
  BOOST_TEST(hub->key == "https://index.docker.io/v1/");
  auto old = find("old.example", "x");
  BOOST_REQUIRE(old);
  BOOST_TEST(old->file == legacy);
  BOOST_TEST(!find("nothing.example", "x"));

  // $DOCKER_CONFIG replaces ~/.docker.
  t.env.docker_config = t.root() + "/dockercfg";
  std::string dc = t.write("dockercfg/config.json", "{\"auths\":{\"docker.io\":" + entry("dc:x") + "}}");
  BOOST_TEST(find("docker.io", "library/busybox")->file == dc);

  // An explicit file (--authfile, or REGISTRY_AUTH_FILE) is the only one read.
  std::string only = t.write("only.json", "{\"auths\":{}}");
  BOOST_TEST(!find("localhost:5000", "other/app", only));
  t.env.registry_auth_file = only;
  BOOST_TEST(auth_file_search_path(t.env).size() == 1u);
  BOOST_TEST(!find("quay.io", "x"));
  t.env.registry_auth_file.clear();

  // Without XDG_RUNTIME_DIR the primary file is under /run/containers/$UID.
  t.env.xdg_runtime_dir.clear();
  BOOST_TEST(primary_auth_file(t.env) == t.env.sysroot + "/run/containers/1000/auth.json");

  // A malformed file is an error naming it.
  t.write("home/.config/containers/auth.json", "{\"auths\":{\"bad.example\":{\"auth\":\"!!!\"}}}");
  auto bad = find_credentials(t.env, "bad.example", "x");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "`" + xdg + "`: auths \"bad.example\": \"auth\" is not valid base64");
}

BOOST_AUTO_TEST_CASE(store_and_remove_credentials) {
  TempEnv t;
  std::string path = primary_auth_file(t.env);
  t.write(path, "{\"auths\":{\"keep.example\":{\"auth\":\"a2VlcDpr\"}},\"credHelpers\":{\"x\":\"y\"}}");
  BOOST_REQUIRE(store_credentials(t.env, "localhost:5000", Credentials{"me", "s3cret", ""}));
  struct stat st;
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto doc = read_json_file(path);
  BOOST_REQUIRE(doc);
  BOOST_TEST((*doc)["auths"]["localhost:5000"]["auth"].get<std::string>() == base64_encode("me:s3cret"));
  BOOST_TEST((*doc)["auths"].contains("keep.example"));
  BOOST_TEST((*doc)["credHelpers"]["x"].get<std::string>() == "y");
  auto found = find_credentials(t.env, "localhost:5000", "a");
  BOOST_REQUIRE(found && *found);
  BOOST_TEST((*found)->creds.password == "s3cret");
  BOOST_TEST(*remove_credentials(t.env, "localhost:5000"));
  BOOST_TEST(!*remove_credentials(t.env, "localhost:5000"));
  BOOST_TEST(!*find_credentials(t.env, "localhost:5000", "a"));

  // A fresh runtime dir gets containers/ with mode 0700.
  TempEnv u;
  BOOST_REQUIRE(store_credentials(u.env, "docker.io", Credentials{"a", "b", ""}));
  BOOST_REQUIRE(::stat((u.env.xdg_runtime_dir + "/containers").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0700u);
}

BOOST_AUTO_TEST_CASE(creds_flag) {
  auto c = parse_creds("user:pa:ss");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->username == "user");
  BOOST_TEST(c->password == "pa:ss");
  BOOST_TEST(parse_creds("user")->password == "");
  BOOST_TEST(parse_creds(":x").error().msg == "invalid --creds: the username cannot be empty");
  BOOST_TEST(parse_creds("").error().msg == "invalid --creds: credentials cannot be empty");
}

BOOST_AUTO_TEST_CASE(certs_dir_lookup) {
  TempEnv t;
  auto none = find_certs(t.env, "localhost:5000");
  BOOST_REQUIRE(none);
  BOOST_TEST(none->dir == "");
  t.write("sys/etc/docker/certs.d/localhost:5000/ca.crt", "x");
  std::string etc = t.root() + "/sys/etc/containers/certs.d/localhost:5000";
  t.write(etc + "/b.crt", "x");
  t.write(etc + "/a.crt", "x");
  t.write(etc + "/client.cert", "x");
  t.write(etc + "/client.key", "x");
  auto c = find_certs(t.env, "localhost:5000");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->dir == etc);
  BOOST_TEST(c->ca_files == (std::vector<std::string>{etc + "/a.crt", etc + "/b.crt"}));
  BOOST_TEST(c->client_cert == etc + "/client.cert");
  BOOST_TEST(c->client_key == etc + "/client.key");
  // The user's directory wins when it exists, even empty.
  std::string user = t.env.home + "/.config/containers/certs.d/localhost:5000";
  BOOST_REQUIRE(mkdir_p(user));
  auto u = find_certs(t.env, "localhost:5000");
  BOOST_TEST(u->dir == user);
  BOOST_TEST(u->ca_files.empty());
  t.write(user + "/lonely.cert", "x");
  auto bad = find_certs(t.env, "localhost:5000");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "missing key `" + user + "/lonely.key` for client certificate `" + user +
                                    "/lonely.cert` (CA certificates should use the extension .crt)");
  // --cert-dir replaces the search.
  auto over = find_certs(t.env, "localhost:5000", etc);
  BOOST_TEST(over->dir == etc);
}

BOOST_AUTO_TEST_SUITE_END()
