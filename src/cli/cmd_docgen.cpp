// `skiff __docgen man DIR [--prose PROSEDIR]`: the man pages' markdown, generated from the
// command table in podman's MANPAGE_SYNTAX style, for go-md2man (tests/gen-docs.sh):
//
//   skiff.1.md                       global options, every command, and the prose of skiff.md
//   skiff-<group>.1.md               a group's subcommands
//   skiff-<path with dashes>.1.md    one per command (NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
//                                    EXAMPLES, SEE ALSO)
//   skiff-<alias with dashes>.1.md   the same page under the alias's name (`man skiff-run`,
//                                    `man -l man/skiff-run.1`): not a `.so` stub, which man
//                                    resolves against the current directory, not the file's
//
// Hand-written prose lives in PROSEDIR/<page>.md (man/prose/): `## SECTION` blocks. DESCRIPTION,
// EXAMPLES and SEE ALSO are appended to the generated ones; under `## OPTIONS`, a
// `#### --name` block is appended to that option's entry; any other section is added after
// OPTIONS; `#### --name=FORMAT` also shows the value's format in the entry's heading instead of
// its type. A fragment for an unknown page, or for an option the command does not have, is an
// error: documentation must not silently drift from the table.
#include <algorithm>
#include <map>

#include "handlers.hpp"
#include "output.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

namespace {

std::string page_of(std::string_view words) { return "skiff-" + replace_all(words, " ", "-"); }

// Text from the table that must print literally (option help, summaries).
std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']' || c == '|') out += '\\';
    out += c;
  }
  return out;
}

// Table prose (description) may use `code`; only what go-md2man would drop as HTML is escaped.
std::string md_prose(std::string_view s) {
  return replace_all(replace_all(trim(s), "<", "\\<"), ">", "\\>");
}

std::string sentence(std::string_view s) {
  std::string out = md_escape(trim(s));
  if (!out.empty() && out.back() != '.' && out.back() != '!' && out.back() != '?') out += '.';
  return out;
}

// "[OPTIONS] IMAGE [COMMAND] [ARG...]" → "[*options*] *image* [*command*] [*arg* ...]".
std::string md_usage(std::string_view usage) {
  std::string out;
  for (size_t i = 0; i < usage.size();) {
    char c = usage[i];
    if (c >= 'A' && c <= 'Z') {
      size_t j = i;
      while (j < usage.size() && ((usage[j] >= 'A' && usage[j] <= 'Z') || (usage[j] >= '0' && usage[j] <= '9') ||
                                  usage[j] == '_' || usage[j] == '-'))
        ++j;
      out += "*" + to_lower(usage.substr(i, j - i)) + "*";
      if (usage.substr(j, 3) == "...") {
        out += " ...";
        j += 3;
      }
      i = j;
    } else {
      if (c == '*' || c == '_' || c == '\\' || c == '<' || c == '>') out += '\\';
      out += c;
      ++i;
    }
  }
  return out;
}

// ---- prose fragments ----

struct Prose {
  std::vector<std::pair<std::string, std::string>> sections;  // title → body, in file order
  std::map<std::string, std::string, std::less<>> options;    // "--name" → text
  std::map<std::string, std::string, std::less<>> formats;    // "--name" → "NAME=SOFT[:HARD]"
  std::string take(std::string_view title) {
    for (auto it = sections.begin(); it != sections.end(); ++it)
      if (it->first == title) {
        std::string body = std::move(it->second);
        sections.erase(it);
        return body;
      }
    return {};
  }
};

Result<Prose> parse_prose(std::string_view text, std::string_view file) {
  Prose p;
  std::string* body = nullptr;
  std::string* opt = nullptr;
  bool in_options = false, in_code = false;
  int lineno = 0;
  for (auto& line : split(text, '\n')) {
    ++lineno;
    if (line.starts_with("```")) in_code = !in_code;
    if (!in_code && line.starts_with("## ")) {
      std::string title(trim(std::string_view(line).substr(3)));
      in_options = title == "OPTIONS";
      opt = nullptr;
      p.sections.emplace_back(title, "");
      body = &p.sections.back().second;
      continue;
    }
    if (!in_code && in_options && line.starts_with("#### ")) {
      // `#### --ulimit=NAME=SOFT[:HARD]`: the value's format replaces the type in the entry's
      // heading (`--ulimit=*list*`).
      std::string head(trim(std::string_view(line).substr(5)));
      size_t eq = head.find('=');
      std::string name = replace_all(head.substr(0, eq), "*", "");
      name = std::string(trim(name.substr(0, name.find_first_of(", "))));
      if (!name.starts_with("--"))
        return fail(kInvalid, fmt::format("{}:{}: expected `#### --option`", file, lineno));
      if (eq != std::string::npos) {
        std::string format(trim(std::string_view(head).substr(eq + 1)));
        if (format.size() >= 2 && format.front() == '*' && format.back() == '*')
          format = format.substr(1, format.size() - 2);
        if (!format.empty()) p.formats[name] = format;
      }
      opt = &p.options[name];
      continue;
    }
    if (opt) *opt += line + "\n";
    else if (body) *body += line + "\n";
  }
  for (auto& [title, b] : p.sections) b = std::string(trim(b));
  for (auto& [name, b] : p.options) b = std::string(trim(b));
  return p;
}

