#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <memory>
#include <random>

#include "fake_registry.hpp"
#include "skiff/registry/client.hpp"
#include "test_env.hpp"

using namespace skiff;
using namespace skiff::registry;
using skiff::oci::Reference;
using skiff::testing::FakeRegistry;
using skiff::testing::TempEnv;

namespace {

std::string random_bytes(size_t n, unsigned seed = 1) {
  std::mt19937 g(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(g());
  return s;
}

struct Fixture {
  TempEnv t;
  FakeRegistry reg;
  RegistriesConf conf;
  std::vector<int> sleeps;
  std::string layer = random_bytes(1 << 20);
  std::string layer_digest, config_digest, config, manifest, manifest_digest;

  Fixture() {
    layer_digest = reg.add_blob(layer);
    config = R"({"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:)" +
             std::string(64, '1') + R"("]}})";
    config_digest = reg.add_blob(config);
    manifest = manifest_json(config_digest, config.size(), layer_digest, layer.size());
    manifest_digest = reg.add_manifest("library/app", "latest", std::string(oci::media::kOciManifest), manifest);
  }

  static std::string manifest_json(const std::string& cd, size_t cs, const std::string& ld, size_t ls) {
    return fmt::format(R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                       R"("config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},)"
                       R"("layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{}}}]}})",
                       cd, cs, ld, ls);
  }

  ClientOptions options() {
    ClientOptions o;
    o.sleep = [this](int ms) { sleeps.push_back(ms); };
    return o;
  }
  std::unique_ptr<Client> client(ClientOptions o) { return std::make_unique<Client>(reg, t.env, conf, std::move(o)); }
  std::unique_ptr<Client> client() { return client(options()); }

  PullSource source(const std::string& name = "reg.test/library/app") { return PullSource{*Reference::parse(name)}; }
  oci::Descriptor layer_desc() {
    return oci::Descriptor{std::string(oci::media::kOciLayerGzip), *oci::Digest::parse(layer_digest), int64_t(layer.size())};
  }
};

Reference parse_ref(const std::string& s) { return *Reference::parse(s); }

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_client)

