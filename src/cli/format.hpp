#pragma once
// --format output shared by every listing and inspect command: Go templates with Docker's
// functions (template.hpp), Docker's table layout (tabwriter.hpp), and Docker's `json` rules.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"
#include "skiff/gotmpl/template.hpp"

namespace skiff::cli {

// The Go template engine lives in module gotmpl; the CLI uses its names unqualified.
using gotmpl::ArgKind;
using gotmpl::ExecEnv;
using gotmpl::Template;
using gotmpl::TemplateMethod;
using gotmpl::TemplateMethods;

/// Error code of a --format template of inspect, version or info that failed while executing:
/// the CLI exits 1 for it, as Docker's does (parse errors stay kInvalid, 125).
inline constexpr int kTemplateFailed = kErrFirst + 1000;

/// How list rows behave in templates (Docker's typed formatter contexts).
struct ListFormat {
  /// Go type named in "can't evaluate field X in type T" for unknown fields (e.g.
  /// "*formatter.ContainerContext"); empty: rows are plain maps (unknown fields → <no value>).
  std::string_view type_name;
  /// Methods with arguments, such as ps's `Label` ({{.Label "com.example.x"}}), or null.
  const TemplateMethods* methods = nullptr;
  /// Podman's --noheading: a table without its header row.
  bool no_header = false;
};

/// Renders a list (ps, images, history, volume ls, …) as Docker's formatter.Context does.
///  - `user_format` empty, or exactly "table" → `default_format` (a "table …" template).
///  - The literal two-character sequences `\t` and `\n` become TAB and LF; spaces around the
///    template are trimmed.
///  - "table …": a header row, then the rows, through Docker's tabwriter (min width 10,
///    padding 3). The header comes from running the template in header mode: a field prints
///    headers[name] (its name upper-cased when absent), `{{.Label "a.b"}}` prints "b", and
///    json/split/join/title/lower/upper/truncate pass the title through. Printed with zero rows.
///  - "json": one compact JSON object per row and line, keys sorted and < > & escaped as
///    \u003c \u003e \u0026 (Docker marshals rows with json.Marshal). `{{json .Field}}` inside
///    a template does not escape, as in Docker.
///  - anything else: the template once per row, each followed by "\n".
/// Rows are JSON objects whose members are what the template fields print (strings mostly).
/// Errors: "template parsing error: template: :1: …" and
/// "failed to execute template: template: :1:2: executing \"\" at <.Nope>: …".
Result<std::string> format_list(std::string_view user_format, std::string_view default_format,
                                const std::vector<Json>& rows,
                                const std::map<std::string, std::string>& headers,
                                const ListFormat& opt = {});

/// How format_object sees its object.
struct ObjectFormat {
  /// As ListFormat::type_name, for the object itself.
  std::string_view type_name;
  const TemplateMethods* methods = nullptr;
  /// Go's missingkey=error (Docker's inspect retries a failed template that way on raw JSON).
  bool missing_key_error = false;
  /// The Go type of `obj` (ExecEnv::schema): fields print as Docker's typed structs do.
  const Json* schema = nullptr;
  /// Docker's inspect: when the template fails on the typed object, run it again on the raw
  /// JSON with missingkey=error and print that (a typo then reads "map has no entry for key").
  bool raw_fallback = false;
  /// "json" escapes < > & as json.Marshal does (Docker's inspect --format json); version and
  /// info (`{{json .}}`) do not.
  bool json_escape_html = false;
};

/// Renders one object (inspect -f, version --format, info --format): the template's output
/// followed by "\n". The format is used verbatim (no `\t` translation, no trimming), as
/// Docker's inspect does. "json" prints the compact JSON of `obj` and "\n" (for inspect,
/// Docker prints one compact array of all objects: pass the array).
/// Errors: "template parsing error: template: …"; kInvalid when the template does not parse,
/// kTemplateFailed (exit 1, as Docker) when it fails while executing.
Result<std::string> format_object(std::string_view user_format, const Json& obj, const ObjectFormat& opt = {});

}  // namespace skiff::cli
