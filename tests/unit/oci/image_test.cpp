#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/oci/image.hpp"

using namespace skiff;
using namespace skiff::oci;

namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string docker_manifest() {
  return R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1457, "digest": ")" +
         kA + R"("},
   "layers": [
      {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 2222, "digest": ")" +
         kB + R"("}
   ]
})";
}

std::string oci_index() {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kA + R"(","size":500,
  "platform":{"architecture":"amd64","os":"linux"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kB + R"(","size":500,
  "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kC + R"(","size":500,
  "platform":{"architecture":"arm","os":"linux","variant":"v6"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kC + R"(","size":500,
  "annotations":{"vnd.docker.reference.type":"attestation-manifest"},
  "platform":{"architecture":"unknown","os":"unknown"}}
],"annotations":{"org.opencontainers.image.ref.name":"1.0"}})";
}

// A Docker-built config: nulls, extra members, Docker's key order and spacing.
const char* kConfig =
    R"({"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"1000:1000",)"
    R"("AttachStdin":false,"ExposedPorts":{"80/tcp":{},"443/tcp":{}},"Tty":false,)"
    R"("Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=b c"],)"
    R"("Cmd":["sh"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},"ArgsEscaped":true,)"
    R"("Image":"sha256:x","Volumes":{"/data":{}},"WorkingDir":"/srv","Entrypoint":null,"OnBuild":null,)"
    R"("Labels":{"maintainer":"me","empty":null},"StopSignal":"SIGQUIT"},"container":"abc",)"
    R"("created":"2023-05-19T20:19:22.751398522Z","docker_version":"20.10.23","history":[)"
    R"({"created":"2023-05-19T20:19:22.642106062Z","created_by":"/bin/sh -c #(nop) ADD file:1 in / "},)"
    R"({"created":"2023-05-19T20:19:22.751398522Z","created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true}],)"
    R"("os":"linux","rootfs":{"type":"layers","diff_ids":[")"
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    R"("]}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(oci_image)

BOOST_AUTO_TEST_CASE(docker_schema2_manifest) {
  std::string text = docker_manifest();
  BOOST_TEST((*classify_manifest(text, "", "m") == DocumentKind::kManifest));
  auto m = parse_manifest(text);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->is_docker());
  BOOST_TEST(m->config.digest.str() == kA);
  BOOST_TEST(m->config.size == 1457);
  BOOST_REQUIRE(m->layers.size() == 1u);
  BOOST_TEST(m->layers[0].size == 2222);
  BOOST_TEST((layer_compression(m->layers[0].media_type) == Compression::Gzip));
  BOOST_TEST(m->raw == text);
}

BOOST_AUTO_TEST_CASE(oci_manifest_round_trip_and_unknown_fields) {
  Manifest m;
  m.media_type = std::string(media::kOciManifest);
  m.config = Descriptor{std::string(media::kOciConfig), *Digest::parse(kA), 7};
  m.layers.push_back(Descriptor{std::string(media::kOciLayerZstd), *Digest::parse(kB), 9});
  m.annotations["x"] = "y";
  std::string text = to_json(m);
  BOOST_TEST(text == R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                     R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                         kA + R"(","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd",)"
                              R"("digest":")" + kB + R"(","size":9}],"annotations":{"x":"y"}})");
  // Unknown members anywhere are ignored.
  std::string extra = text.substr(0, text.size() - 1) + R"(,"future":{"a":[1,2]}})";
  auto back = parse_manifest(extra);
  BOOST_REQUIRE(back);
  BOOST_TEST(back->layers[0].digest.str() == kB);
  BOOST_TEST((layer_compression(back->layers[0].media_type) == Compression::Zstd));
  BOOST_TEST(!layer_compression(oci::media::kOciConfig).has_value());
  BOOST_TEST(back->annotations.at("x") == "y");
  BOOST_TEST(back->raw == extra);
  // Without a mediaType member the Content-Type decides.
  auto ct = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" + kA +
                               R"(","size":1},"layers":[]})",
                           "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8");
  BOOST_REQUIRE(ct);
  BOOST_TEST(ct->is_docker());
}

