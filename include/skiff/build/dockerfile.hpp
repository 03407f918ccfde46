#pragma once
// The Dockerfile parser and variable substitution (the Dockerfile reference, as BuildKit's
// dockerfile frontend reads it).
//
// parse_dockerfile() turns the text into stages of instructions, keeping for each its line,
// its original text (for history), its raw arguments, flags and heredocs. Nothing is expanded
// here: the executor calls expand_instruction() with the variables in effect at that step
// (ARG/ENV of the stage, the build args), since which variables exist depends on the build.
// Every error of the file is collected ("Dockerfile:7: unknown instruction: RUUN"), not only
// the first.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff::build {

/// A here-document (`RUN <<EOF` … `EOF`).
struct Heredoc {
  std::string name;     ///< the delimiter word, without quotes ("EOF")
  std::string content;  ///< the body, every line ending in '\n' (tabs stripped for <<-)
  bool expand = true;   ///< false when the delimiter was quoted (<<'EOF', <<"EOF")
  bool chomp = false;   ///< <<- : leading tabs were stripped from every line
  int fd = -1;          ///< "3<<EOF": the fd number written before <<, -1 when none
};

/// An instruction flag (`--from=build`, `--link`). Flags that may repeat (--mount, --exclude)
/// appear once per occurrence, in order.
struct Flag {
  std::string name;         ///< without the dashes ("from")
  std::string value;        ///< the text after '=' (raw, unexpanded)
  bool has_value = false;   ///< "--link" alone: false
};

/// A KEY=VALUE pair of ENV, LABEL or ARG (ARG: has_value false for `ARG NAME`).
struct KeyValue {
  std::string key;
  std::string value;        ///< raw (unexpanded, quotes kept) as parsed; see expand_instruction
  bool has_value = true;
};

/// One instruction of a Dockerfile.
struct Instruction {
  std::string cmd;          ///< lowercase name: "from", "run", "copy", …
  int line = 0;             ///< 1-based line of its first line
  int end_line = 0;         ///< last line (continuations and heredocs included)
  std::string original;     ///< source text, continuation lines joined (Docker's node.Original),
                            ///< heredoc bodies not included
  std::vector<Flag> flags;
  /// The arguments after the flags:
  ///   RUN/CMD/ENTRYPOINT (shell form): one element, the command text (continuations joined;
  ///     with heredocs, the first line, e.g. "<<EOF" or "cat <<EOF > f");
  ///   exec form (json == true; also SHELL, VOLUME/COPY/ADD in JSON form): the array elements;
  ///   COPY/ADD: sources…, destination last (heredoc sources as "<<EOF" words);
  ///   EXPOSE, VOLUME (shell form): the whitespace-separated words;
  ///   USER, WORKDIR, STOPSIGNAL, MAINTAINER: one element, the rest of the line (trimmed);
  ///   ENV, LABEL, ARG: empty (see kvs);
  ///   FROM: {image} or {image, "AS", name} as written;
  ///   HEALTHCHECK: {"NONE"} or {"CMD", …command as for CMD…} (json tells the form);
  ///   ONBUILD: one element, the trigger text ("RUN echo hi"; also in `onbuild`).
  std::vector<std::string> args;
  bool json = false;        ///< exec (JSON array) form
  std::vector<KeyValue> kvs;        ///< ENV, LABEL, ARG
  std::vector<Heredoc> heredocs;    ///< RUN, COPY, ADD (also in the ONBUILD trigger)
  /// ONBUILD: the trigger parsed as an instruction (exactly one element); empty otherwise.
  std::vector<Instruction> onbuild;

  /// The first flag named `name`, or nullptr.
  const Flag* flag(std::string_view name) const;
  /// Every value of a repeatable flag (--mount, --exclude), in order.
  std::vector<std::string> flag_values(std::string_view name) const;
  /// A boolean flag (--link, --parents, --keep-git-dir): true when given alone or "=true".
  bool flag_bool(std::string_view name) const;
};

/// A build stage: its FROM and the instructions after it.
struct Stage {
  int index = 0;            ///< 0-based position in the file
  std::string base;         ///< the FROM image word, raw ("scratch", "${BASE}:1", "builder")
  std::string name;         ///< the AS name, lowercased ("" when none)
  std::string platform;     ///< --platform, raw ("" when none)
  Instruction from;         ///< the FROM instruction itself
  std::vector<Instruction> instructions;  ///< everything after FROM up to the next FROM
};

/// Where and what: one parse error or warning.
struct Diagnostic {
  std::string file;
  int line = 0;             ///< 0 when the problem has no line (an empty file)
  std::string msg;          ///< lowercase, says what is wrong and, where it helps, the fix
  /// "Dockerfile:7: unknown instruction: RUUN" ("Dockerfile: …" without a line).
  std::string text() const;
};

/// A parsed Dockerfile.
struct Dockerfile {
  std::string file = "Dockerfile";  ///< the name used in diagnostics
  char escape = '\\';       ///< from the `# escape=` directive
  std::string syntax;       ///< `# syntax=` (accepted and ignored; a note says so)
  std::string check;        ///< `# check=` (recorded, not enforced)
  std::vector<Instruction> meta_args;  ///< ARG instructions before the first FROM
  std::vector<Stage> stages;
  std::vector<Diagnostic> warnings;    ///< notes: ignored syntax directive, MAINTAINER, …

  /// The stage named `name` (case-insensitive) or with that index ("0", "1"), or nullptr.
  const Stage* find_stage(std::string_view name_or_index) const;
};