BOOST_AUTO_TEST_CASE(challenge_parsing) {
  auto cs = parse_challenges({R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")",
                              R"(Basic realm="a \"quoted\" realm", Bearer realm=https://x/t , error="insufficient_scope")"});
  BOOST_REQUIRE(cs.size() == 3u);
  BOOST_TEST(cs[0].scheme == "bearer");
  BOOST_TEST(cs[0].params.at("realm") == "https://auth.docker.io/token");
  BOOST_TEST(cs[0].params.at("service") == "registry.docker.io");
  BOOST_TEST(cs[0].params.at("scope") == "repository:library/busybox:pull");
  BOOST_TEST(cs[1].scheme == "basic");
  BOOST_TEST(cs[1].params.at("realm") == "a \"quoted\" realm");
  BOOST_TEST(cs[2].scheme == "bearer");
  BOOST_TEST(cs[2].params.at("realm") == "https://x/t");
  BOOST_TEST(cs[2].params.at("error") == "insufficient_scope");
  BOOST_TEST(parse_challenges({""}).empty());
}

BOOST_AUTO_TEST_CASE(urls) {
  auto u = parse_url("https://reg.test:5000/v2/x/blobs/sha256:ab?x=1");
  BOOST_REQUIRE(u);
  BOOST_TEST(u->host == "reg.test");
  BOOST_TEST(u->port == 5000);
  BOOST_TEST(u->path_query == "/v2/x/blobs/sha256:ab?x=1");
  BOOST_TEST(u->origin() == "https://reg.test:5000");
  BOOST_TEST(parse_url("http://[::1]:5000")->authority() == "[::1]:5000");
  BOOST_TEST(parse_url("https://h/")->authority() == "h");
  BOOST_TEST(!parse_url("ftp://h/"));
  BOOST_TEST(!parse_url("https://user@h/"));
  BOOST_TEST(resolve_url(*u, "/other?y")->str() == "https://reg.test:5000/other?y");
  BOOST_TEST(resolve_url(*u, "//cdn.test/b")->str() == "https://cdn.test/b");
  BOOST_TEST(resolve_url(*u, "https://s3.test:9000/p")->str() == "https://s3.test:9000/p");
  BOOST_TEST(resolve_url(*u, "rel")->str() == "https://reg.test:5000/v2/x/blobs/rel");
  BOOST_TEST(url_query_escape("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull");
}

BOOST_AUTO_TEST_CASE(anonymous_token_flow_and_cache) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  auto c = f.client();
  auto m = c->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  BOOST_TEST(m->digest.str() == f.manifest_digest);
  BOOST_TEST(m->source.ref.str() == "reg.test/library/app:latest");
  auto tokens = f.reg.requests("auth.test/token");
  BOOST_REQUIRE(tokens.size() == 1u);
  BOOST_TEST(tokens[0].url == "https://auth.test/token?service=reg.test&scope=repository%3Alibrary%2Fapp%3Apull");
  BOOST_TEST(!tokens[0].headers.has("Authorization"));
  // The manifest request asked for every manifest type.
  auto mr = f.reg.requests("/manifests/latest");
  BOOST_REQUIRE(mr.size() == 1u);
  BOOST_TEST(mr[0].headers.get_all("Accept").size() == 4u);
  BOOST_TEST(mr[0].headers.get("Authorization") == "Bearer anon-1");
  // A second fetch and a blob reuse the cached token; the ping happened once.
  BOOST_REQUIRE(c->fetch_manifest(parse_ref("reg.test/library/app")));
  StringSink sink;
  BOOST_REQUIRE(c->fetch_blob(f.source(), f.layer_desc(), sink));
  BOOST_TEST(f.reg.requests("auth.test/token").size() == 1u);
  BOOST_TEST(f.reg.requests("/v2/").size() == 4u);  // ping + 2 manifests + 1 blob
  BOOST_TEST(f.reg.requests("reg.test/v2/").front().url == "https://reg.test/v2/");
}

BOOST_AUTO_TEST_CASE(token_renewed_on_401) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  auto c = f.client();
  BOOST_REQUIRE(c->fetch_manifest(parse_ref("reg.test/library/app")));
  f.reg.valid_tokens.clear();  // the registry forgets (expires) every token
  auto m = c->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  auto tokens = f.reg.requests("auth.test/token");
  BOOST_TEST(tokens.size() == 2u);
  auto mr = f.reg.requests("/manifests/latest");
  BOOST_REQUIRE(mr.size() == 3u);
  BOOST_TEST(mr[1].headers.get("Authorization") == "Bearer anon-1");  // refused
  BOOST_TEST(mr[2].headers.get("Authorization") == "Bearer anon-2");  // renewed
}

BOOST_AUTO_TEST_CASE(credentialed_token_from_auth_json) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  f.reg.anonymous_tokens = false;
  f.t.write("home/.config/containers/auth.json",
            "{\"auths\":{\"reg.test\":{\"auth\":\"" + base64_encode("alice:secret") + "\"}}}");
  auto c = f.client();
  auto m = c->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  auto tokens = f.reg.requests("auth.test/token");
  BOOST_REQUIRE(tokens.size() == 1u);
  BOOST_TEST(tokens[0].headers.get("Authorization") == "Basic " + base64_encode("alice:secret"));

  // --creds overrides auth.json; wrong ones give an authentication error naming the registry.
  auto o = f.options();
  o.creds = Credentials{"alice", "wrong", ""};
  auto bad = f.client(o)->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().code == kAuth);
  BOOST_TEST(bad.error().msg == "manifest for reg.test/library/app:latest: registry reg.test: authentication failed "
                                "(wrong username or password?): unauthorized: incorrect username or password");
  BOOST_TEST(f.client(o)->check_login("reg.test", Credentials{"alice", "secret", ""}).has_value());
  BOOST_TEST(!f.client(o)->check_login("reg.test", Credentials{"alice", "nope", ""}).has_value());
}

