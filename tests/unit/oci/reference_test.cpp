#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/oci/reference.hpp"

using namespace skiff;
using skiff::oci::Reference;

namespace {

const std::string kHex64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const std::string kDig = "sha256:" + kHex64;
const std::string kHex64b = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

struct Valid {
  std::string input;
  std::string normalized;  // Reference::str()
  std::string familiar;    // Reference::familiar()
  bool is_short;
};

// Inputs Docker accepts, with what `docker pull` would normalise them to.
const Valid kValid[] = {
    {"busybox", "docker.io/library/busybox", "busybox", true},
    {"busybox:latest", "docker.io/library/busybox:latest", "busybox:latest", true},
    {"busybox:1.36.1-musl", "docker.io/library/busybox:1.36.1-musl", "busybox:1.36.1-musl", true},
    {"library/busybox", "docker.io/library/busybox", "busybox", true},
    {"docker.io/busybox", "docker.io/library/busybox", "busybox", false},
    {"docker.io/library/busybox", "docker.io/library/busybox", "busybox", false},
    {"index.docker.io/busybox", "docker.io/library/busybox", "busybox", false},
    {"index.docker.io/library/debian", "docker.io/library/debian", "debian", false},
    {"index.docker.io/docker/docker", "docker.io/docker/docker", "docker/docker", false},
    {"docker/docker", "docker.io/docker/docker", "docker/docker", true},
    {"dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp:latest", true},
    {"docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", false},
    {"store/foo/bar", "docker.io/store/foo/bar", "store/foo/bar", true},
    {"other/library", "docker.io/other/library", "other/library", true},
    {"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox", false},
    {"127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox:1", "127.0.0.1:5000/busybox:1", false},
    {"127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", false},
    {"192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian", false},
    {"192.168.1.1/repo", "192.168.1.1/repo", "192.168.1.1/repo", false},
    {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", false},
    {"192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1", true},
    {"192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", true},
    {"localhost/app", "localhost/app", "localhost/app", false},
    {"localhost/app:dev", "localhost/app:dev", "localhost/app:dev", false},
    {"localhost:5000/a/b/c", "localhost:5000/a/b/c", "localhost:5000/a/b/c", false},
    {"example.com/privatebase", "example.com/privatebase", "example.com/privatebase", false},
    {"example.com:8000/private/moonbase", "example.com:8000/private/moonbase",
     "example.com:8000/private/moonbase", false},
    {"test:5000/repo", "test:5000/repo", "test:5000/repo", false},
    {"test:5000/repo:tag", "test:5000/repo:tag", "test:5000/repo:tag", false},
    {"test:5000/repo@" + kDig, "test:5000/repo@" + kDig, "test:5000/repo@" + kDig, false},
    {"test:5000/repo:tag@" + kDig, "test:5000/repo:tag@" + kDig, "test:5000/repo:tag@" + kDig, false},
    {"test.com/repo:tag", "test.com/repo:tag", "test.com/repo:tag", false},
    {"test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo", false},
    {"test_com", "docker.io/library/test_com", "test_com", true},
    {"test_com/foo", "docker.io/test_com/foo", "test_com/foo", true},
    {"test.com:tag", "docker.io/library/test.com:tag", "test.com:tag", true},
    {"test.com:5000", "docker.io/library/test.com:5000", "test.com:5000", true},
    {"foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "foo_bar.com:8080", true},
    {"foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "foo/foo_bar.com:8080", true},
    {"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", false},
    {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
     "sub-dom1.foo.com/bar/baz/quux:some-long-tag", false},
    {"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com",
     "b.gcr.io/test.example.com/my-app:test.example.com", false},
    {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", false},
    {"xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", false},
    {"[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]/repo", false},
    {"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag", false},
    {"[2001:db8::1]:5000/repo", "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000/repo", false},
    {"[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", false},
    {"[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000/repo", false},
    {"[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", false},
    {"[::1]:5000/repo:tag@" + kDig, "[::1]:5000/repo:tag@" + kDig, "[::1]:5000/repo:tag@" + kDig, false},
    {"busybox@" + kDig, "docker.io/library/busybox@" + kDig, "busybox@" + kDig, true},
    {"busybox:latest@" + kDig, "docker.io/library/busybox:latest@" + kDig, "busybox:latest@" + kDig, true},
    {"docker.io/library/redis@sha256:" + kHex64b, "docker.io/library/redis@sha256:" + kHex64b,
     "redis@sha256:" + kHex64b, false},
    {"lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "lowercase:Uppercase", true},
    {"image:_tag", "docker.io/library/image:_tag", "image:_tag", true},
    {"image:1.2-rc_3.x", "docker.io/library/image:1.2-rc_3.x", "image:1.2-rc_3.x", true},
    {"image:" + std::string(128, 'a'), "docker.io/library/image:" + std::string(128, 'a'),
     "image:" + std::string(128, 'a'), true},
    {"docker-rules/docker", "docker.io/docker-rules/docker", "docker-rules/docker", true},
    {"docker---rules/docker", "docker.io/docker---rules/docker", "docker---rules/docker", true},
    {"dock__er/docker", "docker.io/dock__er/docker", "dock__er/docker", true},
    {"dock_er-x/d.e", "docker.io/dock_er-x/d.e", "dock_er-x/d.e", true},
    {"d/docker", "docker.io/d/docker", "d/docker", true},
    {"jess/t", "docker.io/jess/t", "jess/t", true},
    {"a", "docker.io/library/a", "a", true},
    {"0", "docker.io/library/0", "0", true},
    {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
     "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
     "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", true},
    // 63 hex digits is a name, not an identifier.
    {kHex64b.substr(0, 63), "docker.io/library/" + kHex64b.substr(0, 63), kHex64b.substr(0, 63), true},
    {"docker.io/" + kHex64b, "docker.io/library/" + kHex64b, kHex64b, false},
    // An uppercase first component is taken as a registry (Docker's rule).
    {"Docker/docker", "Docker/docker", "Docker/docker", false},
    {"FOO/bar", "FOO/bar", "FOO/bar", false},
    {"quay.io/podman/stable:v4", "quay.io/podman/stable:v4", "quay.io/podman/stable:v4", false},
    {"registry.example.com/team/sub/app:1", "registry.example.com/team/sub/app:1",
     "registry.example.com/team/sub/app:1", false},
};

struct Invalid {
  std::string input;
  std::string error;  // the exact message
};

const Invalid kInvalidRefs[] = {
    {"", "invalid reference format: repository name must have at least one component"},
    {"Busybox", "invalid reference format: repository name must be lowercase"},
    {"Uppercase:tag", "invalid reference format: repository name must be lowercase"},
    {"docker/Docker", "invalid reference format: repository name must be lowercase"},
    {"docker.io/docker/Docker", "invalid reference format: repository name must be lowercase"},
    {"test:5000/Uppercase/lowercase:tag", "invalid reference format: repository name must be lowercase"},
    {"localhost/App", "invalid reference format: repository name must be lowercase"},
    {kHex64b, "invalid repository name (" + kHex64b + "), cannot specify 64-byte hexadecimal strings"},
    {"-docker", "invalid reference format: repository name component \"-docker\" must start and end "
                "with a lowercase letter or digit"},
    {"-docker/docker", "invalid reference format: repository name component \"-docker\" must start "
                       "and end with a lowercase letter or digit"},
    {"docker-/docker", "invalid reference format: repository name component \"docker-\" must start "
                       "and end with a lowercase letter or digit"},
    {"_docker/_docker", "invalid reference format: repository name component \"_docker\" must start "
                        "and end with a lowercase letter or digit"},
    {"____/____", "invalid reference format: repository name component \"____\" must start and end "
                  "with a lowercase letter or digit"},
    {"-docker.io/docker/docker", "invalid reference format: invalid registry \"-docker.io\""},
    {"dock..er/docker", "invalid reference format: invalid registry \"dock..er\""},
    {"dock_.er/docker", "invalid reference format: invalid registry \"dock_.er\""},
    {"dock-.er/docker", "invalid reference format: invalid registry \"dock-.er\""},
    // A first component with a dot is a registry (Docker's rule), so these are bad registries.
    {"x/dock..er", "invalid reference format: repository name component \"dock..er\" has the "
                   "invalid separator \"..\""},
    {"x/dock_.er", "invalid reference format: repository name component \"dock_.er\" has the "
                   "invalid separator \"_.\""},
    {"dock___er/docker", "invalid reference format: repository name component \"dock___er\" has the "
                         "invalid separator \"___\""},
    {"docker///docker", "invalid reference format: repository name \"docker///docker\" has an empty "
                        "path component"},
    {"docker.io/docker///docker", "invalid reference format: repository name \"docker///docker\" has "
                                  "an empty path component"},
    {"docker/", "invalid reference format: repository name \"docker/\" has an empty path component"},
    {"aa/asdf$$^/aa", "invalid reference format: repository name \"aa/asdf$$^/aa\" contains the "
                      "invalid character '$'"},
    {"foo bar", "invalid reference format: repository name \"library/foo bar\" contains the invalid "
                "character ' '"},
    {":justtag", "invalid reference format: repository name \"library/\" has an empty path component"},
    {"@" + kDig, "invalid reference format: repository name \"library/\" has an empty path component"},
    {"https://github.com/docker/docker", "invalid reference format: invalid registry \"https:\""},
    {"[fc00::1]", "invalid reference format: repository name \"library/[fc00:\" contains the "
                  "invalid character '['"},
    {"[2001:db8::1]:5000", "invalid reference format: repository name \"library/[2001:db8::1]\" "
                           "contains the invalid character '['"},
    {"fc00::1:5000/debian", "invalid reference format: invalid registry \"fc00::1:5000\""},
    {"[fe80::1%eth0]:5000/debian", "invalid reference format: invalid registry \"[fe80::1%eth0]:5000\""},
    {"[2001:db8:3:4::192.0.2.33]:5000/debian",
     "invalid reference format: invalid registry \"[2001:db8:3:4::192.0.2.33]:5000\""},
    {"localhost:port/app", "invalid reference format: invalid registry \"localhost:port\""},
    {"example.com:/app", "invalid reference format: invalid registry \"example.com:\""},
    {"foo_bar.com/x", "invalid reference format: invalid registry \"foo_bar.com\""},
    {"busybox:", "invalid reference format: invalid tag \"\": a tag is 1 to 128 characters from "
                 "[A-Za-z0-9_.-], not starting with '.' or '-'"},
    {"busybox:-x", "invalid reference format: invalid tag \"-x\": a tag is 1 to 128 characters from "
                   "[A-Za-z0-9_.-], not starting with '.' or '-'"},
    {"busybox:.x", "invalid reference format: invalid tag \".x\": a tag is 1 to 128 characters from "
                   "[A-Za-z0-9_.-], not starting with '.' or '-'"},
    {"busybox:a+b", "invalid reference format: invalid tag \"a+b\": a tag is 1 to 128 characters from "
                    "[A-Za-z0-9_.-], not starting with '.' or '-'"},
    {"image:" + std::string(129, 'a'),
     "invalid reference format: invalid tag \"" + std::string(129, 'a') +
         "\": a tag is 1 to 128 characters from [A-Za-z0-9_.-], not starting with '.' or '-'"},
    {"repo@sha256:ffffffffffffffffffffffffffffffffff",
     "invalid reference format: invalid digest `sha256:ffffffffffffffffffffffffffffffffff`: want 64 "
     "lowercase hex digits"},
    {"validname@invaliddigest:" + kHex64,
     "invalid reference format: unsupported digest algorithm `invaliddigest`"},
    {"busybox@", "invalid reference format: invalid digest ``: missing algorithm"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(oci_reference)

BOOST_AUTO_TEST_CASE(valid_references_normalise_like_docker) {
  for (const auto& c : kValid) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto r = Reference::parse(c.input);
      BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().msg));
      BOOST_TEST(r->str() == c.normalized);
      BOOST_TEST(r->familiar() == c.familiar);
      BOOST_TEST(r->is_short() == c.is_short);
      // Normalising the normalised form is a fixed point, and it is never short.
      auto again = Reference::parse(r->str());
      BOOST_REQUIRE(again);
      BOOST_TEST(again->str() == c.normalized);
      BOOST_TEST(!again->is_short());
      // The familiar form parses back to the same reference.
      // The familiar form parses back to the same reference (except a bare 64-hex name,
      // which Docker reads as an image ID).
      if (!oci::is_identifier(r->familiar())) {
        auto fam = Reference::parse(r->familiar());
        BOOST_REQUIRE(fam);
        BOOST_TEST(fam->str() == c.normalized);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_references_say_what_is_wrong) {
  for (const auto& c : kInvalidRefs) {
    BOOST_TEST_CONTEXT("input " << c.input) {
      auto r = Reference::parse(c.input);
      BOOST_REQUIRE(!r);
      BOOST_TEST(r.error().code == kInvalid);
      BOOST_TEST(r.error().msg == c.error);
    }
  }
  BOOST_TEST(std::size(kValid) + std::size(kInvalidRefs) >= 80u);
}

BOOST_AUTO_TEST_CASE(repository_path_length_limit) {
  // 255 characters of path are fine ("a/a/…/a"), 257 are not.
  std::string ok;
  for (int i = 0; i < 127; ++i) ok += "a/";
  ok += "a";
  BOOST_REQUIRE_EQUAL(ok.size(), 255u);
  auto r = Reference::parse(ok + ":tag-puts-this-over-max");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->path() == ok);
  BOOST_TEST(r->domain() == "docker.io");
  auto bad = Reference::parse("a/" + ok + ":tag");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "invalid reference format: repository name must not be more than 255 characters");
  auto bad2 = Reference::parse("example.com/" + std::string(256, 'x'));
  BOOST_REQUIRE(!bad2);
  BOOST_TEST(bad2.error().msg == "invalid reference format: repository name must not be more than 255 characters");
  // A one-component Hub name gains "library/", which counts.
  BOOST_TEST(!Reference::parse(std::string(250, 'b')));
  BOOST_TEST(Reference::parse(std::string(247, 'b')).has_value());
}

BOOST_AUTO_TEST_CASE(accessors_and_forms) {
  auto r = *Reference::parse("busybox");
  BOOST_TEST(r.domain() == "docker.io");
  BOOST_TEST(r.path() == "library/busybox");
  BOOST_TEST(r.tag() == "");
  BOOST_TEST(r.tag_or_default() == "latest");
  BOOST_TEST(r.tag_or_digest() == "latest");
  BOOST_TEST(r.name() == "docker.io/library/busybox");
  BOOST_TEST(r.str_with_default_tag() == "docker.io/library/busybox:latest");
  BOOST_TEST(r.with_default_tag().familiar() == "busybox:latest");
  BOOST_TEST(r.short_name() == "busybox");

  auto t = *Reference::parse("opensuse/leap:15@" + kDig);
  BOOST_TEST(t.is_short());
  BOOST_TEST(t.short_name() == "opensuse/leap");
  BOOST_TEST(t.tag() == "15");
  BOOST_TEST(t.tag_or_digest() == kDig);
  BOOST_TEST(t.repository().str() == "docker.io/opensuse/leap");
  BOOST_TEST(t.str_with_default_tag() == "docker.io/opensuse/leap:15@" + kDig);

  auto d = *Reference::parse("127.0.0.1:5000/busybox@" + kDig);
  BOOST_TEST(d.tag_or_default() == "");
  BOOST_TEST(d.str_with_default_tag() == "127.0.0.1:5000/busybox@" + kDig);
  BOOST_TEST(d.familiar_name() == "127.0.0.1:5000/busybox");
  BOOST_TEST(d.short_name() == "");

  auto l = *Reference::parse("localhost:5000/x:1");
  BOOST_TEST(l.domain() == "localhost:5000");
  BOOST_TEST(l.path() == "x");
  BOOST_TEST(!l.is_short());

  BOOST_TEST(!r.with_tag_checked("bad tag"));
  BOOST_TEST(r.with_tag_checked("v1")->str() == "docker.io/library/busybox:v1");
}

BOOST_AUTO_TEST_CASE(from_parts_validates_and_normalises) {
  auto a = Reference::from_parts("docker.io", "alpine");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->str() == "docker.io/library/alpine");
  auto b = Reference::from_parts("index.docker.io", "team/app");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->str() == "docker.io/team/app");
  BOOST_TEST(!Reference::from_parts("bad host", "x"));
  BOOST_TEST(!Reference::from_parts("quay.io", "Upper"));
  BOOST_TEST(!Reference::from_parts("quay.io", ""));
}

BOOST_AUTO_TEST_CASE(grammar_helpers) {
  BOOST_TEST(oci::is_valid_tag("latest"));
  BOOST_TEST(oci::is_valid_tag("_"));
  BOOST_TEST(!oci::is_valid_tag(""));
  BOOST_TEST(!oci::is_valid_tag("-a"));
  BOOST_TEST(oci::is_valid_domain("localhost"));
  BOOST_TEST(oci::is_valid_domain("a.b-c.d:65535"));
  BOOST_TEST(oci::is_valid_domain("[::1]"));
  BOOST_TEST(!oci::is_valid_domain("a..b"));
  BOOST_TEST(!oci::is_valid_domain("[]"));
  BOOST_TEST(!oci::is_valid_domain("host:"));
  BOOST_TEST(oci::is_valid_repository_path("a/b-c/d__e"));
  BOOST_TEST(!oci::is_valid_repository_path("a/B"));
  BOOST_TEST(oci::is_identifier(kHex64b));
  BOOST_TEST(!oci::is_identifier(kHex64b.substr(1)));
}

// The one familiar rule (listings, rmi, build, completion): docker.io/ dropped, library/ only
// when a single path component follows it (Docker's FamiliarName).
BOOST_AUTO_TEST_CASE(familiar_of_a_normalised_name) {
  BOOST_TEST(oci::familiar("docker.io/library/busybox:latest") == "busybox:latest");
  BOOST_TEST(oci::familiar("docker.io/library/busybox") == "busybox");
  BOOST_TEST(oci::familiar("docker.io/library/busybox@" + kDig) == "busybox@" + kDig);
  BOOST_TEST(oci::familiar("docker.io/user/app:1") == "user/app:1");
  BOOST_TEST(oci::familiar("docker.io/library/a/b:1") == "library/a/b:1");
  BOOST_TEST(oci::familiar("quay.io/x/y:z") == "quay.io/x/y:z");
  BOOST_TEST(oci::familiar("127.0.0.1:5000/library/x:1") == "127.0.0.1:5000/library/x:1");
  BOOST_TEST(Reference::parse("docker.io/library/a/b")->familiar_name() == "library/a/b");
}

BOOST_AUTO_TEST_SUITE_END()