BOOST_AUTO_TEST_CASE(manifest_required_fields_are_strict) {
  auto no_config = parse_manifest(R"({"schemaVersion":2,"layers":[]})", "", "manifest x");
  BOOST_REQUIRE(!no_config);
  BOOST_TEST(no_config.error().code == kCorrupt);
  BOOST_TEST(no_config.error().msg == "manifest x: missing \"config\"");
  auto bad_digest = parse_manifest(
      R"({"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:zz","size":1},"layers":[]})", "", "m");
  BOOST_REQUIRE(!bad_digest);
  BOOST_TEST(bad_digest.error().msg == "m: config: invalid digest `sha256:zz`: want 64 lowercase hex digits");
  auto no_size = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" + kA +
                                    R"("},"layers":[]})", "", "m");
  BOOST_REQUIRE(!no_size);
  BOOST_TEST(no_size.error().msg == "m: config: missing \"size\"");
  auto neg = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" + kA +
                                R"(","size":-1},"layers":[]})", "", "m");
  BOOST_TEST(neg.error().msg == "m: config: \"size\" is negative");
  auto layer_type = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" + kA +
                                       R"(","size":1},"layers":[{"digest":")" + kB + R"(","size":1}]})", "", "m");
  BOOST_TEST(layer_type.error().msg == "m: layers[0]: missing \"mediaType\"");
  auto v3 = parse_manifest(R"({"schemaVersion":3})", "", "m");
  BOOST_TEST(v3.error().msg == "m: unsupported schemaVersion 3");
  auto not_json = parse_manifest("{nope", "", "m");
  BOOST_TEST(not_json.error().code == kCorrupt);
  BOOST_TEST(not_json.error().msg == "m: invalid JSON at byte 3");
  auto array = parse_manifest("[]", "", "m");
  BOOST_TEST(array.error().msg == "m: not a JSON object");
}

BOOST_AUTO_TEST_CASE(size_and_count_caps) {
  std::string big(kMaxManifestBytes + 1, ' ');
  auto r = parse_manifest(big, "", "manifest busybox:latest");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == EFBIG);
  BOOST_TEST(r.error().msg == "manifest busybox:latest: 4194305 bytes is over the 4 MiB limit");
  BOOST_TEST(!classify_manifest(big, "", "m"));
  std::string cfg_big(kMaxConfigBytes + 1, ' ');
  BOOST_TEST(parse_image_config(cfg_big).error().code == EFBIG);

  std::string layers;
  for (size_t i = 0; i <= kMaxLayers; ++i)
    layers += std::string(i ? "," : "") + R"({"mediaType":"x","digest":")" + kB + R"(","size":1})";
  auto many = parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a","digest":")" + kA +
                                 R"(","size":1},"layers":[)" + layers + "]}", "", "m");
  BOOST_REQUIRE(!many);
  BOOST_TEST(many.error().msg == "m: 1001 layers is over the limit of 1000");
}

BOOST_AUTO_TEST_CASE(schema1_is_rejected_clearly) {
  const char* s1 = R"({"schemaVersion":1,"name":"library/x","tag":"1","fsLayers":[],"history":[]})";
  auto k = classify_manifest(s1, "application/vnd.docker.distribution.manifest.v1+prettyjws", "docker.io/library/x:1");
  BOOST_REQUIRE(!k);
  BOOST_TEST(k.error().code == kUnsupported);
  BOOST_TEST(k.error().msg ==
             "docker.io/library/x:1: Docker image manifest version 2, schema 1 "
             "(application/vnd.docker.distribution.manifest.v1+prettyjws) is not supported; the image must "
             "be pushed again in the OCI or Docker schema 2 format");
  // Without a type anywhere, the schemaVersion alone says schema 1.
  BOOST_TEST(classify_manifest(s1, "application/json", "m").error().msg.find(
                 "(application/vnd.docker.distribution.manifest.v1+json)") != std::string::npos);
  auto by_type = classify_manifest("{}", "application/vnd.docker.distribution.manifest.v1+prettyjws", "m");
  BOOST_TEST(by_type.error().code == kUnsupported);
  BOOST_TEST(by_type.error().msg.find("(application/vnd.docker.distribution.manifest.v1+prettyjws)") !=
             std::string::npos);
  BOOST_TEST(parse_manifest(s1, "", "m").error().code == kUnsupported);
  auto other = classify_manifest(R"({"schemaVersion":2})", "application/vnd.example+json", "m");
  BOOST_TEST(other.error().msg == "m: unsupported manifest media type \"application/vnd.example+json\"");
  auto shapeless = classify_manifest(R"({"schemaVersion":2})", "application/json", "m");
  BOOST_TEST(shapeless.error().msg == "m: not an image manifest or index");
}

