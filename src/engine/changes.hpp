#pragma once
// Private to src/engine: a container's own layer as a list of changes (diff) or as a layer
// tar (commit). These functions walk directories by fd and never follow symlinks; they run
// in a worker with the store's ids (rootless: its user namespace), where every file of the
// layer is readable and owners read as the container's.
//
// OVERLAY: the upper directory is the layer. An entry there is Added when no lower layer has
// it, else Modified (copied-up parent directories included); a whiteout (0:0 character
// device) is a Deleted path (a deleted directory is one whiteout: one line); an opaque
// directory (trusted. or user.overlay.opaque = "y") hides what the lower layers have below
// it: those children are Deleted, the upper ones Added. Lower-layer lookups follow
// overlayfs: the topmost layer that has the name decides, a whiteout or a non-directory ends
// the search, an opaque directory ends it below itself.
//   The layer tar: the upper entries in byte order of their names, whiteouts as `.wh.<name>`,
//   opaque directories followed by `<dir>/.wh..wh..opq` (OCI image spec, "Representing
//   Changes"), overlayfs' own xattrs never written.
// VFS: the container's root is compared with the image's top-layer snapshot (Docker's
// ChangesDirs rules): a path only in the root is Added (and so is everything below it), only
// in the image Deleted (once, for a directory), in both Modified when its type, mode, owner
// or device differ, or for a non-directory its size or mtime; a directory is also Modified
// when anything below it changed. The mount-point stubs the runtime creates in a vfs root
// (/proc, /sys, /dev, /etc/hostname, /etc/hosts, /etc/resolv.conf) are not changes when the
// image lacks them and they are empty.
//   The layer tar: one entry per change in path order, deletions as `.wh.<name>`.

#include <vector>

#include "skiff/engine/fsops.hpp"
#include "skiff/util/archive.hpp"

namespace skiff::engine {

/// The changes of an overlay upper directory over `lowers` (directory fds, topmost first).
Result<std::vector<Change>> overlay_changes(int upperfd, const std::vector<int>& lowers);
/// The changes of a vfs root over the image snapshot.
Result<std::vector<Change>> vfs_changes(int rootfd, int imagefd);

/// Writes the layer tar of an overlay upper directory (does not finish the writer).
Status write_overlay_layer(int upperfd, TarWriter& w);
/// Writes the layer tar of a vfs root from its changes (vfs_changes(), sorted).
Status write_vfs_layer(int rootfd, const std::vector<Change>& changes, TarWriter& w);

/// Sorts by path (byte order) as `diff` prints them.
void sort_changes(std::vector<Change>& changes);

}  // namespace skiff::engine
