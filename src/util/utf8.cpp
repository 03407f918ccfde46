// UTF-8 runes and Go's strconv quoting (see utf8.hpp).
#include "skiff/util/utf8.hpp"

#include <fmt/format.h>

namespace skiff::utf8 {

// ---------------------------------------------------------------------------------------------
// UTF-8 and runes

uint32_t decode_rune(std::string_view s, size_t i, size_t* len) {
  auto b = [&](size_t k) { return uint8_t(s[i + k]); };
  uint8_t c = b(0);
  *len = 1;
  if (c < 0x80) return c;
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < n && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *len = 2;
    return uint32_t(c & 0x1F) << 6 | (b(1) & 0x3F);
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    uint32_t r = uint32_t(c & 0x0F) << 12 | uint32_t(b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return 0xFFFD;
    *len = 3;
    return r;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    uint32_t r = uint32_t(c & 0x07) << 18 | uint32_t(b(1) & 0x3F) << 12 |
                 uint32_t(b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    if (r < 0x10000 || r > 0x10FFFF) return 0xFFFD;
    *len = 4;
    return r;
  }
  return 0xFFFD;
}

void append_rune(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out.push_back(char(r));
  } else if (r < 0x800) {
    out.push_back(char(0xC0 | (r >> 6)));
    out.push_back(char(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(char(0xE0 | (r >> 12)));
    out.push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (r >> 18)));
    out.push_back(char(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
  }
}

size_t rune_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    if (uint8_t(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    decode_rune(s, i, &len);
    i += len;
  }
  return n;
}

bool is_print(uint32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r <= 0x9F || r == 0xA0 || r == 0xAD) return false;          // C1 controls, NBSP, SHY
  if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F)) return false;  // spaces, ZW*, marks
  if (r >= 0x2028 && r <= 0x202F) return false;                   // separators, bidi, NNBSP
  if (r >= 0x205F && r <= 0x206F) return false;                   // MMSP, invisible ops
  if (r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB)) return false;
  if (r >= 0xD800 && r <= 0xDFFF) return false;
  if (r == 0x061C || r == 0x180E) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;                  // private use
  if ((r >= 0xFDD0 && r <= 0xFDEF) || (r & 0xFFFE) == 0xFFFE) return false;  // noncharacters
  if (r >= 0xE0100 && r <= 0xE01EF) return true;  // variation selectors supplement (Mn)
  return r < 0x40000;  // planes 4-13 unassigned, 14 tags, 15-16 private use
}

bool is_alnum(uint32_t r) {
  if (r < 0x80) return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  return r != 0xFFFD && is_print(r);
}

// ---------------------------------------------------------------------------------------------
// strconv

namespace {
const char kLower[] = "0123456789abcdef";
}

// strconv.appendQuotedWith with quote '"' (ascii_only = QuoteToASCII).
void append_quoted(std::string& out, std::string_view s, char q, bool ascii_only) {
  out.push_back(q);
  for (size_t i = 0; i < s.size();) {
    size_t len;
    uint32_t r = decode_rune(s, i, &len);
    if (len == 1 && r == 0xFFFD) {  // invalid byte
      out += "\\x";
      out.push_back(kLower[uint8_t(s[i]) >> 4]);
      out.push_back(kLower[uint8_t(s[i]) & 15]);
      ++i;
      continue;
    }
    i += len;
    if (r == uint32_t(q) || r == '\\') {
      out.push_back('\\');
      out.push_back(char(r));
      continue;
    }
    if (ascii_only ? (r < 0x80 && is_print(r)) : is_print(r)) {
      append_rune(out, r);
      continue;
    }
    switch (r) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (r < ' ' || r == 0x7F) {
          out += "\\x";
          out.push_back(kLower[r >> 4]);
          out.push_back(kLower[r & 15]);
        } else if (r < 0x10000) {
          out += fmt::format("\\u{:04x}", r);
        } else {
          out += fmt::format("\\U{:08x}", r);
        }
    }
  }
  out.push_back(q);
}

}  // namespace skiff::utf8