BOOST_AUTO_TEST_CASE(basic_auth) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBasic;
  auto anon = f.client()->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!anon);
  BOOST_TEST(anon.error().code == kAuth);
  BOOST_TEST(anon.error().msg ==
             "manifest for reg.test/library/app:latest: access to registry reg.test denied (HTTP 401 Unauthorized: "
             "unauthorized: authentication required); log in with `skiff login reg.test` if the repository is private");
  auto o = f.options();
  o.creds = Credentials{"alice", "secret", ""};
  auto c = f.client(o);
  auto m = c->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  BOOST_TEST(f.reg.log.back().headers.get("Authorization") == "Basic " + base64_encode("alice:secret"));
  BOOST_TEST(f.reg.requests("auth.test").empty());
  BOOST_TEST(c->check_login("reg.test", Credentials{"alice", "secret", ""}).has_value());
  auto wrong = c->check_login("reg.test", Credentials{"alice", "x", ""});
  BOOST_REQUIRE(!wrong);
  BOOST_TEST(wrong.error().msg == "registry reg.test: authentication failed (wrong username or password?): "
                                  "unauthorized: authentication required");
  // A pull with refused credentials says they were refused (not "log in").
  o.creds = Credentials{"alice", "x", ""};
  auto refused = f.client(o)->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().code == kAuth);
  BOOST_TEST(refused.error().msg == "manifest for reg.test/library/app:latest: registry reg.test: authentication "
                                    "failed (wrong username or password?): unauthorized: authentication required");
}

BOOST_AUTO_TEST_CASE(redirect_drops_authorization_for_another_host) {
  Fixture f;
  f.reg.auth = FakeRegistry::Auth::kBearer;
  f.reg.cdn_host = "cdn.test";
  auto c = f.client();
  StringSink sink;
  auto n = c->fetch_blob(f.source(), f.layer_desc(), sink);
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(*n == f.layer.size());
  BOOST_TEST(sink.str() == f.layer);
  auto at_registry = f.reg.requests("reg.test/v2/library/app/blobs/");
  auto at_cdn = f.reg.requests("cdn.test/");
  BOOST_REQUIRE(at_registry.size() == 1u);
  BOOST_REQUIRE(at_cdn.size() == 1u);
  BOOST_TEST(at_registry[0].headers.get("Authorization").starts_with("Bearer "));
  BOOST_TEST(!at_cdn[0].headers.has("Authorization"));
  BOOST_TEST(at_cdn[0].url == "https://cdn.test/blobs/" + f.layer_digest + "?sig=abc");
}

BOOST_AUTO_TEST_CASE(resume_after_a_drop_requests_only_the_rest) {
  Fixture f;
  f.reg.drop_after = 300000;
  f.reg.drops_left = 2;  // drops twice: at 300000, then 300000 bytes into the second response
  auto c = f.client();
  StringSink sink;
  auto n = c->fetch_blob(f.source(), f.layer_desc(), sink);
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(sink.str() == f.layer);
  auto reqs = f.reg.requests("/blobs/");
  BOOST_REQUIRE(reqs.size() == 3u);
  BOOST_TEST(!reqs[0].headers.has("Range"));
  BOOST_TEST(reqs[1].headers.get("Range") == "bytes=300000-");
  BOOST_TEST(reqs[2].headers.get("Range") == "bytes=600000-");
  BOOST_TEST(f.sleeps.empty());  // progress was made each time: no backoff
}

BOOST_AUTO_TEST_CASE(resume_when_the_server_ignores_range) {
  Fixture f;
  f.reg.drop_after = 500000;
  f.reg.drops_left = 1;
  f.reg.ignore_range = true;
  StringSink sink;
  auto n = f.client()->fetch_blob(f.source(), f.layer_desc(), sink);
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(sink.str() == f.layer);  // the first 500000 bytes of the 200 were skipped
}