BOOST_AUTO_TEST_CASE(index_parse_and_classify) {
  std::string text = oci_index();
  BOOST_TEST((*classify_manifest(text, "text/plain", "i") == DocumentKind::kIndex));
  auto ix = parse_index(text);
  BOOST_REQUIRE(ix);
  BOOST_TEST(ix->manifests.size() == 4u);
  BOOST_TEST(ix->manifests[1].platform->variant == "v8");
  BOOST_TEST(ix->raw == text);
  // A Docker manifest list, classified by Content-Type alone.
  std::string list = R"({"schemaVersion":2,"manifests":[]})";
  BOOST_TEST((*classify_manifest(list, "application/vnd.docker.distribution.manifest.list.v2+json", "l") ==
              DocumentKind::kIndex));
  auto l = parse_index(list, "application/vnd.docker.distribution.manifest.list.v2+json");
  BOOST_REQUIRE(l);
  BOOST_TEST(l->media_type == media::kDockerManifestList);
  // An index is not a manifest.
  BOOST_TEST(parse_manifest(text, "", "m").error().msg ==
             "m: media type \"application/vnd.oci.image.index.v1+json\" is not an image manifest");
  auto serialized = to_json(*ix);
  auto again = parse_index(serialized);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->manifests.size() == 4u);
  BOOST_TEST(to_json(*again) == serialized);
}

BOOST_AUTO_TEST_CASE(image_config_parse_keeps_raw_bytes) {
  auto c = parse_image_config(kConfig, "config sha256:aaa");
  BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().msg));
  BOOST_TEST(c->raw == kConfig);
  BOOST_TEST(c->platform.architecture == "amd64");
  BOOST_TEST(c->platform.os == "linux");
  BOOST_TEST(c->created == "2023-05-19T20:19:22.751398522Z");
  const auto& cc = c->config;
  BOOST_TEST(cc.user == "1000:1000");
  BOOST_TEST((cc.exposed_ports == std::vector<std::string>{"80/tcp", "443/tcp"}));
  BOOST_TEST(cc.env.size() == 2u);
  BOOST_TEST(cc.env[1] == "A=b c");
  BOOST_TEST((cc.cmd == std::vector<std::string>{"sh"}));
  BOOST_TEST(cc.has_cmd);
  BOOST_TEST(cc.has_entrypoint);  // present, null
  BOOST_TEST(cc.entrypoint.empty());
  BOOST_TEST((cc.volumes == std::vector<std::string>{"/data"}));
  BOOST_TEST(cc.working_dir == "/srv");
  BOOST_TEST(cc.labels.at("maintainer") == "me");
  BOOST_TEST(cc.labels.at("empty") == "");
  BOOST_TEST(cc.stop_signal == "SIGQUIT");
  BOOST_TEST(cc.args_escaped);
  BOOST_TEST(cc.healthcheck["Interval"].get<int64_t>() == 1000000000);
  BOOST_REQUIRE(c->diff_ids.size() == 1u);
  BOOST_TEST(c->diff_ids[0].str() == kB);
  BOOST_REQUIRE(c->history.size() == 2u);
  BOOST_TEST(c->history[1].empty_layer);
  BOOST_TEST(c->history[0].created_by == "/bin/sh -c #(nop) ADD file:1 in / ");

  // Serialising what was parsed gives a config that parses to the same values.
  auto again = parse_image_config(to_json(*c));
  BOOST_REQUIRE(again);
  BOOST_TEST(again->config.env == cc.env);
  BOOST_TEST(again->config.exposed_ports == cc.exposed_ports);
  BOOST_TEST(again->config.labels == cc.labels);
  BOOST_TEST(again->diff_ids == c->diff_ids);
  BOOST_TEST(again->history.size() == 2u);
  BOOST_TEST(to_json(*again) == to_json(*c));
}

BOOST_AUTO_TEST_CASE(image_config_required_fields) {
  auto no_rootfs = parse_image_config(R"({"architecture":"amd64","os":"linux"})", "c");
  BOOST_TEST(no_rootfs.error().msg == "c: missing \"rootfs\"");
  auto no_arch = parse_image_config(R"({"os":"linux","rootfs":{"type":"layers","diff_ids":[]}})", "c");
  BOOST_TEST(no_arch.error().msg == "c: missing \"architecture\"");
  auto bad_env = parse_image_config(
      R"({"architecture":"amd64","os":"linux","config":{"Env":"A=1"},"rootfs":{"type":"layers","diff_ids":[]}})", "c");
  BOOST_TEST(bad_env.error().msg == "c: config: \"Env\" is not an array");
  auto bad_type = parse_image_config(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"x","diff_ids":[]}})", "c");
  BOOST_TEST(bad_type.error().msg == "c: rootfs: unsupported type \"x\"");
  auto bad_id = parse_image_config(
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["nope"]}})", "c");
  BOOST_TEST(bad_id.error().msg == "c: rootfs: diff_ids[0]: invalid digest `nope`: missing algorithm");
  auto minimal = parse_image_config(R"({"architecture":"arm64","os":"linux","rootfs":{"type":"layers"}})");
  BOOST_REQUIRE(minimal);
  BOOST_TEST(!minimal->config.has_cmd);
}

