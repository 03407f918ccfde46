// Elastic tabstops with Go's text/tabwriter semantics (see tabwriter.hpp). The cell and column
// bookkeeping follows Go's Writer: text is collected in one buffer, each line is a list of
// cells, and format() computes column widths block by block, recursing column by column.
#include "skiff/gotmpl/tabwriter.hpp"

#include "skiff/gotmpl/gofmt.hpp"

namespace skiff::gotmpl {

namespace {

struct Range {
  uint32_t lo, hi;
};

// East Asian Wide (W) and Fullwidth (F) ranges, condensed.
constexpr Range kWide[] = {
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0},
    {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F},
    {0x2693, 0x2693}, {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5},
    {0x26CE, 0x26CE}, {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
    {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728},
    {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797},
    {0x27B0, 0x27B0}, {0x27BF, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
    {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
    {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4}, {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A},
    {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC},
    {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
    {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

// Zero-width: combining marks, zero-width spaces and joiners, variation selectors.
constexpr Range kZero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D}, {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

template <size_t N>
bool in(const Range (&table)[N], uint32_t r) {
  size_t lo = 0, hi = N;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r > table[mid].hi) lo = mid + 1;
    else if (r < table[mid].lo) hi = mid;
    else return true;
  }
  return false;
}

size_t rune_width(uint32_t r) {
  if (r < 0x20 || (r >= 0x7F && r < 0xA0)) return 0;
  if (r < 0x300) return 1;
  if (in(kZero, r)) return 0;
  return in(kWide, r) ? 2 : 1;
}

constexpr char kEscape = '\xff';

}  // namespace

size_t display_width(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    uint8_t c = uint8_t(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++w;
      ++i;
      continue;
    }
    size_t len;
    uint32_t r = gofmt::decode_rune(s, i, &len);
    w += rune_width(r);
    i += len;
  }
  return w;
}

TabWriter::TabWriter(Options opt) : opt_(opt) {
  if (opt_.min_width < 0) opt_.min_width = 0;
  if (opt_.tab_width < 0) opt_.tab_width = 0;
  if (opt_.padding < 0) opt_.padding = 0;
  if (opt_.pad_char == '\t') opt_.flags &= ~unsigned(kAlignRight);  // tab padding left-aligns
  reset();
}

void TabWriter::add_line() { lines_.emplace_back(); }

void TabWriter::reset() {
  buf_.clear();
  pos_ = 0;
  cell_ = Cell{};
  end_char_ = 0;
  lines_.clear();
  widths_.clear();
  add_line();
}

void TabWriter::update_width() {
  std::string_view s(buf_.data() + pos_, buf_.size() - pos_);
  cell_.width += opt_.width == Width::kColumns ? display_width(s) : gofmt::rune_count(s);
  pos_ = buf_.size();
}

size_t TabWriter::terminate_cell(bool htab) {
  cell_.htab = htab;
  lines_.back().push_back(cell_);
  cell_ = Cell{};
  return lines_.back().size();
}

void TabWriter::start_escape(char c) {
  switch (c) {
    case kEscape: end_char_ = kEscape; break;
    case '<': end_char_ = '>'; break;
    case '&': end_char_ = ';'; break;
    default: break;
  }
}

void TabWriter::end_escape() {
  switch (end_char_) {
    case kEscape:
      update_width();
      if (!(opt_.flags & kStripEscape) && cell_.width >= 2) cell_.width -= 2;  // the Escape bytes
      break;
    case '>': break;  // a tag has width 0
    case ';': ++cell_.width; break;  // an entity counts as one
    default: break;
  }
  pos_ = buf_.size();
  end_char_ = 0;
}

void TabWriter::write(std::string_view text, std::string& out) {
  size_t n = 0;
  auto append = [&](size_t end) {
    buf_.append(text.substr(n, end - n));
    cell_.size += end - n;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (end_char_ == 0) {
      switch (ch) {
        case '\t':
        case '\v':
        case '\n':
        case '\f': {
          append(i);
          update_width();
          n = i + 1;
          size_t ncells = terminate_cell(ch == '\t');
          if (ch == '\n' || ch == '\f') {
            add_line();
            if (ch == '\f' || ncells == 1) {
              // A line with a single cell does not affect later lines: flush what we have.
              flush_no_reset(out);
              if (ch == '\f' && (opt_.flags & kDebug)) out += "---\n";
            }
          }
          break;
        }
        case kEscape:
          append(i);
          update_width();
          n = i;
          if (opt_.flags & kStripEscape) ++n;
          start_escape(kEscape);
          break;
        case '<':
        case '&':
          if (opt_.flags & kFilterHTML) {
            append(i);
            update_width();
            n = i;
            start_escape(ch);
          }
          break;
        default: break;
      }
    } else if (ch == end_char_) {
      size_t j = i + 1;
      if (ch == kEscape && (opt_.flags & kStripEscape)) j = i;
      append(j);
      n = i + 1;
      end_escape();
    }
  }
  append(text.size());
}

void TabWriter::write_padding(std::string& out, size_t textw, size_t cellw, bool use_tabs) {
  if (opt_.pad_char == '\t' || use_tabs) {
    if (opt_.tab_width == 0) return;
    size_t tw = size_t(opt_.tab_width);
    cellw = (cellw + tw - 1) / tw * tw;
    size_t n = cellw > textw ? cellw - textw : 0;
    out.append((n + tw - 1) / tw, '\t');
    return;
  }
  if (cellw > textw) out.append(cellw - textw, opt_.pad_char);
}

size_t TabWriter::write_lines(std::string& out, size_t pos, size_t line0, size_t line1) {
  for (size_t i = line0; i < line1; ++i) {
    const auto& line = lines_[i];
    bool use_tabs = opt_.flags & kTabIndent;
    for (size_t j = 0; j < line.size(); ++j) {
      const Cell& c = line[j];
      if (j > 0 && (opt_.flags & kDebug)) out += '|';
      if (c.size == 0) {
        if (j < widths_.size()) write_padding(out, c.width, widths_[j], use_tabs);
      } else {
        use_tabs = false;
        if (!(opt_.flags & kAlignRight)) {
          out.append(buf_, pos, c.size);
          pos += c.size;
          if (j < widths_.size()) write_padding(out, c.width, widths_[j], false);
        } else {
          if (j < widths_.size()) write_padding(out, c.width, widths_[j], false);
          out.append(buf_, pos, c.size);
          pos += c.size;
        }
      }
    }
    if (i + 1 == lines_.size()) {
      // The last buffered line has no newline yet: write its pending text.
      out.append(buf_, pos, cell_.size);
      pos += cell_.size;
    } else {
      out += '\n';
    }
  }
  return pos;
}

size_t TabWriter::format(std::string& out, size_t pos, size_t line0, size_t line1) {
  size_t column = widths_.size();
  for (size_t row = line0; row < line1; ++row) {
    if (column + 1 >= lines_[row].size()) continue;
    // A cell exists in this column: print the lines before the block, then size the block.
    pos = write_lines(out, pos, line0, row);
    line0 = row;
    size_t width = size_t(opt_.min_width);
    bool discardable = true;
    for (; row < line1; ++row) {
      const auto& line = lines_[row];
      if (column + 1 >= line.size()) break;
      const Cell& c = line[column];
      width = std::max(width, c.width + size_t(opt_.padding));
      if (c.width > 0 || c.htab) discardable = false;
    }
    if (discardable && (opt_.flags & kDiscardEmptyColumns)) width = 0;
    widths_.push_back(width);
    pos = format(out, pos, line0, row);
    widths_.pop_back();
    line0 = row;
    if (row >= line1) break;
  }
  return write_lines(out, pos, line0, line1);
}

void TabWriter::flush_no_reset(std::string& out) {
  if (cell_.size > 0) {
    if (end_char_ != 0) end_escape();
    terminate_cell(false);
  }
  format(out, 0, 0, lines_.size());
  reset();
}

void TabWriter::flush(std::string& out) { flush_no_reset(out); }

}  // namespace skiff::gotmpl