BOOST_AUTO_TEST_CASE(start_at_an_offset_kept_by_an_earlier_process) {
  Fixture f;
  size_t kept = 123457;
  auto h = Sha256::make();
  BOOST_REQUIRE(h);
  h->update(std::string_view(f.layer).substr(0, kept));
  StringSink sink;
  BlobStart start;
  start.offset = kept;
  start.hash.emplace(std::move(*h));
  auto n = f.client()->fetch_blob(f.source(), f.layer_desc(), sink, std::move(start));
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(*n == f.layer.size() - kept);
  BOOST_TEST(sink.str() == f.layer.substr(kept));
  auto reqs = f.reg.requests("/blobs/");
  BOOST_REQUIRE(reqs.size() == 1u);
  BOOST_TEST(reqs[0].headers.get("Range") == "bytes=123457-");

  // A wrong prefix hash is caught at the end.
  auto bad = Sha256::make();
  bad->update("not the prefix");
  BlobStart wrong;
  wrong.offset = kept;
  wrong.hash.emplace(std::move(*bad));
  StringSink sink2;
  auto r = f.client()->fetch_blob(f.source(), f.layer_desc(), sink2, std::move(wrong));
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kCorrupt);
}

BOOST_AUTO_TEST_CASE(blob_digest_mismatch_and_overlong_blob) {
  Fixture f;
  f.reg.blob_override = random_bytes(f.layer.size(), 2);
  StringSink sink;
  auto r = f.client()->fetch_blob(f.source(), f.layer_desc(), sink);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kCorrupt);
  BOOST_TEST(r.error().msg == "blob " + f.layer_digest + " from reg.test/library/app: digest mismatch: the content is " +
                                  *sha256_digest(f.reg.blob_override));
  f.reg.blob_override = f.layer + "x";
  StringSink sink2;
  auto longer = f.client()->fetch_blob(f.source(), f.layer_desc(), sink2);
  BOOST_REQUIRE(!longer);
  BOOST_TEST(longer.error().msg == "blob " + f.layer_digest + " from reg.test/library/app: the registry sent more "
                                   "than the 1048576 bytes the manifest says");
  BOOST_TEST(sink2.str().size() <= f.layer.size());
  // A missing blob.
  auto d = f.layer_desc();
  d.digest = *oci::Digest::parse("sha256:" + std::string(64, '0'));
  StringSink sink3;
  auto missing = f.client()->fetch_blob(f.source(), d, sink3);
  BOOST_TEST(missing.error().code == kNotFound);
  BOOST_TEST(missing.error().msg == "blob sha256:" + std::string(64, '0') +
                                        " from reg.test/library/app not found: blob_unknown: blob unknown to registry");
}

BOOST_AUTO_TEST_CASE(gives_up_after_bounded_retries) {
  Fixture f;
  f.reg.drop_after = 0;  // every response drops before any byte
  f.reg.drops_left = 1000;
  StringSink sink;
  auto o = f.options();
  o.max_attempts = 3;
  auto r = f.client(o)->fetch_blob(f.source(), f.layer_desc(), sink);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kNetwork);
  BOOST_TEST(r.error().msg.starts_with("blob " + f.layer_digest + " from reg.test/library/app: giving up after 0 of "
                                       "1048576 bytes: "));
  BOOST_TEST(f.reg.requests("/blobs/").size() == 3u);
  BOOST_TEST(f.sleeps == (std::vector<int>{250, 500}));
}

BOOST_AUTO_TEST_CASE(connection_refused_names_the_registry) {
  Fixture f;
  f.reg.down_hosts = {"reg.test"};
  auto r = f.client()->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kNetwork);
  BOOST_TEST(r.error().msg == "manifest for reg.test/library/app:latest: pinging container registry reg.test: "
                              "GET https://reg.test/v2/: connection refused");
  BOOST_TEST(f.sleeps == (std::vector<int>{250, 500, 1000}));
  BOOST_TEST(f.reg.log.size() == 4u);
}

