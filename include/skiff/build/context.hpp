#pragma once
// The build context: .dockerignore rules, the context directory (walked from a directory fd,
// never by joined strings; no symlink reaches outside it), COPY/ADD source resolution with
// wildcards, the content hash of sources for the build cache, the Dockerfile's location
// (-f, Dockerfile or Containerfile) and the stdin forms (`-`: a Dockerfile or a tar).

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::build {

struct CompiledPattern;  ///< private to src/build/ignore.cpp

// ---- patterns -------------------------------------------------------------------------------

/// Go's path/filepath.Match on '/'-separated names: `*` (no '/'), `?`, `[...]` classes with
/// ranges and `^` negation (Go has no `!`), `\` escapes. A malformed pattern is a kInvalid error
/// (filepath.ErrBadPattern) even when the name would not reach the bad part.
Result<bool> path_match(std::string_view pattern, std::string_view name);

/// .dockerignore rules (moby/patternmatcher): one pattern a line, `#` comments, blank lines
/// skipped, `!` marks an exception, patterns cleaned (leading `/` and `./` removed, `..`
/// resolved), `**` matches any number of directories, the last matching pattern wins, and a
/// pattern matching a directory matches everything below it.
class IgnoreMatcher {
 public:
  IgnoreMatcher() = default;
  /// From a .dockerignore file's text. Bad patterns are kInvalid errors naming the line.
  static Result<IgnoreMatcher> parse(std::string_view text);
  /// From patterns as given (e.g. built-in exclusions); same rules as the file's lines.
  static Result<IgnoreMatcher> from_patterns(const std::vector<std::string>& patterns);

  /// True when the context-relative path (no leading '/', '/'-separated; "a/b") is excluded.
  /// The decision for a path counts its parents as the patterns say (moby's MatchesOrParentMatches).
  bool excluded(std::string_view rel) const;
  /// True when some `!` exception could re-include something below the excluded directory
  /// `rel`, so a walk must still descend into it.
  bool may_include_below(std::string_view rel) const;
  bool empty() const { return rules_.empty(); }
  /// The cleaned patterns, `!` kept, in order.
  std::vector<std::string> patterns() const;

  struct Rule {
    std::string pattern;               ///< cleaned, without '!'
    std::vector<std::string> parts;    ///< pattern split at '/'
    bool exception = false;
    std::shared_ptr<const CompiledPattern> compiled;
  };

 private:
  std::vector<Rule> rules_;
};

// ---- the context directory ------------------------------------------------------------------

/// One file or directory of the context, as a walk reports it.
struct ContextEntry {
  std::string path;          ///< context-relative, '/'-separated ("src/a.c"); "" for the root
  mode_t mode = 0;           ///< st_mode (type and permission bits)
  uint64_t size = 0;         ///< regular files
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t mtime = 0;
  uint32_t mtime_nsec = 0;
  std::string link_target;   ///< symlinks: the target text (never followed)
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t nlink = 1;
};

/// What the visitor of a walk answers.
enum class WalkAction { Continue, SkipDir, Stop };

/// A source of COPY/ADD after wildcard resolution.
struct SourceMatch {
  std::string pattern;       ///< the source as written (cleaned)
  std::string path;          ///< context-relative path of the match ("" is the context root)
  ContextEntry entry;        ///< lstat of the match; a symlink source is followed inside the
                             ///< context (Docker copies what it points to)
};

/// A build context rooted at a directory fd. Every lookup is done with openat2
/// RESOLVE_IN_ROOT / O_NOFOLLOW relative to that fd, so nothing in it reaches outside.
class BuildContext {
 public:
  BuildContext() = default;  ///< an empty context (`skiff build - < Dockerfile`)
  BuildContext(BuildContext&&) noexcept;
  BuildContext& operator=(BuildContext&&) noexcept;
  ~BuildContext();

  /// Opens the directory `dir` as the context with the given ignore rules.
  static Result<BuildContext> open_dir(std::string_view dir, IgnoreMatcher ignore = {});

  /// Extracts a tar stream (plain, gzip or zstd) read from `fd` into a
  /// fresh directory under `tmpdir` with storage's hostile-input rules, and opens it as the
  /// context. The directory is removed when the context is destroyed. `.dockerignore` is read
  /// from it by the caller (load_ignore()).
  /// `tmpdir` "": $TMPDIR, else /var/tmp (as Podman).
  static Result<BuildContext> from_tar_fd(int fd, std::string_view tmpdir = "");
  /// The same, from bytes already read (`head` was consumed from `fd` to sniff the stream).
  static Result<BuildContext> from_tar_fd(int fd, std::string head, std::string_view tmpdir);

  bool has_dir() const { return root_.valid(); }
  int dirfd() const { return root_.get(); }
  const std::string& dir() const { return dir_; }  ///< for messages only
  const IgnoreMatcher& ignore() const { return ignore_; }
  void set_ignore(IgnoreMatcher m) { ignore_ = std::move(m); }

  /// Reads `<dockerfile>.dockerignore` next to the Dockerfile when `dockerfile_path` (a host
  /// path, may be "") has one, else `.dockerignore` at the context root; none: empty rules.
  /// For a context extracted from a tar both are read inside the context (load_ignore_in).
  Result<IgnoreMatcher> load_ignore(std::string_view dockerfile_path = "") const;

  /// The same with the Dockerfile given by its path inside the context (find_dockerfile_in's
  /// `context_path`): `<that>.dockerignore` is read inside the context too.
  Result<IgnoreMatcher> load_ignore_in(std::string_view dockerfile_rel) const;

  /// True when the context-relative path is excluded by .dockerignore.
  bool excluded(std::string_view rel) const { return ignore_.excluded(rel); }

  /// lstat of a context-relative path (symlinks in the middle resolved inside the context).
  Result<ContextEntry> stat(std::string_view rel) const;
  /// Opens a context-relative path (symlinks resolved inside the context). O_CLOEXEC added.
  Result<UniqueFd> open(std::string_view rel, int flags) const;

  /// Walks `rel` (a directory or a single entry) depth-first in sorted name order, calling
  /// `visit` for `rel` itself and then for everything below, skipping excluded entries (but
  /// descending into excluded directories that exceptions may re-include; such a directory is
  /// reported just before its first re-included child). Symlinks below `rel` are reported,
  /// never followed; `rel` itself, when a symlink, is followed inside the context (a dangling
  /// one is reported as the link).
  Status walk(std::string_view rel,
              const std::function<Result<WalkAction>(const ContextEntry&)>& visit) const;

  /// Resolves one COPY/ADD source: cleaned relative to the context root ("../x" and "/x" stay
  /// inside), wildcards (path_match per component) expanded in sorted order, excluded paths
  /// dropped. No match is a kNotFound error naming the source, as Docker's
  /// `"/x": not found`; an empty result is only returned for a wildcard that matches nothing
  /// when `allow_empty_wildcard`.
  Result<std::vector<SourceMatch>> resolve_source(std::string_view source,
                                                  bool allow_empty_wildcard = false) const;

  /// A content hash ("sha256:<hex>") of the given context-relative sources (in that order)
  /// and everything below them that is not excluded: each source's path, the names below it
  /// relative to it, file types, permission bits, sizes, symlink targets and file contents
  /// (not owners or times). The same tree gives the same hash in any context.
  Result<std::string> hash_sources(const std::vector<std::string>& paths) const;

  /// The cache hash of a COPY/ADD's context sources as written (wildcards allowed): each
  /// source pattern, then hash_sources() of what it resolves to (resolve_source, an empty
  /// wildcard allowed). A missing source is resolve_source's kNotFound error.
  Result<std::string> hash_copy_sources(const std::vector<std::string>& sources) const;

 private:
  UniqueFd root_;
  std::string dir_;
  std::string tmp_;          ///< extracted tar: removed by the destructor
  IgnoreMatcher ignore_;
};

// ---- finding the Dockerfile -----------------------------------------------------------------

/// The Dockerfile to build, as read.
struct DockerfileSource {
  std::string text;
  std::string name;          ///< for diagnostics ("Dockerfile", "Containerfile", "-")
  std::string path;          ///< host path it was read from ("" for stdin or find_dockerfile_in)
  std::string context_path;  ///< find_dockerfile_in: its path inside the context
};

/// Picks and reads the Dockerfile: `-f file` (a host path; "-": `stdin_fd`) when given (a
/// relative -f is relative to the working directory, as Docker's CLI), otherwise
/// `Dockerfile` then `Containerfile` in the context directory (`context_dir` "" when there is
/// no context). Errors say what was looked for. When `context_dir` is a context extracted
/// from a tar (BuildContext::from_tar_fd, still alive), this is find_dockerfile_in() on it: -f
/// is relative to the context root and nothing is read outside it.
Result<DockerfileSource> find_dockerfile(std::string_view context_dir, std::string_view file_flag,
                                         int stdin_fd = 0);

/// The same for a context that came as a tar (or any context whose files should not be
/// trusted): `-f` (relative to the context root) or Dockerfile/Containerfile are read inside
/// the context with RESOLVE_IN_ROOT, so a symlinked Dockerfile cannot name a host file.
/// "-" still reads `stdin_fd`.
Result<DockerfileSource> find_dockerfile_in(const BuildContext& ctx, std::string_view file_flag,
                                            int stdin_fd = 0);

/// What `skiff build -` read from stdin: a tar context (then `dockerfile` is empty and the
/// Dockerfile is looked up in the context) or a Dockerfile with no context.
struct StdinInput {
  BuildContext context;      ///< has_dir() false for a bare Dockerfile
  std::optional<DockerfileSource> dockerfile;
};
/// Reads stdin for `build -`: a (compressed) tar becomes an extracted context under `tmpdir`,
/// anything else is the Dockerfile.
Result<StdinInput> read_stdin_input(int fd, std::string_view tmpdir = "");

}  // namespace skiff::build
