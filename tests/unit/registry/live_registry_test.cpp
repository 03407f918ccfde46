#define BOOST_TEST_DYN_LINK
// End-to-end checks against a real registry (Debian's docker-registry on loopback), through
// the real Poco transport. Skipped unless SKIFF_TEST_REGISTRY names one:
//
//   SKIFF_TEST_REGISTRY=127.0.0.1:5000        the registry (loopback only)
//   SKIFF_TEST_REGISTRY_INSECURE=1            plain HTTP: pull with --tls-verify=false
//   SKIFF_TEST_CERTS_DIR=/path/to/certs.d     TLS: certs.d root holding <host:port>/ca.crt
//   SKIFF_TEST_BLOB=repo@sha256:…:SIZE        also fetch a blob pushed beforehand (with curl)
//   SKIFF_TEST_BLOB_MIB=64                    size of the blob pushed for the throughput figure
//   SKIFF_TEST_CREDS=user:password            the registry wants these (Basic auth, or for its token server)
//   SKIFF_TEST_PUSH_REGISTRY=127.0.0.1:5000   push test data there instead (plain HTTP, no auth; for a
//                                             token-auth registry sharing its storage)
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "skiff/registry/client.hpp"
#include "skiff/util/base64.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "test_env.hpp"

using namespace skiff;
using namespace skiff::registry;
namespace utf = boost::unit_test;

namespace {

std::string env(const char* n) {
  const char* v = getenv(n);
  return v ? v : "";
}

bool loopback(const std::string& reg) {
  return reg.starts_with("127.") || reg.starts_with("localhost:") || reg == "localhost" || reg.starts_with("[::1]");
}

boost::test_tools::assertion_result live_registry(utf::test_unit_id) {
  std::string reg = env("SKIFF_TEST_REGISTRY");
  boost::test_tools::assertion_result r(!reg.empty() && loopback(reg));
  r.message() << "SKIFF_TEST_REGISTRY is not set to a loopback registry";
  return r;
}

// Drops the connection of every body after `after` bytes, `times` times: proves Range
// resumption against a real server.
class DroppingTransport : public HttpTransport {
 public:
  DroppingTransport(HttpTransport& inner, uint64_t after, int times) : inner_(inner), after_(after), times_(times) {}
  Result<HttpResponse> send(const HttpRequest& req) override {
    ranges.push_back(req.headers.get("Range"));
    auto r = inner_.send(req);
    if (r && req.url.find("/blobs/") != std::string::npos && r->status / 100 == 2 && times_ > 0) {
      --times_;
      r->body = std::make_unique<Cut>(std::move(r->body), after_);
    }
    return r;
  }
  std::vector<std::string> ranges;

 private:
  struct Cut : ByteSource {
    Cut(std::unique_ptr<ByteSource> in, uint64_t left) : in(std::move(in)), left(left) {}
    Result<size_t> read(void* buf, size_t n) override {
      if (left == 0) return fail(kNetwork, "test: connection dropped on purpose");
      auto k = in->read(buf, std::min<uint64_t>(n, left));
      if (k) left -= *k;
      return k;
    }
    std::unique_ptr<ByteSource> in;
    uint64_t left;
  };
  HttpTransport& inner_;
  uint64_t after_;
  int times_;
};

// A sink that only counts (the client hashes already).
struct CountingSink : ByteSink {
  uint64_t n = 0;
  Status write(std::string_view d) override {
    n += d.size();
    return ok();
  }
};

struct Live {
  std::string reg = env("SKIFF_TEST_REGISTRY");
  bool insecure = env("SKIFF_TEST_REGISTRY_INSECURE") == "1";
  std::string scheme = insecure ? "http" : "https";
  std::unique_ptr<HttpTransport> transport = *make_http_transport();
  skiff::testing::TempEnv t;

  Live() {
    // The client finds the credentials the way a user's `login` would have stored them.
    if (auto c = parse_creds(env("SKIFF_TEST_CREDS")); c) BOOST_REQUIRE(store_credentials(t.env, reg, *c));
  }
  // Where test data is uploaded: the registry itself, or a plain-HTTP one sharing its storage.
  std::string push_reg = env("SKIFF_TEST_PUSH_REGISTRY").empty() ? reg : env("SKIFF_TEST_PUSH_REGISTRY");
  std::string push_scheme = env("SKIFF_TEST_PUSH_REGISTRY").empty() ? scheme : "http";

