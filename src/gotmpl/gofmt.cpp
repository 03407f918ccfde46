// Go's fmt / strconv / encoding/json printing rules over Json (see gofmt.hpp).
//
// Written from Go's documented behaviour (fmt/print.go, fmt/format.go, strconv/ftoa.go,
// encoding/json/encode.go); the comments name the Go function each piece mirrors.
#include "skiff/gotmpl/gofmt.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace skiff::gotmpl::gofmt {

static const char kLower[] = "0123456789abcdef";
using utf8::append_quoted;


namespace {

// Decimal digits of a float: value = 0.d1d2…dn × 10^dp (strconv's decimalSlice).
struct Digits {
  char d[40];
  int nd = 0;
  int dp = 0;
};

// Digits of |v|: shortest round-trip when `sig` < 0, else rounded to `sig` significant digits
// with trailing zeros dropped.
Digits digits_of(double v, int sig) {
  Digits g;
  char buf[64];
  std::to_chars_result r = sig < 0 ? std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific)
                                   : std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific, sig - 1);
  std::string_view s(buf, r.ptr - buf);
  size_t e = s.find('e');
  for (size_t i = 0; i < e && g.nd < 39; ++i)
    if (s[i] != '.') g.d[g.nd++] = s[i];
  int exp = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp);
  while (g.nd > 1 && g.d[g.nd - 1] == '0') --g.nd;
  if (g.nd == 1 && g.d[0] == '0') {
    g.nd = 0;
    g.dp = 0;
  } else {
    g.dp = exp + 1;
  }
  return g;
}

// strconv.fmtE
void fmt_e(std::string& out, bool neg, const Digits& g, int prec, char ch) {
  if (neg) out.push_back('-');
  out.push_back(g.nd == 0 ? '0' : g.d[0]);
  if (prec > 0) {
    out.push_back('.');
    int i = 1;
    int m = std::min(g.nd, prec + 1);
    for (; i < m; ++i) out.push_back(g.d[i]);
    for (; i <= prec; ++i) out.push_back('0');
  }
  out.push_back(ch);
  int exp = g.nd == 0 ? 0 : g.dp - 1;
  if (exp < 0) {
    out.push_back('-');
    exp = -exp;
  } else {
    out.push_back('+');
  }
  if (exp < 10) out.push_back('0');
  out += std::to_string(exp);
}

// strconv.fmtF
void fmt_f(std::string& out, bool neg, const Digits& g, int prec) {
  if (neg) out.push_back('-');
  if (g.dp > 0) {
    int m = std::min(g.nd, g.dp);
    out.append(g.d, m);
    for (; m < g.dp; ++m) out.push_back('0');
  } else {
    out.push_back('0');
  }
  if (prec > 0) {
    out.push_back('.');
    for (int i = 1; i <= prec; ++i) {
      int j = g.dp + i - 1;
      out.push_back(j >= 0 && j < g.nd ? g.d[j] : '0');
    }
  }
}

}  // namespace

// strconv's 'x' format: -0x1.8p+01. The mantissa is normalised to a leading 1 (0 for zero)
// at bit 60 with the binary exponent adjusted to match; `prec` < 0 prints as many hex digits
// as needed, otherwise exactly `prec`, rounding half to even; the exponent has at least 2 digits.
static std::string hex_float(double f, char fmt, int prec) {
  uint64_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bool neg = bits >> 63;
  int exp = int(bits >> 52) & 0x7FF;
  uint64_t mant = bits & ((uint64_t(1) << 52) - 1);
  if (exp == 0) ++exp;  // subnormal: no implicit 1
  else mant |= uint64_t(1) << 52;
  exp -= 1023;
  if (mant == 0) exp = 0;
  mant <<= 8;  // leading 1 at bit 60
  while (mant != 0 && !(mant & (uint64_t(1) << 60))) {
    mant <<= 1;
    --exp;
  }
  const uint64_t low60 = (uint64_t(1) << 60) - 1;
  if (prec >= 0 && prec < 15) {
    unsigned shift = unsigned(prec) * 4;
    uint64_t rest = (mant << shift) & low60;  // the bits rounded away, at the top of 60
    mant >>= 60 - shift;
    if ((rest | (mant & 1)) > (uint64_t(1) << 59)) ++mant;
    mant <<= 60 - shift;
    if (mant & (uint64_t(1) << 61)) {  // rounded up to 2.0
      mant >>= 1;
      ++exp;
    }
  }
  const char* hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  if (neg) out.push_back('-');
  out.push_back('0');
  out.push_back(fmt == 'X' ? 'X' : 'x');
  out.push_back(char('0' + ((mant >> 60) & 1)));
  mant <<= 4;
  if ((prec < 0 && mant != 0) || prec > 0) {
    out.push_back('.');
    for (int i = 0; prec < 0 ? mant != 0 : i < prec; ++i) {
      out.push_back(hex[(mant >> 60) & 15]);
      mant <<= 4;
    }
  }
  out.push_back(fmt == 'X' ? 'P' : 'p');
  out.push_back(exp < 0 ? '-' : '+');
  out += fmt::format("{:02d}", exp < 0 ? -exp : exp);
  return out;
}

