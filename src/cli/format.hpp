#pragma once
// --format output shared by every listing and inspect command: Go templates with Docker's
// functions (template.cpp), Docker's table layout (tabwriter.cpp), and Docker's `json` rules.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::cli {

/// Renders a list (ps, images, history, volume ls, …).
///  - `user_format` empty → `default_format` (a "table …" template).
///  - "table …": header row from `headers` (field name → column title; fields not in the map
///    get their name upper-cased), rows through Docker's tabwriter (min width 10, padding 3).
///  - "json": one compact JSON object per row and line (Docker's `{{json .}}`).
///  - anything else: the template once per row, each followed by "\n".
/// Rows are JSON objects whose values are what the template fields print (strings mostly).
/// `quiet_field`: unused here (callers handle -q).
Result<std::string> format_list(std::string_view user_format, std::string_view default_format,
                                const std::vector<Json>& rows,
                                const std::map<std::string, std::string>& headers);

/// Renders one object with a template (inspect -f, version --format, info --format): the
/// template output followed by "\n". "json" prints the compact JSON of `obj`.
Result<std::string> format_object(std::string_view user_format, const Json& obj);

}  // namespace skiff::cli
