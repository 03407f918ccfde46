// Client::put_manifest: PUT /v2/<name>/manifests/<reference> (manifest push).
#include "client_internal.hpp"
#include "skiff/util/sha256.hpp"

namespace skiff::registry {

Result<oci::Digest> Client::put_manifest(const PullSource& dest, std::string_view media_type, const std::string& bytes) {
  const oci::Reference& ref = dest.ref;
  std::string what = fmt::format("push manifest {}", ref.str_with_default_tag());
  auto digest = TRY(oci::Digest::parse(TRY(sha256_digest(bytes))));
  Registry* r = TRY_CTX(registry_for(ref.domain(), dest.insecure), "{}", what);
  Request req;
  req.method = "PUT";
  req.repo = ref.path();
  req.scopes = {fmt::format("repository:{}:pull,push", ref.path())};
  req.headers.set("Content-Type", std::string(media_type));
  req.body = bytes;
  std::string path = fmt::format("/v2/{}/manifests/{}", ref.path(), ref.tag().empty() ? digest.str() : ref.tag());
  HttpResponse resp = TRY_CTX(request_with_retries(*r, path, req, what), "{}", what);
  if (resp.status == 201 || resp.status == 200) {
    (void)resp.read_body(64u << 10);
    if (auto got = resp.headers.get("Docker-Content-Digest"); !got.empty() && got != digest.str())
      return fail(kCorrupt, fmt::format("{}: the registry stored it as {}, not {}", what, got, digest.str()));
    return digest;
  }
  auto body = resp.read_body(64u << 10);
  std::string msg = registry_error_message(body ? *body : std::string());
  std::string status = fmt::format("HTTP {}{}{}", resp.status, resp.reason.empty() ? "" : " ", resp.reason);
  if (resp.status == 401 || resp.status == 403)
    return fail(kAuth, fmt::format("{}: access to registry {} denied ({}{}{}); log in with `skiff login {}`", what,
                                   ref.domain(), status, msg.empty() ? "" : ": ", msg, ref.domain()));
  if (msg.find("manifest blob unknown") != std::string::npos || msg.find("manifest unknown") != std::string::npos ||
      msg.find("blob unknown") != std::string::npos)
    return fail(kNotFound, fmt::format("{}: {}{}{}: an image of the list is not in {} yet (push it first)", what, status,
                                       msg.empty() ? "" : ": ", msg, ref.name()));
  return fail(resp.status >= 500 ? kNetwork : kInvalid,
              fmt::format("{}: {}{}{}", what, status, msg.empty() ? "" : ": ", msg));
}

}  // namespace skiff::registry
