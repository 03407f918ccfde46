// Compressed blobs kept with their layers: layers/<chain-hex>/blob-<digest-hex>. A pulled
// layer keeps the bytes the registry sent, so a push sends the very same blob (its digest, and
// the image's manifest digest, survive pull → push to any registry); a layer compressed for a
// push keeps its blob for the next push. The blob lives in the layer's directory, so it goes
// wherever the layer goes (removal renames the whole directory away). It is written to an
// unnamed file (O_TMPFILE) and linked under its final name only when complete and fsync'd:
// a crash leaves either nothing or the whole blob.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "store_impl.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"

namespace skiff::storage {

using detail::hex_of;
using detail::valid_digest;

Result<UniqueFd> Store::blob_tempfile() {
  if (!root_.valid()) return fail(kNotFound, "the store does not exist");
  int fd = openat(root_.get(), "layers", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return fail_errno("create a temporary blob file in `layers`");
  return UniqueFd(fd);
}

Status Store::keep_layer_blob(std::string_view chain_id, std::string_view digest, int fd) {
  if (!valid_digest(chain_id) || !valid_digest(digest))
    return fail(kInvalid, fmt::format("invalid layer or blob digest `{}` `{}`", chain_id, digest));
  if (!root_.valid()) return fail(kNotFound, "the store does not exist");
  std::string what = fmt::format("layer {}: keep blob {}", chain_id, digest);
  if (opts_.sync && fsync(fd) < 0) return fail_errno(what);
  auto dir = TRY_CTX(open_at(root_.get(), "layers/" + hex_of(chain_id), O_RDONLY | O_DIRECTORY | O_NOFOLLOW), "{}", what);
  std::string name = "blob-" + hex_of(digest);
  std::string proc = fmt::format("/proc/self/fd/{}", fd);
  if (linkat(AT_FDCWD, proc.c_str(), dir.get(), name.c_str(), AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
    return fail_errno(what);
  if (opts_.sync) (void)fsync(dir.get());
  return ok();
}

Result<UniqueFd> Store::open_layer_blob(std::string_view chain_id, std::string_view digest) const {
  if (!valid_digest(chain_id) || !valid_digest(digest))
    return fail(kInvalid, fmt::format("invalid layer or blob digest `{}` `{}`", chain_id, digest));
  if (!root_.valid()) return fail(kNotFound, fmt::format("layer {} not found", chain_id));
  return open_at(root_.get(), fmt::format("layers/{}/blob-{}", hex_of(chain_id), hex_of(digest)),
                 O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

Result<std::string> Store::kept_layer_blob(std::string_view chain_id) const {
  if (!valid_digest(chain_id)) return fail(kInvalid, fmt::format("invalid layer ID `{}`", chain_id));
  if (!root_.valid()) return fail(ENOENT, fmt::format("layer {} not found", chain_id));
  auto names = TRY(list_dir_at(root_.get(), "layers/" + hex_of(chain_id)));
  for (auto& n : names)
    if (n.starts_with("blob-") && valid_digest("sha256:" + n.substr(5))) return "sha256:" + n.substr(5);
  return fail(ENOENT, fmt::format("layer {}: no blob kept", chain_id));
}

}  // namespace skiff::storage