  std::string basic() {
    if (push_reg != reg) return "";
    std::string c = env("SKIFF_TEST_CREDS");
    return c.empty() ? "" : "Basic " + base64_encode(c);
  }
  void authorize(HttpRequest& r) {
    if (!basic().empty()) r.headers.set("Authorization", basic());
  }

  ClientOptions options() {
    ClientOptions o;
    o.tls_verify = !insecure;
    if (!env("SKIFF_TEST_CERTS_DIR").empty()) o.cert_dir = env("SKIFF_TEST_CERTS_DIR") + "/" + reg;
    return o;
  }
  // For the uploads, which go straight through the transport: the same certs.d material.
  TlsSettings tls() {
    TlsSettings s;
    s.verify = !insecure;
    if (!env("SKIFF_TEST_CERTS_DIR").empty()) {
      auto c = find_certs(t.env, reg, env("SKIFF_TEST_CERTS_DIR") + "/" + reg);
      BOOST_REQUIRE_MESSAGE(c, (c ? std::string() : c.error().msg));
      s.ca_files = c->ca_files;
      s.client_cert = c->client_cert;
      s.client_key = c->client_key;
    }
    return s;
  }

  // Monolithic upload: POST an upload session, PUT the bytes with the digest.
  std::string push_blob(const std::string& repo, const std::string& data) {
    std::string digest = *sha256_digest(data);
    HttpRequest post;
    post.method = "POST";
    post.url = fmt::format("{}://{}/v2/{}/blobs/uploads/", push_scheme, push_reg, repo);
    post.tls = tls();
    authorize(post);
    auto r = transport->send(post);
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().msg));
    BOOST_REQUIRE_EQUAL(r->status, 202);
    (void)r->read_body(1 << 20);
    auto loc = resolve_url(*parse_url(post.url), r->headers.get("Location"));
    BOOST_REQUIRE(loc);
    HttpRequest put;
    put.method = "PUT";
    put.url = loc->str() + (loc->path_query.find('?') == std::string::npos ? "?" : "&") +
              "digest=" + url_query_escape(digest);
    put.headers.set("Content-Type", "application/octet-stream");
    put.body = data;
    put.tls = tls();
    authorize(put);
    auto p = transport->send(put);
    BOOST_REQUIRE_MESSAGE(p, (p ? std::string() : p.error().msg));
    BOOST_REQUIRE_EQUAL(p->status, 201);
    (void)p->read_body(1 << 20);
    return digest;
  }

  void push_manifest(const std::string& repo, const std::string& tag, const std::string& type, const std::string& body) {
    HttpRequest put;
    put.method = "PUT";
    put.url = fmt::format("{}://{}/v2/{}/manifests/{}", push_scheme, push_reg, repo, tag);
    put.headers.set("Content-Type", type);
    put.body = body;
    put.tls = tls();
    authorize(put);
    auto p = transport->send(put);
    BOOST_REQUIRE_MESSAGE(p, (p ? std::string() : p.error().msg));
    BOOST_REQUIRE_EQUAL(p->status, 201);
    (void)p->read_body(1 << 20);
  }

  PullSource source(const std::string& repo) { return PullSource{*oci::Reference::parse(reg + "/" + repo), insecure}; }
};