Result<std::map<std::string, Prose, std::less<>>> load_prose(const std::string& dir) {
  std::map<std::string, Prose, std::less<>> all;
  if (dir.empty()) return all;
  auto names = TRY_CTX(list_dir(dir), "read prose directory `{}`", dir);
  for (auto& n : names) {
    if (n.size() < 4 || n.substr(n.size() - 3) != ".md") continue;
    std::string path = dir + "/" + n;
    std::string text = TRY(read_file(path));
    all[n.substr(0, n.size() - 3)] = TRY(parse_prose(text, path));
  }
  return all;
}

// ---- pages ----

// `format`: the value's format from the prose (`#### --ulimit=NAME=SOFT[:HARD]`), else the type.
std::string option_entry(const OptSpec& o, std::string_view extra, std::string_view format) {
  std::string head = fmt::format("#### **--{}**", md_escape(o.name));
  if (o.short_name) head += fmt::format(", **-{}**", o.short_name);
  if (o.type != OptType::Bool)
    head += fmt::format("=*{}*", format.empty() ? std::string(type_name(o.type)) : md_escape(format));
  std::string body = sentence(o.help);
  if (!o.dflt.empty()) body += fmt::format(" The default is **{}**.", md_escape(o.dflt));
  if (o.type == OptType::List || o.type == OptType::Map) body += " This option can be repeated.";
  auto vals = split(o.values, ' ');
  if (o.comp == Comp::Enum && !vals.empty() && o.help.find(vals[0]) == std::string_view::npos) {
    std::vector<std::string> bold;
    for (auto& v : vals) bold.push_back("**" + md_escape(v) + "**");
    body += fmt::format(" Valid values: {}.", join(bold, ", "));
  }
  std::string out = head + "\n\n" + body + "\n\n";
  if (!extra.empty()) out += std::string(extra) + "\n\n";
  return out;
}

// OPTIONS (sorted by long name), with the fragment's option texts merged in.
Result<std::string> options_section(std::string_view title, std::span<const OptSpec> opts, Prose& prose,
                                    std::string_view page) {
  std::vector<const OptSpec*> v;
  for (auto& o : opts)
    if (!o.hidden) v.push_back(&o);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string out;
  if (!v.empty()) out = fmt::format("## {}\n\n", title);
  for (auto* o : v) {
    auto it = prose.options.find(fmt::format("--{}", o->name));
    auto fit = prose.formats.find(fmt::format("--{}", o->name));
    out += option_entry(*o, it == prose.options.end() ? "" : it->second, fit == prose.formats.end() ? "" : fit->second);
    if (it != prose.options.end()) prose.options.erase(it);
  }
  if (!prose.options.empty())
    return fail(kInvalid, fmt::format("prose for {}: no option {}", page, prose.options.begin()->first));
  prose.take("OPTIONS");
  return out;
}

std::string rest_sections(Prose& prose) {
  std::string out;
  for (auto& [title, body] : prose.sections)
    if (title != "DESCRIPTION" && title != "EXAMPLES" && title != "SEE ALSO")
      out += fmt::format("## {}\n\n{}\n\n", title, body);
  return out;
}

std::string tail_sections(Prose& prose, std::string_view examples, std::string see_also) {
  std::string out;
  std::string ex = prose.take("EXAMPLES");
  if (!examples.empty() || !ex.empty()) {
    out += "## EXAMPLES\n\n";
    if (!examples.empty()) out += fmt::format("```\n{}\n```\n\n", trim(examples));
    if (!ex.empty()) out += ex + "\n\n";
  }
  std::string more = prose.take("SEE ALSO");
  if (!more.empty()) see_also += ", " + more;
  out += fmt::format("## SEE ALSO\n\n{}\n", see_also);
  return out;
}

std::string header(std::string_view page, std::string_view summary) {
  return fmt::format("% {} 1\n\n## NAME\n\n{} - {}\n\n", page, replace_all(page, "-", "\\-"), md_escape(summary));
}