BOOST_AUTO_TEST_CASE(retries_503_with_backoff) {
  Fixture f;
  f.reg.fail_503 = 3;  // three 503s in a row (all at the ping): 3 backoffs, doubling
  auto m = f.client()->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  BOOST_TEST(f.sleeps == (std::vector<int>{250, 500, 1000}));
  // Later 503s at the manifest are retried the same way.
  f.sleeps.clear();
  f.reg.fail_503 = 1;
  auto c = f.client();
  BOOST_REQUIRE(c->ping("reg.test"));
  f.reg.fail_503 = 2;
  BOOST_REQUIRE(c->fetch_manifest(parse_ref("reg.test/library/app")));
  BOOST_TEST(f.sleeps == (std::vector<int>{250, 250, 500}));
  f.reg.fail_503 = 100;
  auto o = f.options();
  o.max_attempts = 2;
  auto bad = f.client(o)->fetch_manifest(parse_ref("reg.test/library/other"));
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "manifest for reg.test/library/other:latest: pinging container registry reg.test: "
                                "invalid status code from registry HTTP 503: unavailable: try later");
}

BOOST_AUTO_TEST_CASE(manifest_checks) {
  Fixture f;
  auto c = f.client();
  // Oversized, announced and not announced.
  std::string big = "{\"schemaVersion\":2," + std::string(oci::kMaxManifestBytes, ' ') + "}";
  f.reg.add_manifest("library/big", "latest", std::string(oci::media::kOciManifest), big);
  auto r = c->fetch_manifest(parse_ref("reg.test/library/big"));
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == EFBIG);
  BOOST_TEST(r.error().msg == "manifest for reg.test/library/big:latest: 4194324 bytes is over the 4 MiB limit");
  f.reg.send_content_length = false;
  auto r2 = c->fetch_manifest(parse_ref("reg.test/library/big"));
  BOOST_TEST(r2.error().msg == "manifest for reg.test/library/big:latest: more than the 4 MiB limit");
  f.reg.send_content_length = true;
  // Schema 1, signed: the registry's digest is that of the payload without the signatures,
  // which must not turn the answer into "corrupt".
  f.reg.add_manifest("library/old", "1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                     R"({"schemaVersion":1,"name":"library/old","tag":"1","fsLayers":[],"signatures":[]})");
  f.reg.digest_header["library/old:1"] = *sha256_digest(R"({"schemaVersion":1,"name":"library/old","tag":"1","fsLayers":[]})");
  auto s1 = c->fetch_manifest(parse_ref("reg.test/library/old:1"));
  BOOST_REQUIRE(!s1);
  BOOST_TEST(s1.error().code == kUnsupported);
  BOOST_TEST(s1.error().msg == "manifest for reg.test/library/old:1: Docker image manifest version 2, schema 1 "
                               "(application/vnd.docker.distribution.manifest.v1+prettyjws) is not supported; the "
                               "image must be pushed again in the OCI or Docker schema 2 format");
  // Unknown tag.
  auto nf = c->fetch_manifest(parse_ref("reg.test/library/app:nope"));
  BOOST_TEST(nf.error().code == kNotFound);
  BOOST_TEST(nf.error().msg == "manifest for reg.test/library/app:nope not found: manifest_unknown: manifest unknown");
  // By digest: the content must hash to it.
  std::string other = "sha256:" + std::string(64, 'f');
  f.reg.manifests["library/app:" + other] = {std::string(oci::media::kOciManifest), f.manifest};
  auto mm = c->fetch_manifest(parse_ref("reg.test/library/app@" + other));
  BOOST_REQUIRE(!mm);
  BOOST_TEST(mm.error().code == kCorrupt);
  BOOST_TEST(mm.error().msg == "manifest for reg.test/library/app@" + other + ": digest mismatch: the content is " +
                                   f.manifest_digest);
  BOOST_TEST(c->fetch_manifest(parse_ref("reg.test/library/app@" + f.manifest_digest)).has_value());
}

