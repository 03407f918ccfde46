// Docker's --format rules (docker/cli cli/command/formatter and cli/command/inspect) on top
// of the template engine and the tabwriter.
#include "format.hpp"

#include "skiff/gotmpl/gofmt.hpp"
#include "skiff/gotmpl/tabwriter.hpp"

namespace skiff::cli {

namespace {

// formatter.Context.preFormat: strip "table", trim spaces, turn literal \t and \n into TAB/LF.
std::string pre_format(std::string_view f, bool table, bool json) {
  if (table) f.remove_prefix(5);
  if (json) f = "{{json .}}";
  while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
  while (!f.empty() && f.back() == ' ') f.remove_suffix(1);
  std::string out;
  out.reserve(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 1 < f.size() && (f[i + 1] == 't' || f[i + 1] == 'n')) {
      out += f[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += f[i];
    }
  }
  return out;
}

}  // namespace

Result<std::string> format_list(std::string_view user_format, std::string_view default_format,
                                const std::vector<Json>& rows,
                                const std::map<std::string, std::string>& headers, const ListFormat& opt) {
  std::string_view f = user_format.empty() || user_format == "table" ? default_format : user_format;
  bool table = f.starts_with("table");
  bool json = f == "json";
  auto tmpl = Template::parse(pre_format(f, table, json));
  if (!tmpl) return fail(tmpl.error().code, "template parsing error: " + tmpl.error().msg);

  ExecEnv env;
  env.type_name = opt.type_name;
  env.methods = opt.methods;
  env.row_json = true;
  std::string body;
  body.reserve(rows.size() * 96);
  for (const Json& row : rows) {
    if (auto st = tmpl->execute(body, row, env); !st)
      return fail(st.error().code, "failed to execute template: " + st.error().msg);
    body += '\n';
    if (body.size() > env.max_output) return fail(kInvalid, fmt::format("failed to execute template: output exceeds {} bytes", env.max_output));
  }
  if (!table) return body;

  // Docker ignores errors while rendering the header and keeps what was printed before them.
  std::string header;
  (void)tmpl->execute_header(header, headers, env);
  gotmpl::TabWriter tw;
  std::string out;
  out.reserve(body.size() + body.size() / 2 + header.size() + 64);
  if (!opt.no_header) {
    tw.write(header, out);
    tw.write("\n", out);
  }
  tw.write(body, out);
  tw.flush(out);
  return out;
}

Result<std::string> format_object(std::string_view user_format, const Json& obj, const ObjectFormat& opt) {
  if (user_format == "json") {
    std::string out;
    if (!gotmpl::gofmt::append_json(out, obj, opt.json_escape_html)) return fail(kInvalid, "json: unsupported value");
    out += '\n';
    return out;
  }
  auto tmpl = Template::parse(user_format);
  if (!tmpl) return fail(tmpl.error().code, "template parsing error: " + tmpl.error().msg);
  ExecEnv env;
  env.type_name = opt.type_name;
  env.methods = opt.methods;
  env.missing_key_error = opt.missing_key_error;
  env.schema = opt.schema;
  std::string out;
  if (auto st = tmpl->execute(out, obj, env); !st) {
    if (!opt.raw_fallback) return fail(kTemplateFailed, "template parsing error: " + st.error().msg);
    // cli/command/inspect's tryRawInspectFallback: the raw JSON, missingkey=error.
    ExecEnv raw;
    raw.missing_key_error = true;
    out.clear();
    if (auto st2 = tmpl->execute(out, obj, raw); !st2) return fail(kTemplateFailed, "template parsing error: " + st2.error().msg);
  }
  out += '\n';
  return out;
}

}  // namespace skiff::cli