std::string random_bytes(size_t n) {
  std::mt19937_64 g(42);
  std::string s(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = g();
    memcpy(&s[i], &v, 8);
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_live, *utf::precondition(live_registry))

BOOST_AUTO_TEST_CASE(pull_image_and_blobs) {
  Live l;
  std::string layer = random_bytes(1 << 20);
  std::string layer_digest = l.push_blob("skiff/e2e", layer);
  std::string config = R"({"architecture":"amd64","os":"linux","config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":[")" +
                       layer_digest + R"("]}})";
  std::string config_digest = l.push_blob("skiff/e2e", config);
  std::string manifest = fmt::format(
      R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}})",
      config_digest, config.size(), layer_digest, layer.size());
  l.push_manifest("skiff/e2e", "v1", std::string(oci::media::kOciManifest), manifest);

  Client c(*l.transport, l.t.env, RegistriesConf{}, l.options());
  auto img = c.resolve_image(*oci::Reference::parse(l.reg + "/skiff/e2e:v1"), oci::Platform::host());
  BOOST_REQUIRE_MESSAGE(img, (img ? std::string() : img.error().msg));
  BOOST_TEST(img->digest.str() == *sha256_digest(manifest));
  BOOST_TEST(img->config.raw == config);
  StringSink sink;
  auto n = c.fetch_blob(img->source, img->manifest.layers[0], sink);
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(sink.str() == layer);

  // By digest too, and an unknown tag.
  BOOST_TEST(c.fetch_manifest(*oci::Reference::parse(l.reg + "/skiff/e2e@" + img->digest.str())).has_value());
  auto nf = c.fetch_manifest(*oci::Reference::parse(l.reg + "/skiff/e2e:nope"));
  BOOST_REQUIRE(!nf);
  BOOST_TEST(nf.error().code == kNotFound);
  BOOST_TEST_MESSAGE("unknown tag: " << nf.error().msg);

  // A blob pushed beforehand with curl.
  std::string pre = env("SKIFF_TEST_BLOB");
  if (!pre.empty()) {
    auto at = pre.find('@');
    auto colon = pre.rfind(':');
    std::string repo = pre.substr(0, at), digest = pre.substr(at + 1, colon - at - 1);
    oci::Descriptor d{"application/octet-stream", *oci::Digest::parse(digest), int64_t(*parse_uint(pre.substr(colon + 1)))};
    StringSink s2;
    auto m = c.fetch_blob(l.source(repo), d, s2);
    BOOST_REQUIRE_MESSAGE(m, (m ? std::string() : m.error().msg));
    BOOST_TEST_MESSAGE("fetched the curl-pushed blob " << digest << " (" << *m << " bytes)");
  }
}

BOOST_AUTO_TEST_CASE(resume_against_the_real_registry) {
  Live l;
  std::string data = random_bytes(3 << 20);
  std::string digest = l.push_blob("skiff/resume", data);
  DroppingTransport drops(*l.transport, 1000000, 2);
  Client c(drops, l.t.env, RegistriesConf{}, l.options());
  StringSink sink;
  oci::Descriptor d{"application/octet-stream", *oci::Digest::parse(digest), int64_t(data.size())};
  auto n = c.fetch_blob(l.source("skiff/resume"), d, sink);
  BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
  BOOST_TEST(sink.str() == data);
  std::vector<std::string> blob_ranges(drops.ranges.end() - 3, drops.ranges.end());
  BOOST_TEST(blob_ranges == (std::vector<std::string>{"", "bytes=1000000-", "bytes=2000000-"}));
}

BOOST_AUTO_TEST_CASE(tls_without_the_ca_is_refused) {
  Live l;
  if (l.insecure || env("SKIFF_TEST_CERTS_DIR").empty()) return;  // only for the TLS registry
  ClientOptions o;
  o.max_attempts = 1;
  Client c(*l.transport, l.t.env, RegistriesConf{}, o);
  auto r = c.ping(l.reg);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kNetwork);
  BOOST_TEST_MESSAGE("without the CA: " << r.error().msg);
  BOOST_TEST(r.error().msg.find("TLS certificate verification failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mutual_tls_without_a_client_certificate) {
  Live l;
  if (l.insecure || env("SKIFF_TEST_CERTS_DIR").empty()) return;
  auto certs = find_certs(l.t.env, l.reg, env("SKIFF_TEST_CERTS_DIR") + "/" + l.reg);
  if (!certs || certs->client_cert.empty()) return;  // only for a registry that wants client certificates
  std::string ca_only = l.t.write("ca-only/ca.crt", *read_file(certs->ca_files.at(0)));
  ClientOptions o;
  o.max_attempts = 1;
  o.cert_dir = ca_only.substr(0, ca_only.rfind('/'));
  Client c(*l.transport, l.t.env, RegistriesConf{}, o);
  auto r = c.ping(l.reg);
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().code == kNetwork);
  BOOST_TEST_MESSAGE("without the client certificate: " << r.error().msg);
}