std::string format_float(double f, char fmt, int prec) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  bool neg = std::signbit(f);
  std::string out;
  bool upper = fmt == 'E' || fmt == 'G' || fmt == 'F';
  char lower = char(fmt | 0x20);
  char ech = upper ? 'E' : 'e';
  if (prec > 1000) prec = 1000;
  if (lower == 'f' && prec >= 0) {
    char buf[1400];
    auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed, prec);
    out.assign(buf, r.ptr - buf);
    return out;
  }
  if (lower == 'e' && prec >= 0) {
    char buf[1100];
    auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific, prec);
    out.assign(buf, r.ptr - buf);
    if (upper)
      for (auto& c : out)
        if (c == 'e') c = 'E';
    return out;
  }
  if (lower == 'x') return hex_float(f, fmt, prec);
  bool shortest = prec < 0;
  if (lower == 'g' && prec == 0) prec = 1;
  Digits g = digits_of(f, shortest ? -1 : std::min(prec, 38));
  if (shortest) {
    if (lower == 'e') prec = std::max(g.nd - 1, 0);
    if (lower == 'f') prec = std::max(g.nd - g.dp, 0);
    if (lower == 'g') prec = std::max(g.nd, 1);
  }
  switch (lower) {
    case 'e': fmt_e(out, neg, g, prec, ech); break;
    case 'f': fmt_f(out, neg, g, prec); break;
    default: {
      int eprec = prec;
      if (eprec > g.nd && g.nd >= g.dp) eprec = g.nd;
      if (shortest) eprec = 6;
      int exp = g.dp - 1;  // zero: nd = dp = 0, so exp = -1 and zero prints as %f ("0")
      if (exp < -4 || exp >= eprec) {
        if (prec > g.nd) prec = g.nd;
        fmt_e(out, neg, g, std::max(prec - 1, 0), ech);
      } else {
        if (prec > g.dp) prec = g.nd;
        fmt_f(out, neg, g, std::max(prec - g.dp, 0));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Types and %v

std::string_view type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "int";
    case Json::value_t::number_float: return "float64";
    case Json::value_t::array: return "[]interface {}";
    case Json::value_t::object: return "map[string]interface {}";
    default: return "<nil>";
  }
}

// Object members sorted by key, as Go's fmtsort and encoding/json order map keys.
static std::vector<std::pair<const std::string*, const Json*>> sorted_members(const Json& obj) {
  std::vector<std::pair<const std::string*, const Json*>> v;
  v.reserve(obj.size());
  for (auto it = obj.begin(); it != obj.end(); ++it) v.emplace_back(&it.key(), &it.value());
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return *a.first < *b.first; });
  return v;
}

namespace {

// fmt's per-verb flags (fmt.fmtFlags plus width and precision).
struct Flags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

// fmt.pp: prints one operand into `out` under the current flags.
class Printer {
 public:
  /// `max`: the caller's output cap. Padding and zero-filled precision never write past it
  /// (one byte beyond, so the caller sees the overflow), and containers stop printing
  /// elements once it is passed: a width of 10^7 on a map's elements cannot multiply.
  explicit Printer(std::string& out, size_t max = SIZE_MAX) : out_(out), max_(max) {}
  Flags f;
  bool full() const { return out_.size() > max_; }
  // Bytes that may still be written before the cap is passed (plus one to pass it).
  size_t room() const {
    if (full()) return 0;
    size_t r = max_ - out_.size();
    return r == SIZE_MAX ? r : r + 1;
  }

  void print_arg(const Json* a, uint32_t verb) {
    if (!a || a->is_null()) {
      if (verb == 'T' || verb == 'v') pad_string("<nil>");
      else bad_verb(nullptr, verb);
      return;
    }
    if (verb == 'T') {
      fmt_s(type_name(*a));
      return;
    }
    print_value(*a, verb, 0);
  }

