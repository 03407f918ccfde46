// registry::Client's push half against the in-memory registry: monolithic and chunked uploads,
// HEAD, mounts, resumption of a cut PATCH from the offset the registry reports, a new session
// from byte 0 when it cannot resume, giving up (and cancelling), manifests, the catalog.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <random>

#include "fake_registry.hpp"
#include "skiff/registry/client.hpp"
#include "test_env.hpp"

using namespace skiff;
using namespace skiff::registry;
using skiff::testing::FakeRegistry;
using skiff::testing::TempEnv;

namespace {

std::string random_bytes(size_t n, unsigned seed = 7) {
  std::mt19937 g(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(g());
  return s;
}

// A source that can be read again from the start (rewind), counting how often it was.
struct Rewindable : ByteSource {
  std::string data;
  size_t pos = 0;
  int rewinds = 0;
  explicit Rewindable(std::string d) : data(std::move(d)) {}
  Result<size_t> read(void* buf, size_t n) override {
    size_t k = std::min(n, data.size() - pos);
    memcpy(buf, data.data() + pos, k);
    pos += k;
    return k;
  }
  Status rewind() {
    ++rewinds;
    pos = 0;
    return ok();
  }
};

struct Fixture {
  TempEnv t;
  FakeRegistry reg;
  RegistriesConf conf;
  std::vector<int> sleeps;
  std::unique_ptr<Client> client(size_t chunk = 64 * 1024) {
    ClientOptions o;
    o.sleep = [this](int ms) { sleeps.push_back(ms); };
    o.chunk_size = chunk;
    return std::make_unique<Client>(reg, t.env, conf, o);
  }
  PushTarget target(const std::string& name = "reg.test/me/app:v1") { return PushTarget{*oci::Reference::parse(name)}; }
  size_t count(const std::string& method, const std::string& url_part) {
    size_t n = 0;
    for (auto& r : reg.requests(url_part))
      if (r.method == method) ++n;
    return n;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_upload)

BOOST_FIXTURE_TEST_CASE(monolithic_small_blob, Fixture) {
  auto c = client();
  std::string data = random_bytes(1000);
  StringSource src(data);
  auto up = c->upload_blob(target(), src, std::nullopt);
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(up->digest.str() == *sha256_digest(data));
  BOOST_TEST(up->size == 1000u);
  BOOST_TEST(count("PATCH", "/blobs/uploads/") == 0u);
  BOOST_TEST(count("PUT", "/blobs/uploads/") == 1u);
  BOOST_TEST(reg.blobs.at(*sha256_digest(data)) == data);
  auto have = c->stat_blob(target(), up->digest);
  BOOST_REQUIRE(have);
  BOOST_TEST(have->value_or(0) == 1000u);
}

BOOST_FIXTURE_TEST_CASE(chunked_blob_and_expected_digest, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 5 + 17);
  StringSource src(data);
  auto d = *oci::Digest::parse(*sha256_digest(data));
  std::vector<uint64_t> progress;
  auto up = c->upload_blob(target(), src, d, [&](uint64_t n) { progress.push_back(n); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(count("PATCH", "/blobs/uploads/") == 6u);
  BOOST_TEST(reg.blobs.at(d.str()) == data);
  BOOST_TEST(progress.back() == data.size());
  // Exactly a multiple of the chunk: no empty PATCH.
  std::string even = random_bytes(64 * 1024 * 2, 3);
  StringSource src2(even);
  reg.log.clear();
  BOOST_REQUIRE(c->upload_blob(target(), src2, std::nullopt));
  BOOST_TEST(count("PATCH", "/blobs/uploads/") == 2u);
  // A wrong expected digest: nothing stored, the session cancelled.
  StringSource src3(random_bytes(200000, 4));
  auto bad = c->upload_blob(target(), src3, d);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().code == kCorrupt);
  BOOST_TEST(reg.uploads.empty());
}

BOOST_FIXTURE_TEST_CASE(cut_patch_resumes_from_registry_offset, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 3 + 5);
  reg.patch_cuts = 2;
  reg.patch_keep = 1000;  // the registry got 1000 bytes of the cut chunk
  StringSource src(data);
  auto up = c->upload_blob(target(), src, std::nullopt);
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(count("GET", "/blobs/uploads/") == 2u);  // asked where to resume, twice
  // The PATCH after the first cut starts at byte 1000.
  bool resumed = false;
  for (auto& r : reg.requests("/blobs/uploads/"))
    if (r.method == "PATCH" && r.headers.get("Content-Range").starts_with("1000-")) resumed = true;
  BOOST_TEST(resumed);
}

BOOST_FIXTURE_TEST_CASE(unresumable_session_starts_over, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 2 + 9);
  reg.patch_cuts = 1;
  reg.patch_keep = 100;
  reg.resumable = false;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(src.rewinds == 1);
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(count("DELETE", "/blobs/uploads/") == 1u);  // the broken session was cancelled
  // Without a way to rewind, the push fails cleanly.
  reg.patch_cuts = 1;
  StringSource once(data);
  auto bad = c->upload_blob(target("reg.test/me/other:v1"), once, std::nullopt);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg.find("cannot resume") != std::string::npos, bad.error().msg);
  BOOST_TEST(bad.error().msg.find("_state") == std::string::npos, bad.error().msg);
  BOOST_TEST(reg.uploads.empty());
}