/// Everything parse_dockerfile_all() found: the file (as far as it could be read) and every
/// error.
struct ParseOutput {
  Dockerfile dockerfile;
  std::vector<Diagnostic> errors;
};

/// Parses a whole Dockerfile, collecting every error. `file` names it in diagnostics.
ParseOutput parse_dockerfile_all(std::string_view text, std::string_view file = "Dockerfile");

/// Parses a Dockerfile; any error fails with kInvalid and a message listing every error, one
/// per line ("Dockerfile:3: unknown instruction: FOO\nDockerfile:9: …").
Result<Dockerfile> parse_dockerfile(std::string_view text, std::string_view file = "Dockerfile");

/// Parses ONBUILD triggers recorded in an image config (one instruction per string, as
/// "RUN echo hi"), for a child build. FROM, ONBUILD and MAINTAINER are refused, as Docker.
Result<std::vector<Instruction>> parse_triggers(const std::vector<std::string>& triggers,
                                                char escape = '\\');

// ---- variable substitution ------------------------------------------------------------------

/// The variables in effect (build args and ENV; case-sensitive names).
using Vars = std::map<std::string, std::string, std::less<>>;

/// Expands `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`
/// (word itself expanded), escapes with `escape`, single quotes (literal) and double quotes
/// (removed, contents expanded), as BuildKit's shell lexer does for one word (no splitting).
/// Names used are added to `used` when given. A bad substitution (`${`, `${VAR`, `${1x}`) is
/// a kInvalid error.
Result<std::string> expand_word(std::string_view word, const Vars& vars, char escape = '\\',
                                std::set<std::string>* used = nullptr);

/// Like expand_word but splits the result into words at unquoted whitespace (after
/// expansion, as BuildKit's ProcessWords): `a "b c" $X` with X="d e" gives {a, b c, d, e}.
Result<std::vector<std::string>> expand_words(std::string_view text, const Vars& vars,
                                              char escape = '\\',
                                              std::set<std::string>* used = nullptr);

/// True for the instructions whose arguments the reference says are expanded by the builder
/// (ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR, and ARG defaults): "run",
/// "cmd", "entrypoint", "shell", "healthcheck", "onbuild", "maintainer" are not.
bool expands_variables(std::string_view cmd);

/// A copy of `ins` with its variables substituted from `vars`, in exactly what the reference
/// expands (expands_variables()): FROM's image and --platform; ENV/LABEL keys and values and
/// ARG default values (quotes removed); COPY/ADD sources and destination (not the heredoc
/// words) and their --chown, --chmod, --from and --checksum values; EXPOSE words (split again
/// after expansion); VOLUME words; USER, WORKDIR, STOPSIGNAL. Other instructions are returned
/// unchanged. Heredoc bodies are never expanded here (RUN's shell does it; COPY/ADD bodies:
/// expand_heredoc). Errors name the line.
Result<Instruction> expand_instruction(const Instruction& ins, const Vars& vars,
                                       char escape = '\\', std::set<std::string>* used = nullptr);

/// The body of a COPY/ADD heredoc with its variables expanded when the delimiter was unquoted
/// (as BuildKit does: `$VAR`, `${VAR}` and the escape char; quotes are kept literally).
Result<std::string> expand_heredoc(const Heredoc& h, const Vars& vars, char escape = '\\',
                                   std::set<std::string>* used = nullptr);

/// The global scope FROM lines expand with: `automatic` (BUILDPLATFORM, TARGETPLATFORM, … which
/// Docker puts in the global scope) plus the ARGs before the first FROM, each with its
/// --build-arg value when `build_args` has one, else its default expanded with what is
/// defined before it; `ARG X` alone leaves X as it was (unset unless automatic). Names used by defaults are added to `used`.
Result<Vars> resolve_meta_args(const Dockerfile& df, const Vars& build_args,
                               const Vars& automatic = {}, std::set<std::string>* used = nullptr);

// ---- helpers for the executor ---------------------------------------------------------------

/// `RUN --mount=type=cache,target=/x,…` decoded. Unknown keys are errors.
struct RunMount {
  std::string type = "bind";     ///< bind, cache, tmpfs, secret, ssh
  std::string target;            ///< target, dst or destination
  std::string source;            ///< source, src
  std::string from;              ///< bind/cache: stage or image
  std::string id;                ///< cache/secret/ssh id
  std::string sharing = "shared";///< cache: shared, private, locked
  bool readonly = false;         ///< ro / readonly (bind default: true; rw / readwrite clears)
  bool required = false;         ///< secret/ssh
  std::optional<uint32_t> mode, uid, gid;
  std::optional<uint64_t> size;  ///< tmpfs: size in bytes
  std::string env;               ///< secret: env=NAME
};
/// With `vars`, every value but the type is expanded first (BuildKit expands --mount fields
/// with the ARG and ENV values in effect).
Result<RunMount> parse_run_mount(std::string_view spec, const Vars* vars = nullptr,
                                 char escape = '\\');

/// HEALTHCHECK decoded into what the image config stores (durations in nanoseconds, 0 when not
/// given; test {"NONE"} for HEALTHCHECK NONE, {"CMD", …} or {"CMD-SHELL", cmd}).
struct HealthcheckSpec {
  std::vector<std::string> test;
  int64_t interval = 0, timeout = 0, start_period = 0, start_interval = 0;
  int retries = 0;
};
/// Durations are Go's ("30s", "1m30s"; util/time.hpp parse_go_duration), 0 or at least 1ms.
Result<HealthcheckSpec> healthcheck_spec(const Instruction& ins);

}  // namespace skiff::build