BOOST_AUTO_TEST_CASE(platform_parse_and_normalise) {
  BOOST_TEST(Platform::parse("linux/amd64")->str() == "linux/amd64");
  BOOST_TEST(Platform::parse("linux/x86_64")->str() == "linux/amd64");
  BOOST_TEST(Platform::parse("linux/aarch64")->str() == "linux/arm64");
  BOOST_TEST(Platform::parse("linux/arm64/v8")->str() == "linux/arm64");
  BOOST_TEST(Platform::parse("linux/arm")->str() == "linux/arm/v7");
  BOOST_TEST(Platform::parse("linux/arm/6")->str() == "linux/arm/v6");
  BOOST_TEST(Platform::parse("linux/armhf")->str() == "linux/arm/v7");
  BOOST_TEST(Platform::parse("linux/armel")->str() == "linux/arm/v6");
  BOOST_TEST(Platform::parse("linux/i386")->str() == "linux/386");
  BOOST_TEST(Platform::parse("arm64")->str() == "linux/arm64");
  BOOST_TEST(Platform::parse("linux")->architecture == Platform::host().architecture);
  BOOST_TEST(Platform::parse("Linux/AMD64")->str() == "linux/amd64");
  BOOST_TEST(Platform::parse("a/b/c/d").error().msg == "invalid platform \"a/b/c/d\": want os/arch[/variant]");
  BOOST_TEST(Platform::parse("linux//v7").error().msg == "invalid platform \"linux//v7\": want os/arch[/variant]");
  BOOST_TEST(Platform::parse("plan9/amd64").error().msg ==
             "invalid platform \"plan9/amd64\": unknown operating system \"plan9\"");
  BOOST_TEST(Platform::host().os == "linux");
#if defined(__x86_64__)
  BOOST_TEST(Platform::host().str() == "linux/amd64");
#endif
  Platform arm7{"arm", "linux", "v7"}, arm6{"arm", "linux", "v6"}, arm64{"arm64", "linux", ""};
  BOOST_TEST(platform_matches(arm7, arm6));
  BOOST_TEST(!platform_matches(arm6, arm7));
  BOOST_TEST(platform_matches(arm64, Platform{"aarch64", "linux", "v8"}));
  BOOST_TEST(!platform_matches(arm64, arm7));
}

BOOST_AUTO_TEST_CASE(select_platform_from_index) {
  auto ix = *parse_index(oci_index());
  auto amd = select_platform(ix, *Platform::parse("linux/amd64"));
  BOOST_REQUIRE(amd);
  BOOST_TEST(amd->digest.str() == kA);
  // arm64 without a variant matches the entry that says v8.
  auto arm64 = select_platform(ix, *Platform::parse("linux/arm64"));
  BOOST_REQUIRE(arm64);
  BOOST_TEST(arm64->digest.str() == kB);
  // arm/v7 falls back to the v6 image.
  auto arm7 = select_platform(ix, *Platform::parse("linux/arm/v7"));
  BOOST_REQUIRE(arm7);
  BOOST_TEST(arm7->digest.str() == kC);
  // No match: Docker's phrase plus what the index offers (attestations left out).
  auto s390 = select_platform(ix, *Platform::parse("linux/s390x"));
  BOOST_REQUIRE(!s390);
  BOOST_TEST(s390.error().code == kNotFound);
  BOOST_TEST(s390.error().msg ==
             "no matching manifest for linux/s390x in the manifest list entries (offered: linux/amd64, "
             "linux/arm64/v8, linux/arm/v6)");
  auto arm5 = select_platform(ix, *Platform::parse("linux/arm/v5"));
  BOOST_TEST(arm5.error().msg ==
             "no matching manifest for linux/arm/v5 in the manifest list entries (offered: linux/amd64, "
             "linux/arm64/v8, linux/arm/v6)");
  Index empty;
  BOOST_TEST(select_platform(empty, Platform::host()).error().msg.ends_with("(offered: none)"));
}

BOOST_AUTO_TEST_SUITE_END()