BOOST_AUTO_TEST_CASE(resolve_image_through_an_index) {
  Fixture f;
  std::string arm_layer = random_bytes(1000, 3);
  std::string arm_layer_digest = f.reg.add_blob(arm_layer);
  std::string arm_config = R"({"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:)" +
                           std::string(64, '2') + R"("]}})";
  std::string arm_config_digest = f.reg.add_blob(arm_config);
  std::string arm_manifest = Fixture::manifest_json(arm_config_digest, arm_config.size(), arm_layer_digest, arm_layer.size());
  std::string arm_digest = f.reg.add_manifest("library/multi", "arm", std::string(oci::media::kOciManifest), arm_manifest);
  f.reg.add_manifest("library/multi", "amd", std::string(oci::media::kOciManifest), f.manifest);
  std::string index = fmt::format(
      R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}},)"
      R"({{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}]}})",
      f.manifest_digest, f.manifest.size(), arm_digest, arm_manifest.size());
  std::string index_digest = f.reg.add_manifest("library/multi", "latest", std::string(oci::media::kOciIndex), index);
  auto c = f.client();
  auto img = c->resolve_image(parse_ref("reg.test/library/multi"), *oci::Platform::parse("linux/arm64"));
  BOOST_REQUIRE_MESSAGE(img, (img ? std::string() : img.error().msg));
  BOOST_TEST(img->digest.str() == index_digest);
  BOOST_TEST(img->manifest_digest.str() == arm_digest);
  BOOST_TEST(img->index.has_value());
  BOOST_TEST(img->config.platform.architecture == "arm64");
  BOOST_TEST(img->config.raw == arm_config);
  BOOST_TEST(img->manifest.layers[0].digest.str() == arm_layer_digest);
  BOOST_TEST(f.reg.requests("/manifests/" + arm_digest).size() == 1u);

  auto none = c->resolve_image(parse_ref("reg.test/library/multi"), *oci::Platform::parse("linux/s390x"));
  BOOST_REQUIRE(!none);
  BOOST_TEST(none.error().code == kNotFound);
  BOOST_TEST(none.error().msg == "reg.test/library/multi:latest: no matching manifest for linux/s390x in the manifest "
                                 "list entries (offered: linux/amd64, linux/arm64/v8)");

  // A single-platform image: no index; the config must list one diff ID per layer.
  auto one = c->resolve_image(parse_ref("reg.test/library/app"), oci::Platform::host());
  BOOST_REQUIRE(one);
  BOOST_TEST(!one->index.has_value());
  BOOST_TEST(one->digest.str() == one->manifest_digest.str());
  std::string two_layers = fmt::format(
      R"({{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[]}})",
      f.config_digest, f.config.size());
  f.reg.add_manifest("library/broken", "latest", std::string(oci::media::kOciManifest), two_layers);
  auto broken = c->resolve_image(parse_ref("reg.test/library/broken"), oci::Platform::host());
  BOOST_REQUIRE(!broken);
  BOOST_TEST(broken.error().msg == "reg.test/library/broken:latest: the manifest has 0 layers but the config lists 1 diff IDs");
}

