#pragma once
// The Quadlet-style systemd generator (`skiff-systemd-generator`, `skiff __systemd-generator`):
// .container, .volume, .network and .pod files become services, with Quadlet's keys. Pure
// text work here (unit-tested in tests/unit/cli/quadlet_test.cpp); cmd_quadlet.cpp finds the
// files and writes the units.
//
//   NAME.container  -> NAME.service          skiff run --name=systemd-NAME --cidfile=%t/%N.cid
//                                              --replace --rm --cgroups=split --sdnotify=conmon -d …
//   NAME.volume     -> NAME-volume.service   skiff volume create systemd-NAME (oneshot)
//   NAME.network    -> NAME-network.service  skiff network create --ignore systemd-NAME (oneshot)
//   NAME.pod        -> NAME-pod.service      skiff pod create/start/stop/rm (forking)
// The source's [Unit], [Service] and [Install] sections are passed through (after ours, so
// the user's settings win); its own section is kept as [X-Container] (…) for reference.

#include <string>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff::cli::quadlet {

struct Entry {
  std::string key, value;
  int line = 0;
};
struct Section {
  std::string name;
  std::vector<Entry> entries;
};
struct UnitFile {
  std::string path;  ///< for messages and SourcePath=
  std::vector<Section> sections;
  const Section* find(std::string_view name) const;
  /// Every value of key in section, in order.
  std::vector<std::string> all(std::string_view section, std::string_view key) const;
  /// The last value of key in section ("" when absent).
  std::string last(std::string_view section, std::string_view key) const;
};

/// systemd's unit file syntax: [Section], Key=Value, # and ; comments, a trailing backslash
/// continues the line. Errors name the file and line.
Result<UnitFile> parse(const std::string& path, const std::string& text);

/// systemd's word splitting (double and single quotes, backslash escapes).
Result<std::vector<std::string>> split_words(const std::string& s);

struct Generated {
  std::string unit_name;                 ///< "web.service"
  std::string text;
  std::vector<std::string> wanted_by, required_by;  ///< [Install] targets (links in the output)
  std::vector<std::string> warnings;     ///< "file:line: unknown key …"
};

/// Generates the unit for one source file (`kind`: its extension without the dot).
/// `exe`: the skiff binary the unit runs.
Result<Generated> generate(const UnitFile& f, const std::string& base_name, const std::string& kind,
                           const std::string& exe);

}  // namespace skiff::cli::quadlet