  void print_value(const Json& v, uint32_t verb, int depth) {
    switch (v.type()) {
      case Json::value_t::null:
        // A nil element inside a container: fmt prints <nil> whatever the verb.
        if (f.sharp_v) out_ += "interface {}(nil)";
        else out_ += "<nil>";
        break;
      case Json::value_t::boolean:
        if (verb == 't' || verb == 'v') pad_string(v.get<bool>() ? "true" : "false");
        else bad_verb(&v, verb);
        break;
      case Json::value_t::number_integer: fmt_integer(uint64_t(v.get<int64_t>()), true, verb, &v); break;
      case Json::value_t::number_unsigned: fmt_integer(v.get<uint64_t>(), false, verb, &v); break;
      case Json::value_t::number_float: fmt_float_verb(v.get<double>(), verb, &v); break;
      case Json::value_t::string: fmt_string(v.get_ref<const std::string&>(), verb, &v); break;
      case Json::value_t::array:
        if (f.sharp_v) {
          out_ += "[]interface {}{";
          for (size_t i = 0; i < v.size() && !full(); ++i) {
            if (i) out_ += ", ";
            print_value(v[i], verb, depth + 1);
          }
          out_ += '}';
        } else {
          out_ += '[';
          for (size_t i = 0; i < v.size() && !full(); ++i) {
            if (i) out_ += ' ';
            print_value(v[i], verb, depth + 1);
          }
          out_ += ']';
        }
        break;
      case Json::value_t::object: {
        out_ += f.sharp_v ? "map[string]interface {}{" : "map[";
        bool first = true;
        for (auto& [k, val] : sorted_members(v)) {
          if (full()) break;
          if (!first) out_ += f.sharp_v ? ", " : " ";
          first = false;
          fmt_string(*k, verb, nullptr);
          out_ += ':';
          print_value(*val, verb, depth + 1);
        }
        out_ += f.sharp_v ? '}' : ']';
        break;
      }
      default: out_ += "<nil>";
    }
  }

 private:
  std::string& out_;
  size_t max_;

  void write_padding(int n) {
    if (n <= 0) return;
    out_.append(std::min(size_t(n), room()), f.zero && !f.minus ? '0' : ' ');
  }
  // fmt.pad / fmt.padString: width counts runes.
  void pad_string(std::string_view s) {
    if (!f.wid_present || f.wid == 0) {
      out_ += s;
      return;
    }
    int width = f.wid - int(rune_count(s));
    if (!f.minus) {
      write_padding(width);
      out_ += s;
    } else {
      out_ += s;
      write_padding(width);
    }
  }
  std::string truncate(std::string_view s) {
    if (f.prec_present) {
      int n = f.prec;
      for (size_t i = 0; i < s.size();) {
        if (--n < 0) return std::string(s.substr(0, i));
        size_t len;
        decode_rune(s, i, &len);
        i += len;
      }
    }
    return std::string(s);
  }
  void fmt_s(std::string_view s) { pad_string(truncate(s)); }

  // fmt.badVerb: %!verb(type=value) with the value printed as %v under the same flags.
  void bad_verb(const Json* v, uint32_t verb) {
    out_ += "%!";
    append_rune(out_, verb);
    out_ += '(';
    if (v) {
      out_ += type_name(*v);
      out_ += '=';
      print_value(*v, 'v', 0);
    } else {
      out_ += "<nil>";
    }
    out_ += ')';
  }