BOOST_AUTO_TEST_CASE(mirrors_then_location) {
  Fixture f;
  f.reg.mirrors = {"mirror-b.test"};
  f.reg.down_hosts = {"mirror-a.test"};
  BOOST_REQUIRE(merge_registries_conf(f.conf, R"(
[[registry]]
location = "reg.test"
[[registry.mirror]]
location = "mirror-a.test"
[[registry.mirror]]
location = "mirror-b.test/cache"
)", "registries.conf", false));
  auto o = f.options();
  o.max_attempts = 1;
  auto c = f.client(o);
  // mirror-a is down, mirror-b does not have it (404: the repository differs), reg.test does.
  auto m = c->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
  BOOST_TEST(m->source.ref.str() == "reg.test/library/app:latest");
  BOOST_TEST(!m->source.mirror);
  BOOST_TEST(f.reg.requests("mirror-b.test/v2/cache/library/app/manifests/latest").size() == 1u);
  // When the mirror has it, it serves the manifest and the blobs.
  f.reg.add_manifest("cache/library/app", "latest", std::string(oci::media::kOciManifest), f.manifest);
  auto img = c->resolve_image(parse_ref("reg.test/library/app"), oci::Platform::host());
  BOOST_REQUIRE_MESSAGE(img, (img ? std::string() : img.error().msg));
  BOOST_TEST(img->source.mirror);
  BOOST_TEST(img->source.ref.name() == "mirror-b.test/cache/library/app");
  BOOST_TEST(f.reg.requests("mirror-b.test/v2/cache/library/app/blobs/" + f.config_digest).size() == 1u);
  // Everything failing reports the primary error and the mirrors'.
  auto nf = c->fetch_manifest(parse_ref("reg.test/library/nothing"));
  BOOST_REQUIRE(!nf);
  BOOST_TEST(nf.error().code == kNotFound);
  BOOST_TEST(nf.error().msg.starts_with("manifest for reg.test/library/nothing:latest not found: manifest_unknown: "
                                        "manifest unknown (mirrors also failed: manifest for "
                                        "mirror-a.test/library/nothing:latest: pinging container registry mirror-a.test: "));
}

BOOST_AUTO_TEST_CASE(blocked_registry) {
  Fixture f;
  BOOST_REQUIRE(merge_registries_conf(f.conf, "[[registry]]\nlocation = \"reg.test\"\nblocked = true\n", "r.conf", false));
  auto m = f.client()->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!m);
  BOOST_TEST(m.error().code == EACCES);
  BOOST_TEST(m.error().msg == "reg.test/library/app:latest: registry reg.test is blocked in `r.conf`");
  BOOST_TEST(f.reg.log.empty());
}

BOOST_AUTO_TEST_CASE(http_only_with_insecure_or_tls_verify_false) {
  Fixture f;
  f.reg.http_only = true;
  auto o = f.options();
  o.max_attempts = 1;
  auto secure = f.client(o)->fetch_manifest(parse_ref("reg.test/library/app"));
  BOOST_REQUIRE(!secure);
  BOOST_TEST(secure.error().msg ==
             "manifest for reg.test/library/app:latest: pinging container registry reg.test: GET https://reg.test/v2/: "
             "TLS handshake failed: error:0A00010B:SSL routines::wrong version number (if the registry serves plain HTTP, use --tls-verify=false "
             "or set insecure = true for it in registries.conf)");
  // --tls-verify=false: HTTPS without verification first, then HTTP.
  o.tls_verify = false;
  auto c = f.client(o);
  BOOST_REQUIRE(c->fetch_manifest(parse_ref("reg.test/library/app")));
  BOOST_TEST(f.reg.log[f.reg.log.size() - 3].url == "https://reg.test/v2/");
  BOOST_TEST(!f.reg.log[f.reg.log.size() - 3].tls.verify);
  BOOST_TEST(f.reg.log[f.reg.log.size() - 2].url == "http://reg.test/v2/");
  BOOST_TEST(f.reg.log.back().url == "http://reg.test/v2/library/app/manifests/latest");
  // insecure = true in registries.conf does the same for that registry only.
  BOOST_REQUIRE(merge_registries_conf(f.conf, "[[registry]]\nlocation = \"reg.test\"\ninsecure = true\n", "r.conf", false));
  o.tls_verify = true;
  BOOST_REQUIRE(f.client(o)->fetch_manifest(parse_ref("reg.test/library/app")));
  BOOST_TEST(f.reg.log.back().url == "http://reg.test/v2/library/app/manifests/latest");
}

BOOST_AUTO_TEST_CASE(docker_hub_endpoint_and_error_messages) {
  BOOST_TEST(registry_endpoint_host("docker.io") == "registry-1.docker.io");
  BOOST_TEST(registry_endpoint_host("quay.io") == "quay.io");
  BOOST_TEST(registry_error_message(R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})") ==
             "denied: requested access to the resource is denied");
  BOOST_TEST(registry_error_message("<html>") == "");
}

BOOST_AUTO_TEST_SUITE_END()