// Content-Range starts of the PATCHes sent, in order.
std::vector<std::string> patch_starts(FakeRegistry& reg) {
  std::vector<std::string> out;
  for (auto& r : reg.requests("/blobs/uploads/"))
    if (r.method == "PATCH") {
      std::string cr = r.headers.get("Content-Range");
      out.push_back(cr.substr(0, cr.find('-')));
    }
  return out;
}

BOOST_FIXTURE_TEST_CASE(short_range_on_202_resumes_from_registry_offset, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 3 + 5);
  reg.short_202 = 1;  // the first chunk answered 202 with "Range: 0-999"
  reg.patch_keep = 1000;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(src.rewinds == 0);
  BOOST_TEST(count("GET", "/blobs/uploads/") == 1u);
  auto starts = patch_starts(reg);
  BOOST_REQUIRE(starts.size() == 5u);  // four chunks and the rest of the first
  BOOST_TEST(starts[1] == "1000");  // the rest of the first chunk
  BOOST_TEST(starts[2] == std::to_string(64 * 1024));
}

// A 416 (the registry's offset is not ours) or a 404 on a PATCH: ask where the session stands,
// continue from there when it is still there.
BOOST_FIXTURE_TEST_CASE(refused_patch_asks_where_the_session_stands, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 2 + 5);
  reg.patch_416 = 1;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(count("GET", "/blobs/uploads/") == 1u);
  BOOST_TEST(src.rewinds == 0);

  reg.log.clear();
  reg.patch_404 = 1;  // a registry that refuses a chunk once but keeps the session
  Rewindable src2(random_bytes(64 * 1024 * 2 + 5, 21));
  auto up2 = c->upload_blob(target(), src2, std::nullopt, {}, [&] { return src2.rewind(); });
  BOOST_REQUIRE_MESSAGE(up2, (up2 ? std::string() : up2.error().msg));
  BOOST_TEST(count("GET", "/blobs/uploads/") == 1u);
  BOOST_TEST(src2.rewinds == 0);
  BOOST_TEST(reg.uploads.empty());
}

// Distribution: a PATCH cut mid-body leaves part of it in the session, whose state no longer
// matches; the GET is answered 404 BLOB_UPLOAD_INVALID and the session dropped. A new one
// starts from byte 0, and the blob arrives whole.
BOOST_FIXTURE_TEST_CASE(cut_patch_on_distribution_starts_over, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 3 + 5);
  reg.check_state = true;
  reg.patch_cuts = 1;
  reg.patch_keep = 1000;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(src.rewinds == 1);
  BOOST_TEST(count("POST", "/blobs/uploads/") == 2u);
  BOOST_TEST(reg.uploads.empty());
}

// The race behind image-push-errors' failures, at the upload level: the GET after a cut comes
// before the registry has stored the cut PATCH's bytes, so it reports the old offset; the
// resumed chunk is then refused (404). The upload asks again, learns the session is gone, and
// starts over instead of failing.
BOOST_FIXTURE_TEST_CASE(resumed_chunk_refused_after_late_bytes_starts_over, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 3 + 5);
  reg.check_state = true;
  reg.cut_lands_late = true;
  reg.patch_cuts = 1;
  reg.patch_keep = 1000;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(src.rewinds == 1);
  BOOST_TEST(count("GET", "/blobs/uploads/") == 2u);  // the stale answer, then the 404
  // Without a way to rewind, a clean failure that names the cause, and nothing left behind.
  reg.log.clear();
  reg.patch_cuts = 1;
  StringSource once(data);
  auto bad = c->upload_blob(target("reg.test/me/other:v1"), once, std::nullopt);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg.find("cannot resume") != std::string::npos, bad.error().msg);
  BOOST_TEST(reg.uploads.empty());
}

// The closing PUT stored the blob but its answer was lost: a HEAD finds the blob; the PUT is
// not sent again (it would find no session).
BOOST_FIXTURE_TEST_CASE(lost_answer_to_closing_put_finds_the_blob, Fixture) {
  auto c = client(64 * 1024);
  std::string data = random_bytes(64 * 1024 * 2 + 5);
  reg.put_lost = 1;
  Rewindable src(data);
  auto up = c->upload_blob(target(), src, std::nullopt, {}, [&] { return src.rewind(); });
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.blobs.at(up->digest.str()) == data);
  BOOST_TEST(count("PUT", "/blobs/uploads/") == 1u);
  BOOST_TEST(count("HEAD", "/blobs/sha256:") == 1u);
  BOOST_TEST(src.rewinds == 0);
}