  void fmt_string(const std::string& s, uint32_t verb, const Json* v) {
    switch (verb) {
      case 'v':
        if (f.sharp_v) fmt_q(s);
        else fmt_s(s);
        break;
      case 's': fmt_s(s); break;
      case 'x': fmt_sx(s, kLower); break;
      case 'X': fmt_sx(s, "0123456789ABCDEF"); break;
      case 'q': fmt_q(s); break;
      default: {
        Json tmp;
        if (!v) {
          tmp = s;
          v = &tmp;
        }
        bad_verb(v, verb);
      }
    }
  }
  void fmt_q(std::string_view s) {
    std::string t = truncate(s);
    if (f.sharp && t.find('`') == std::string::npos) {
      bool ok = true;
      for (size_t i = 0; i < t.size() && ok;) {
        size_t len;
        uint32_t r = decode_rune(t, i, &len);
        if ((len == 1 && r == 0xFFFD) || (r < ' ' && r != '\t') || r == 0x7F || r == 0xFEFF) ok = false;
        i += len;
      }
      if (ok) {
        pad_string("`" + t + "`");
        return;
      }
    }
    std::string q;
    append_quoted(q, t, '"', f.plus);
    pad_string(q);
  }
  void fmt_sx(std::string_view s, const char* digits) {
    size_t length = s.size();
    if (f.prec_present && size_t(f.prec) < length) length = size_t(f.prec);
    int width = int(2 * length);
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += int(length) - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.wid_present) write_padding(f.wid);
      return;
    }
    if (f.wid_present && f.wid > width && !f.minus) write_padding(f.wid - width);
    char x = digits[10] == 'a' ? 'x' : 'X';
    if (f.sharp) {
      out_ += '0';
      out_ += x;
    }
    for (size_t i = 0; i < length; ++i) {
      if (f.space && i > 0) {
        out_ += ' ';
        if (f.sharp) {
          out_ += '0';
          out_ += x;
        }
      }
      uint8_t c = uint8_t(s[i]);
      out_ += digits[c >> 4];
      out_ += digits[c & 15];
    }
    if (f.wid_present && f.wid > width && f.minus) write_padding(f.wid - width);
  }

  // fmt.fmtInteger and friends.
  void fmt_integer(uint64_t u, bool is_signed, uint32_t verb, const Json* v) {
    switch (verb) {
      case 'v':
      case 'd': fmt_int(u, 10, is_signed, verb, kLower); break;
      case 'b': fmt_int(u, 2, is_signed, verb, kLower); break;
      case 'o':
      case 'O': fmt_int(u, 8, is_signed, verb, kLower); break;
      case 'x': fmt_int(u, 16, is_signed, verb, kLower); break;
      case 'X': fmt_int(u, 16, is_signed, verb, "0123456789ABCDEF"); break;
      case 'c': {
        std::string s;
        append_rune(s, (is_signed && int64_t(u) < 0) || u > 0x10FFFF ? 0xFFFD : uint32_t(u));
        pad_string(s);
        break;
      }
      case 'q': {
        uint32_t r = (is_signed && int64_t(u) < 0) || u > 0x10FFFF ? 0xFFFD : uint32_t(u);
        std::string s, q;
        append_rune(s, r);
        append_quoted(q, s, '\'', f.plus);
        pad_string(q);
        break;
      }
      case 'U': {
        std::string s = fmt::format("U+{:04X}", u);
        if (f.sharp && u <= 0x10FFFF && is_print(uint32_t(u))) {
          s += " '";
          append_rune(s, uint32_t(u));
          s += '\'';
        }
        pad_string(s);
        break;
      }
      default: bad_verb(v, verb);
    }
  }
  void fmt_int(uint64_t u, int base, bool is_signed, uint32_t verb, const char* digits) {
    bool negative = is_signed && int64_t(u) < 0;
    if (negative) u = 0 - u;
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        bool z = f.zero;
        f.zero = false;
        write_padding(f.wid);
        f.zero = z;
        return;
      }
    } else if (f.zero && !f.minus && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    std::string buf;
    do {
      buf += digits[u % uint64_t(base)];
      u /= uint64_t(base);
    } while (u);
    if (size_t(std::max(prec, 0)) > room()) prec = int(room());
    while (int(buf.size()) < prec) buf += '0';
    if (f.sharp) {
      if (base == 2) buf += "b0";
      if (base == 8 && buf.back() != '0') buf += '0';
      if (base == 16) {
        buf += digits[10] == 'a' ? 'x' : 'X';
        buf += '0';
      }
    }
    if (verb == 'O') buf += "o0";
    if (negative) buf += '-';
    else if (f.plus) buf += '+';
    else if (f.space) buf += ' ';
    std::reverse(buf.begin(), buf.end());
    bool z = f.zero;
    f.zero = false;
    pad_string(buf);
    f.zero = z;
  }

  void fmt_float_verb(double x, uint32_t verb, const Json* v) {
    switch (verb) {
      case 'v': fmt_float(x, 'g', -1); break;
      case 'g':
      case 'G': fmt_float(x, char(verb), -1); break;
      case 'f':
      case 'F':
      case 'e':
      case 'E': fmt_float(x, char(verb), 6); break;
      case 'x':
      case 'X': fmt_float(x, char(verb), -1); break;
      default: bad_verb(v, verb);
    }
  }
  // fmt's '#' on floats: always a decimal point, and for %g/%G/%x/%X trailing zeros kept up to
  // the precision (6 when none) significant digits; the exponent is set aside while padding.
  // Like Go, for hex floats every character after the first nonzero one counts as a digit.
  static void sharp_float(std::string& num, char verb, int prec) {
    bool hexf = verb == 'x' || verb == 'X';
    int digits = (verb == 'g' || verb == 'G' || hexf) ? (prec < 0 ? 6 : prec) : 0;
    std::string tail;
    bool point = false, nonzero = false;
    for (size_t i = 1; i < num.size(); ++i) {
      char c = num[i];
      if (c == '.') {
        point = true;
      } else if (c == 'p' || c == 'P' || (!hexf && (c == 'e' || c == 'E'))) {
        tail = num.substr(i);
        num.resize(i);
        break;
      } else {
        if (c != '0') nonzero = true;
        if (nonzero) --digits;
      }
    }
    if (!point) {
      if (num.size() == 2 && num[1] == '0') --digits;
      num.push_back('.');
    }
    for (; digits > 0; --digits) num.push_back('0');
    num += tail;
  }

  void fmt_float(double x, char verb, int prec) {
    if (f.prec_present) prec = f.prec;
    std::string num = format_float(x, verb == 'F' ? 'f' : verb, prec);
    if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool z = f.zero;
      f.zero = false;
      if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
      pad_string(num);
      f.zero = z;
      return;
    }
    if (f.sharp) sharp_float(num, verb, f.prec_present ? f.prec : -1);
    if (f.plus || num[0] != '+') {
      if (f.zero && !f.minus && f.wid_present && f.wid > int(num.size())) {
        out_ += num[0];
        write_padding(f.wid - int(num.size()));
        out_.append(num, 1);
        return;
      }
      pad_string(num);
      return;
    }
    pad_string(std::string_view(num).substr(1));
  }
};