BOOST_AUTO_TEST_CASE(basic_auth_with_auth_json) {
  Live l;
  if (env("SKIFF_TEST_CREDS").empty()) return;
  std::string digest = l.push_blob("skiff/private", "private bytes");
  oci::Descriptor d{"application/octet-stream", *oci::Digest::parse(digest), 13};
  // With the stored credentials.
  Client c(*l.transport, l.t.env, RegistriesConf{}, l.options());
  StringSink sink;
  auto ok = c.fetch_blob(l.source("skiff/private"), d, sink);
  BOOST_REQUIRE_MESSAGE(ok, (ok ? std::string() : ok.error().msg));
  BOOST_TEST(sink.str() == "private bytes");
  BOOST_TEST(c.check_login(l.reg, *parse_creds(env("SKIFF_TEST_CREDS"))).has_value());
  auto wrong = c.check_login(l.reg, Credentials{"alice", "wrong", ""});
  BOOST_REQUIRE(!wrong);
  BOOST_TEST_MESSAGE("wrong password: " << wrong.error().msg);
  // Without them.
  skiff::testing::TempEnv empty;
  Client anon(*l.transport, empty.env, RegistriesConf{}, l.options());
  StringSink sink2;
  auto denied = anon.fetch_blob(l.source("skiff/private"), d, sink2);
  BOOST_REQUIRE(!denied);
  BOOST_TEST(denied.error().code == kAuth);
  BOOST_TEST_MESSAGE("anonymous: " << denied.error().msg);
}

BOOST_AUTO_TEST_CASE(http_registry_needs_tls_verify_false) {
  Live l;
  if (!l.insecure) return;
  ClientOptions o;
  o.max_attempts = 1;
  Client c(*l.transport, l.t.env, RegistriesConf{}, o);
  auto r = c.ping(l.reg);
  BOOST_REQUIRE(!r);
  BOOST_TEST_MESSAGE("HTTPS to a plain-HTTP registry: " << r.error().msg);
  BOOST_TEST(r.error().code == kNetwork);
}

BOOST_AUTO_TEST_CASE(parallel_downloads_share_one_client) {
  Live l;
  std::vector<std::string> data;
  std::vector<oci::Descriptor> descs;
  for (int i = 0; i < 3; ++i) {
    data.push_back(random_bytes((2 + i) << 20) + char('a' + i));
    descs.push_back({"application/octet-stream", *oci::Digest::parse(l.push_blob("skiff/parallel", data.back())),
                     int64_t(data.back().size())});
  }
  Client c(*l.transport, l.t.env, RegistriesConf{}, l.options());
  std::vector<std::string> got(3), errors(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      StringSink sink;
      auto r = c.fetch_blob(l.source("skiff/parallel"), descs[i], sink);
      if (r) got[i] = std::move(sink.str());
      else errors[i] = r.error().msg;
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(errors[i] == "");
    BOOST_TEST((got[i] == data[i]));
  }
}

BOOST_AUTO_TEST_CASE(throughput) {
  Live l;
  size_t mib = env("SKIFF_TEST_BLOB_MIB").empty() ? 64 : *parse_uint(env("SKIFF_TEST_BLOB_MIB"));
  std::string data = random_bytes(mib << 20);
  std::string digest = l.push_blob("skiff/big", data);
  BOOST_TEST_MESSAGE("big blob: " << l.reg << "/skiff/big@" << digest << " (" << data.size() << " bytes)");
  data.clear();
  data.shrink_to_fit();
  Client c(*l.transport, l.t.env, RegistriesConf{}, l.options());
  oci::Descriptor d{"application/octet-stream", *oci::Digest::parse(digest), int64_t(mib << 20)};
  BOOST_REQUIRE(c.ping(l.reg, l.insecure));
  auto cpu = [] {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  };
  int runs = env("SKIFF_TEST_RUNS").empty() ? 5 : int(*parse_uint(env("SKIFF_TEST_RUNS")));
  std::vector<double> walls, cpus;
  for (int i = 0; i < runs; ++i) {
    CountingSink sink;
    double c0 = cpu();
    auto t0 = std::chrono::steady_clock::now();
    auto n = c.fetch_blob(l.source("skiff/big"), d, sink);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_REQUIRE_MESSAGE(n, (n ? std::string() : n.error().msg));
    walls.push_back(s);
    cpus.push_back(cpu() - c0);
    BOOST_TEST_MESSAGE(fmt::format("fetch_blob {} MiB (sha256 verified): {:.3f} s wall, {:.3f} s cpu, {:.0f} MiB/s", mib,
                                   s, cpus.back(), mib / s));
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  BOOST_TEST_MESSAGE(fmt::format("median of {}: {:.3f} s wall ({:.0f} MiB/s), {:.3f} s cpu", runs, walls[runs / 2],
                                 mib / walls[runs / 2], cpus[runs / 2]));
}

BOOST_AUTO_TEST_SUITE_END()