BOOST_FIXTURE_TEST_CASE(gives_up_after_repeated_cuts, Fixture) {
  auto c = client(64 * 1024);
  reg.patch_cuts = 100;
  reg.patch_keep = 0;
  StringSource src(random_bytes(64 * 1024 * 2));
  auto up = c->upload_blob(target(), src, std::nullopt);
  BOOST_REQUIRE(!up);
  BOOST_TEST(up.error().code == kNetwork);
  BOOST_TEST(up.error().msg.find("giving up") != std::string::npos, up.error().msg);
  BOOST_TEST(reg.uploads.empty());
}

BOOST_FIXTURE_TEST_CASE(mount_manifest_and_catalog, Fixture) {
  auto c = client();
  std::string data = random_bytes(3000);
  StringSource src(data);
  auto up = c->upload_blob(target("reg.test/lib/base:1"), src, std::nullopt);
  BOOST_REQUIRE(up);
  auto none = c->stat_blob(target(), up->digest);
  BOOST_REQUIRE(none);
  BOOST_TEST(!none->has_value());
  auto m = c->mount_blob(target(), up->digest, "lib/base");
  BOOST_REQUIRE(m);
  BOOST_TEST(*m);
  auto no = c->mount_blob(target(), *oci::Digest::parse(std::string("sha256:") + std::string(64, 'a')), "lib/base");
  BOOST_REQUIRE(no);
  BOOST_TEST(!*no);
  BOOST_TEST(reg.uploads.empty());  // the upload the registry started instead was cancelled

  std::string manifest = R"({"schemaVersion":2})";
  auto d = c->put_manifest(target(), oci::media::kOciManifest, manifest);
  BOOST_REQUIRE_MESSAGE(d, (d ? std::string() : d.error().msg));
  BOOST_TEST(d->str() == *sha256_digest(manifest));
  BOOST_TEST(reg.manifests.at("me/app:v1").second == manifest);
}

BOOST_FIXTURE_TEST_CASE(server_errors_retried_then_reported, Fixture) {
  auto c = client();
  reg.fail_503 = 2;
  StringSource src(random_bytes(5000));
  auto up = c->upload_blob(target(), src, std::nullopt);
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(sleeps.size() >= 2u);  // backed off twice
  reg.fail_503 = 1000;
  StringSource src2(random_bytes(5000, 9));
  auto bad = c->upload_blob(target(), src2, std::nullopt);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg.find("503") != std::string::npos, bad.error().msg);
  reg.fail_503 = 1000;
  auto m = c->put_manifest(target(), oci::media::kOciManifest, "{}");
  BOOST_REQUIRE(!m);
  BOOST_TEST(m.error().msg.find("503") != std::string::npos, m.error().msg);
}

BOOST_FIXTURE_TEST_CASE(expired_token_renewed_during_push, Fixture) {
  reg.auth = FakeRegistry::Auth::kBearer;
  ClientOptions o;
  o.sleep = [this](int ms) { sleeps.push_back(ms); };
  o.chunk_size = 64 * 1024;
  o.creds = Credentials{"alice", "secret", ""};
  Client c(reg, t.env, conf, o);
  StringSource src(random_bytes(200000));
  BOOST_REQUIRE(c.upload_blob(target(), src, std::nullopt));
  int issued = reg.tokens_issued;
  reg.valid_tokens.clear();  // the registry no longer accepts the cached token (it expired)
  StringSource src2(random_bytes(200000, 11));
  auto up = c.upload_blob(target(), src2, std::nullopt);
  BOOST_REQUIRE_MESSAGE(up, (up ? std::string() : up.error().msg));
  BOOST_TEST(reg.tokens_issued > issued);
  // Wrong credentials: an authentication error, the password in no message.
  Client bad_client(reg, t.env, conf, [&] {
    ClientOptions b = o;
    b.creds = Credentials{"alice", "not-the-password", ""};
    return b;
  }());
  StringSource src3(random_bytes(10));
  auto bad = bad_client.upload_blob(target(), src3, std::nullopt);
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().code == kAuth);
  BOOST_TEST(bad.error().msg.find("not-the-password") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(push_needs_credentials, Fixture) {
  reg.auth = FakeRegistry::Auth::kBasic;
  auto c = client();
  StringSource src(random_bytes(10));
  auto up = c->upload_blob(target(), src, std::nullopt);
  BOOST_REQUIRE(!up);
  BOOST_TEST(up.error().code == kAuth);
}

BOOST_AUTO_TEST_SUITE_END()