// fmt.parsenum: digits at format[i…]; false (and i = end) when too large, as Go does.
bool parse_num(std::string_view s, size_t& i, int& num) {
  bool isnum = false;
  num = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (num > 1000000) {
      i = s.size();
      return false;
    }
    num = num * 10 + (s[i] - '0');
    isnum = true;
    ++i;
  }
  return isnum;
}

}  // namespace

void append_v(std::string& out, const Json* v) {
  Printer p(out);
  p.print_arg(v, 'v');
}

std::string sprintf(std::string_view format, Args a, size_t max) {
  std::string out;
  Printer p(out, max);
  size_t end = format.size();
  size_t arg_num = 0;
  bool reordered = false;
  for (size_t i = 0; i < end;) {
    if (out.size() > max) return out;
    bool good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    out.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip %
    p.f = Flags{};
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') p.f.sharp = true;
      else if (c == '0') p.f.zero = !p.f.minus;
      else if (c == '+') p.f.plus = true;
      else if (c == '-') {
        p.f.minus = true;
        p.f.zero = false;
      } else if (c == ' ') p.f.space = true;
      else break;
    }
    // fmt.argNumber: an explicit [n] index.
    bool after_index = false;
    auto arg_number = [&]() {
      after_index = false;
      if (i >= end || format[i] != '[') return;
      reordered = true;
      size_t j = i + 1;
      while (j < end && format[j] != ']') ++j;
      if (end - i < 3 || j >= end) {
        ++i;
        good_arg_num = false;
        return;
      }
      size_t k = i + 1;
      int n;
      bool ok = parse_num(format.substr(0, j), k, n) && k == j;
      i = j + 1;
      if (ok && n >= 1 && size_t(n - 1) < a.size()) {
        arg_num = size_t(n - 1);
        after_index = true;
      } else {
        good_arg_num = false;
        after_index = ok;
      }
    };
    auto int_from_arg = [&](int& v) -> bool {
      if (arg_num >= a.size()) return false;
      const Json* x = a[arg_num++];
      if (!x || !x->is_number_integer()) return false;
      int64_t n = x->is_number_unsigned() ? int64_t(std::min<uint64_t>(x->get<uint64_t>(), 1u << 30)) : x->get<int64_t>();
      if (n > 1000000 || n < -1000000) return false;
      v = int(n);
      return true;
    };
    arg_number();
    if (i < end && format[i] == '*') {
      ++i;
      p.f.wid_present = int_from_arg(p.f.wid);
      if (!p.f.wid_present) out += "%!(BADWIDTH)";
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      after_index = false;
    } else {
      p.f.wid_present = parse_num(format, i, p.f.wid);
      if (after_index && p.f.wid_present) good_arg_num = false;
    }
    if (i + 1 <= end && i < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num = false;
      arg_number();
      if (i < end && format[i] == '*') {
        ++i;
        p.f.prec_present = int_from_arg(p.f.prec);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) out += "%!(BADPREC)";
        after_index = false;
      } else {
        p.f.prec_present = parse_num(format, i, p.f.prec);
        if (!p.f.prec_present) {
          p.f.prec = 0;
          p.f.prec_present = true;
        }
      }
    }
    if (!after_index) arg_number();
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    size_t vlen;
    uint32_t verb = decode_rune(format, i, &vlen);
    i += vlen;
    if (verb == '%') {
      out += '%';
    } else if (!good_arg_num) {
      out += "%!";
      append_rune(out, verb);
      out += "(BADINDEX)";
    } else if (arg_num >= a.size()) {
      out += "%!";
      append_rune(out, verb);
      out += "(MISSING)";
    } else {
      if (verb == 'v') {
        p.f.sharp_v = p.f.sharp;
        p.f.sharp = false;
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
      }
      p.print_arg(a[arg_num++], verb);
    }
  }
  if (!reordered && arg_num < a.size()) {
    p.f = Flags{};
    out += "%!(EXTRA ";
    for (size_t k = arg_num; k < a.size(); ++k) {
      if (k > arg_num) out += ", ";
      if (!a[k] || a[k]->is_null()) {
        out += "<nil>";
      } else {
        out += type_name(*a[k]);
        out += '=';
        p.print_arg(a[k], 'v');
      }
    }
    out += ')';
  }
  return out;
}