// `name` is the page's own name: the command's path, or one of its aliases.
Result<std::string> command_page(const CmdSpec& c, Prose prose, std::string_view name) {
  std::string page = page_of(c.path);
  std::string out = header(page_of(name), c.summary);
  out += "## SYNOPSIS\n\n";
  out += fmt::format("**skiff {}** {}\n\n", c.path, md_usage(c.usage));
  for (auto& a : split(c.aliases, ';'))
    if (!a.empty()) out += fmt::format("**skiff {}** {}\n\n", a, md_usage(c.usage));
  out += "## DESCRIPTION\n\n";
  out += c.description.empty() ? sentence(c.summary) : md_prose(c.description);
  out += "\n\n";
  if (std::string more = prose.take("DESCRIPTION"); !more.empty()) out += more + "\n\n";
  out += TRY(options_section("OPTIONS", c.opts, prose, page));
  out += rest_sections(prose);
  std::string see = "**skiff(1)**";
  if (auto sp = c.path.find(' '); sp != std::string_view::npos)
    see += fmt::format(", **{}(1)**", page_of(c.path.substr(0, sp)));
  out += tail_sections(prose, c.examples, see);
  return out;
}

std::string group_page(const Table& t, const GroupSpec& g, Prose prose) {
  std::string page = page_of(g.name);
  std::string out = header(page, g.summary);
  out += fmt::format("## SYNOPSIS\n\n**skiff {}** *subcommand*\n\n", g.name);
  out += fmt::format("## DESCRIPTION\n\n{}\n\n", sentence(g.summary));
  if (std::string more = prose.take("DESCRIPTION"); !more.empty()) out += more + "\n\n";
  out += "## COMMANDS\n\n";
  for (auto& [verb, summary] : command_names(t, g.name)) {
    size_t used = 0;
    std::string words[2] = {std::string(g.name), verb};
    const CmdSpec* c = find_command(t, words, used);
    out += fmt::format("**{}**\n: {} See **{}(1)**.\n\n", md_escape(verb), sentence(summary),
                       c ? page_of(c->path) : "skiff");
  }
  out += rest_sections(prose);
  out += tail_sections(prose, {}, "**skiff(1)**");
  return out;
}

Result<std::string> main_page(const Table& t, Prose prose) {
  std::string out = header("skiff", kProgramSummary);
  out += "## SYNOPSIS\n\n**skiff** [*options*] *command*\n\n";
  out += "## DESCRIPTION\n\n";
  if (std::string more = prose.take("DESCRIPTION"); !more.empty()) out += more + "\n\n";
  else out += sentence(kProgramSummary) + "\n\n";
  out += TRY(options_section("GLOBAL OPTIONS", t.globals, prose, "skiff"));
  out += "## COMMANDS\n\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (auto& g : t.groups) rows.emplace_back(page_of(g.name), std::string(g.summary));
  for (auto& c : t.commands)
    if (!c.hidden) rows.emplace_back(page_of(c.path), std::string(c.summary));
  std::sort(rows.begin(), rows.end());
  for (auto& [page, summary] : rows) out += fmt::format("**{}(1)**\n: {}\n\n", page, sentence(summary));
  out += rest_sections(prose);
  out += tail_sections(prose, {}, "**skiff-completion(1)**");
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> man_pages(const Table& t, const std::string& prose_dir) {
  auto prose = TRY(load_prose(prose_dir));
  auto take = [&](const std::string& page) {
    auto it = prose.find(page);
    if (it == prose.end()) return Prose{};
    Prose p = std::move(it->second);
    prose.erase(it);
    return p;
  };
  std::map<std::string, std::string> files;
  files["skiff.1.md"] = TRY(main_page(t, take("skiff")));
  for (auto& g : t.groups) files[page_of(g.name) + ".1.md"] = group_page(t, g, take(page_of(g.name)));
  for (auto& c : t.commands) {
    if (c.hidden) continue;
    Prose p = take(page_of(c.path));
    if (files.count(page_of(c.path) + ".1.md"))
      return fail(kConflict, fmt::format("page {} is also an alias page", page_of(c.path)));
    files[page_of(c.path) + ".1.md"] = TRY_CTX(command_page(c, p, c.path), "skiff {}", c.path);
    for (auto& a : split(c.aliases, ';')) {
      if (a.empty()) continue;
      std::string name = page_of(a) + ".1.md";
      if (files.count(name)) return fail(kConflict, fmt::format("alias page {} is also a real page", name));
      files[name] = TRY_CTX(command_page(c, p, a), "skiff {}", a);
    }
  }
  if (!prose.empty()) return fail(kInvalid, fmt::format("prose {}.md: no such page", prose.begin()->first));
  return files;
}

Result<int> cmd_docgen(Context&, const ParsedArgs& a) {
  if (a.positional[0] != "man") return fail(kUsage, fmt::format("unknown format {}: only \"man\"", go_quote(a.positional[0])));
  const std::string& dir = a.positional[1];
  auto files = TRY(man_pages(table(), a.str("prose")));
  TRY(mkdir_p(dir));
  for (auto& [name, text] : files) TRY(write_file_atomic(dir + "/" + name, text, 0644, false));
  return 0;
}

}  // namespace skiff::cli
