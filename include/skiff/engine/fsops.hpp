#pragma once
// A container's filesystem: cp, export, diff, commit; and import.
//
// SECURITY (cp, export): every path inside a container is resolved relative to a directory fd
// of the container's root with openat2 RESOLVE_IN_ROOT, in a helper process that has the
// container's ids (src/engine/ctrfs.hpp): symlinks resolve as the container sees them, never
// as the host would, even when they are swapped in while the copy runs (CVE-2018-15664
// class). Trees are walked by fd without following symlinks. The CLI side only ever reads and
// writes host paths the user named, and extracts tar streams with the layer extractor's rules
// (storage/extract.hpp: nothing in the stream can write outside the destination directory).
//
// CP RULES (Docker's, docker/cli cp.go and moby pkg/archive/copy.go):
//   SRC "dir" copies the directory, "dir/." its contents, "file/" or "file/." is an error
//   (not a directory); a symlink is copied as a link unless -L (then its target, under the
//   link's name); a trailing "/" resolves a final symlink.
//   DEST exists as a directory: SRC goes inside it (its contents with "/."). DEST exists as a
//   file: a file SRC replaces it, a directory SRC is an error ("cannot copy directory"). DEST
//   does not exist: it is created from SRC (its parent must exist); "DEST/" for a file SRC is
//   an error ("no such directory"). A DEST that is a symlink is followed (host side as the
//   host resolves it; container side inside the container).
//   Ownership: files copied into a container belong to its root (0:0) unless -a (the host
//   file's uid/gid); files copied out belong to the caller (rootful -a keeps the container's
//   ids). A directory is never replaced by a file or the reverse.
//   `-` as SRC reads a tar stream (plain, gzip or zstd) and extracts it into DEST, which must
//   be a directory; as DEST writes a tar stream of SRC.

#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::engine {

// ---- cp ---------------------------------------------------------------------------------

struct CpOptions {
  bool archive = false;      ///< -a: keep uid/gid
  bool follow_link = false;  ///< -L: follow a symlink in SRC
};

/// cp CONTAINER:SRC HOSTDEST
Status copy_from_container(Engine& e, const std::string& ref, const std::string& src, const std::string& dest,
                           const CpOptions& o);
/// cp CONTAINER:SRC - : writes a tar stream of SRC (entries named after SRC's base name).
Status copy_from_container_to(Engine& e, const std::string& ref, const std::string& src, ByteSink& out,
                              const CpOptions& o);
/// cp HOSTSRC CONTAINER:DEST
Status copy_to_container(Engine& e, const std::string& src, const std::string& ref, const std::string& dest,
                         const CpOptions& o);
/// cp - CONTAINER:DEST : extracts the tar stream `in` (plain, gzip or zstd) into DEST.
Status copy_to_container_from(Engine& e, ByteSource& in, const std::string& ref, const std::string& dest,
                              const CpOptions& o);

/// What one side of a copy looks like.
struct CopyEnd {
  std::string path;     ///< as the user wrote it (trailing "/" and "/." matter)
  bool exists = false;
  bool is_dir = false;
};

/// Where a copy lands: the directory to extract into and the name the copied entry takes
/// there ("" = the source directory's contents go straight into `dir`).
struct CopyPlan {
  std::string dir;
  std::string name;
};

/// Docker's placement rules (PrepareArchiveCopy). `src_name` is the name the source has
/// (its base name, or the link's name with -L). Errors: "cannot copy directory" (directory
/// onto an existing file), "no such directory" (file onto "DEST/" that does not exist).
Result<CopyPlan> plan_copy(const CopyEnd& src, const std::string& src_name, const CopyEnd& dst);

/// The parent and base of a path as Docker splits them (SplitPathDirEntry): "a/b/." →
/// {"a/b", "."}, "/a/b/" → {"/a", "b"}, "/" → {"/", "/"}.
std::pair<std::string, std::string> split_path_dir_entry(const std::string& path);

// ---- export -----------------------------------------------------------------------------

/// The container's root filesystem (without its volumes and other mounts) as a tar stream.
Status export_container(Engine& e, const std::string& ref, ByteSink& out);

// ---- diff -------------------------------------------------------------------------------

struct Change {
  enum Kind { Modified, Added, Deleted };
  Kind kind = Modified;
  std::string path;  ///< absolute, as the container sees it
  char letter() const { return kind == Modified ? 'C' : kind == Added ? 'A' : 'D'; }
};

/// The container's changes against its image, sorted by path: overlay from its upper layer
/// (whiteouts are deletions, a deleted directory is one line, opaque directories hide the
/// lower contents, copied-up parent directories are changes), vfs by comparing its root with
/// the image's top layer (Docker's rules: a directory counts as changed when its metadata
/// other than times changed or something below it changed). The mount-point stubs skiff
/// creates are never listed.
Result<std::vector<Change>> container_changes(Engine& e, const std::string& ref);

// ---- commit, import -----------------------------------------------------------------------

struct CommitOptions {
  std::string author;                ///< -a
  std::string message;               ///< -m
  std::vector<std::string> changes;  ///< -c (image/config_changes.hpp)
  bool pause = true;                 ///< -p: accepted; there is no freezer yet (see commit.cpp)
  std::string reference;             ///< REPOSITORY[:TAG] or ""
};

struct CommitResult {
  std::string image_id;  ///< "sha256:…"
  bool empty_layer = false;  ///< nothing changed: no layer added (Docker's empty_layer)
};

/// Turns the container's layer into one new layer on top of its image's layers and stores a
/// new image (config = the container's config + changes, history entry with author, comment
/// and created_by). Crash-safe: the layer and the image are published atomically, in that
/// order; a killed commit leaves at most an unreferenced layer or staging leftovers that the
/// store sweeps.
Result<CommitResult> commit_container(Engine& e, const std::string& ref, const CommitOptions& o);

struct ImportOptions {
  std::string reference;             ///< REPOSITORY[:TAG] or ""
  std::string message;               ///< -m (default "Imported from <source>")
  std::vector<std::string> changes;  ///< -c
  std::string source;                ///< the file name or "-", for the default message
  std::string platform;              ///< --platform os/arch[/variant] ("" = the host's)
};

/// A tarball (plain, gzip or zstd) becomes a one-layer image. Returns its ID.
Result<std::string> import_image(Engine& e, ByteSource& tar, const ImportOptions& o);

}  // namespace skiff::engine