std::string sprint(Args a) {
  std::string out;
  Printer p(out);
  bool prev_string = false;
  for (size_t k = 0; k < a.size(); ++k) {
    bool is_string = a[k] && a[k]->is_string();
    if (k > 0 && !is_string && !prev_string) out += ' ';
    p.print_arg(a[k], 'v');
    prev_string = is_string;
  }
  return out;
}

std::string sprintln(Args a) {
  std::string out;
  Printer p(out);
  for (size_t k = 0; k < a.size(); ++k) {
    if (k > 0) out += ' ';
    p.print_arg(a[k], 'v');
  }
  out += '\n';
  return out;
}

// ---------------------------------------------------------------------------------------------
// encoding/json

static void append_json_string(std::string& out, std::string_view s, bool escape_html) {
  out += '"';
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    uint8_t b = uint8_t(s[i]);
    if (b < 0x80) {
      bool safe = b >= 0x20 && b != '"' && b != '\\' && (!escape_html || (b != '<' && b != '>' && b != '&'));
      if (safe) {
        ++i;
        continue;
      }
      out.append(s.substr(start, i - start));
      switch (b) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out += kLower[b >> 4];
          out += kLower[b & 15];
      }
      start = ++i;
      continue;
    }
    size_t len;
    uint32_t r = decode_rune(s, i, &len);
    if (r == 0xFFFD && len == 1) {
      out.append(s.substr(start, i - start));
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (r == 0x2028 || r == 0x2029) {
      out.append(s.substr(start, i - start));
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
      i += len;
      start = i;
      continue;
    }
    i += len;
  }
  out.append(s.substr(start));
  out += '"';
}

bool append_json(std::string& out, const Json& v, bool escape_html, bool sort_keys) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; return true;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return true;
    case Json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); return true;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); return true;
    case Json::value_t::number_float: {
      double f = v.get<double>();
      if (!std::isfinite(f)) return false;
      double a = std::fabs(f);
      char fm = a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f';
      std::string s = format_float(f, fm, -1);
      size_t n = s.size();
      if (fm == 'e' && n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
      out += s;
      return true;
    }
    case Json::value_t::string: append_json_string(out, v.get_ref<const std::string&>(), escape_html); return true;
    case Json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        if (!append_json(out, v[i], escape_html, sort_keys)) return false;
      }
      out += ']';
      return true;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      auto member = [&](const std::string& k, const Json& val) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k, escape_html);
        out += ':';
        return append_json(out, val, escape_html, sort_keys);
      };
      if (sort_keys) {
        for (auto& [k, val] : sorted_members(v))
          if (!member(*k, *val)) return false;
      } else {
        for (auto it = v.begin(); it != v.end(); ++it)
          if (!member(it.key(), it.value())) return false;
      }
      out += '}';
      return true;
    }
    default: out += "null"; return true;
  }
}

}  // namespace skiff::gotmpl::gofmt
