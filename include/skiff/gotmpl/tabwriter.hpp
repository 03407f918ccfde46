#pragma once
// Go's text/tabwriter (elastic tabstops), as Docker's table output uses it.
//
// Input is text whose cells are *terminated* by '\t' (or '\v'); '\n' ends a line, '\f' ends a
// line and every column. Tab-terminated cells in consecutive lines form a column whose width
// is max(min_width, widest cell + padding); the text after a line's last tab is not part of a
// column and is never padded. Text between two 0xFF bytes (Escape) is not interpreted.
//
// Docker writes tables with NewWriter(out, 10, 1, 3, ' ', 0) through its fork of the package,
// which measures cells in terminal columns (go-runewidth: East Asian wide characters count 2,
// combining marks 0) instead of runes; Width::kColumns selects that (the default here).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::gotmpl {

class TabWriter {
 public:
  /// Go's tabwriter flags.
  enum Flag : unsigned {
    kFilterHTML = 1u << 0,           ///< HTML tags have width 0, entities width 1
    kStripEscape = 1u << 1,          ///< drop the Escape bytes from the output
    kAlignRight = 1u << 2,           ///< right-align cells
    kDiscardEmptyColumns = 1u << 3,  ///< drop columns made only of empty '\v'-terminated cells
    kTabIndent = 1u << 4,            ///< pad leading empty cells with tabs
    kDebug = 1u << 5,                ///< print '|' between columns
  };
  /// How a cell's width is measured.
  enum class Width : uint8_t {
    kRunes,    ///< UTF-8 code points (Go's text/tabwriter)
    kColumns,  ///< terminal columns (Docker's fork, go-runewidth)
  };
  struct Options {
    int min_width = 10;  ///< minimal cell width including padding
    int tab_width = 1;   ///< width of a tab when padding with tabs
    int padding = 3;     ///< added to the widest cell of a column
    char pad_char = ' ';
    unsigned flags = 0;
    Width width = Width::kColumns;
  };

  /// Docker's table writer: min width 10, tab width 1, padding 3, spaces, no flags.
  TabWriter() : TabWriter(Options{}) {}
  explicit TabWriter(Options opt);

  /// Buffers `text`; complete lines may be formatted into `out` already.
  void write(std::string_view text, std::string& out);
  /// Formats everything buffered into `out` (an unterminated last line is written as is).
  void flush(std::string& out);

 private:
  struct Cell {
    size_t size = 0;   // bytes
    size_t width = 0;  // measured width
    bool htab = false; // terminated by '\t'
  };
  void add_line();
  void reset();
  void update_width();
  size_t terminate_cell(bool htab);
  void start_escape(char c);
  void end_escape();
  void write_padding(std::string& out, size_t textw, size_t cellw, bool use_tabs);
  size_t write_lines(std::string& out, size_t pos, size_t line0, size_t line1);
  size_t format(std::string& out, size_t pos, size_t line0, size_t line1);
  void flush_no_reset(std::string& out);

  Options opt_;
  std::string buf_;
  size_t pos_ = 0;
  Cell cell_;
  char end_char_ = 0;
  std::vector<std::vector<Cell>> lines_;
  std::vector<size_t> widths_;
};

/// Width of `s` in terminal columns (go-runewidth's StringWidth, approximated by ranges:
/// East Asian wide and fullwidth characters count 2, combining marks and controls 0).
size_t display_width(std::string_view s);

}  // namespace skiff::gotmpl
