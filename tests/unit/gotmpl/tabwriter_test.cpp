#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "skiff/gotmpl/tabwriter.hpp"

using skiff::gotmpl::TabWriter;

namespace {

constexpr unsigned kHTML = TabWriter::kFilterHTML, kStrip = TabWriter::kStripEscape,
                   kRight = TabWriter::kAlignRight, kDiscard = TabWriter::kDiscardEmptyColumns,
                   kDebug = TabWriter::kDebug;

struct GoCase {
  const char* name;
  int minwidth, tabwidth, padding;
  char padchar;
  unsigned flags;
  const char* src;
  const char* expected;
};

// The table of Go's src/text/tabwriter/tabwriter_test.go (current upstream), which measures
// cells in runes.
const GoCase kGoCases[] = {
    {"1a", 8, 0, 1, '.', 0, "", ""},
    {"1a debug", 8, 0, 1, '.', kDebug, "", ""},
    {"1b esc stripped", 8, 0, 1, '.', kStrip, "\xff\xff", ""},
    {"1b esc", 8, 0, 1, '.', 0, "\xff\xff", "\xff\xff"},
    {"1c esc stripped", 8, 0, 1, '.', kStrip, "\xff\t\xff", "\t"},
    {"1c esc", 8, 0, 1, '.', 0, "\xff\t\xff", "\xff\t\xff"},
    {"1d esc stripped", 8, 0, 1, '.', kStrip, "\xff\"foo\t\n\tbar\"\xff", "\"foo\t\n\tbar\""},
    {"1d esc", 8, 0, 1, '.', 0, "\xff\"foo\t\n\tbar\"\xff", "\xff\"foo\t\n\tbar\"\xff"},
    {"1e esc stripped", 8, 0, 1, '.', kStrip, "abc\xff\tdef", "abc\tdef"},
    {"1e esc", 8, 0, 1, '.', 0, "abc\xff\tdef", "abc\xff\tdef"},
    {"2", 8, 0, 1, '.', 0, "\n\n\n", "\n\n\n"},
    {"3", 8, 0, 1, '.', 0, "a\nb\nc", "a\nb\nc"},
    {"4a", 8, 0, 1, '.', 0, "\t", ""},
    {"4b", 8, 0, 1, '.', kRight, "\t", ""},
    {"5", 8, 0, 1, '.', 0, "*\t*", "*.......*"},
    {"5b", 8, 0, 1, '.', 0, "*\t*\n", "*.......*\n"},
    {"5c", 8, 0, 1, '.', 0, "*\t*\t", "*.......*"},
    {"5c debug", 8, 0, 1, '.', kDebug, "*\t*\t", "*.......|*"},
    {"5d", 8, 0, 1, '.', kRight, "*\t*\t", ".......**"},
    {"6", 8, 0, 1, '.', 0, "\t\n", "........\n"},
    {"7a", 8, 0, 1, '.', 0, "a) foo", "a) foo"},
    {"7b", 8, 0, 1, ' ', 0, "b) foo\tbar", "b) foo  bar"},
    {"7c", 8, 0, 1, '.', 0, "c) foo\tbar\t", "c) foo..bar"},
    {"7d", 8, 0, 1, '.', 0, "d) foo\tbar\n", "d) foo..bar\n"},
    {"7e", 8, 0, 1, '.', 0, "e) foo\tbar\t\n", "e) foo..bar.....\n"},
    {"7f", 8, 0, 1, '.', kHTML, "f) f&lt;o\t<b>bar</b>\t\n", "f) f&lt;o..<b>bar</b>.....\n"},
    {"7g", 8, 0, 1, '.', kHTML, "g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp",
     "g) f&lt;o..<b>bar</b>..... non-terminated entity &amp"},
    {"7g debug", 8, 0, 1, '.', kHTML | kDebug, "g) f&lt;o\t<b>bar</b>\t non-terminated entity &amp",
     "g) f&lt;o..|<b>bar</b>.....| non-terminated entity &amp"},
    {"8", 8, 0, 1, '*', 0, "Hello, world!\n", "Hello, world!\n"},
    {"9a", 1, 0, 0, '.', 0, "1\t2\t3\t4\n11\t222\t3333\t44444\n", "1.2..3...4\n11222333344444\n"},
    {"9b", 1, 0, 0, '.', kHTML, "1\t2<!---\f--->\t3\t4\n11\t222\t3333\t44444\n",
     "1.2<!---\f--->..3...4\n11222333344444\n"},
    {"9c", 1, 0, 0, '.', 0, "1\t2\t3\t4\f11\t222\t3333\t44444\n", "1234\n11222333344444\n"},
    {"9c debug", 1, 0, 0, '.', kDebug, "1\t2\t3\t4\f11\t222\t3333\t44444\n",
     "1|2|3|4\n---\n11|222|3333|44444\n"},
    {"10a", 5, 0, 0, '.', 0, "1\t2\t3\t4\n", "1....2....3....4\n"},
    {"10b", 5, 0, 0, '.', 0, "1\t2\t3\t4\t\n", "1....2....3....4....\n"},
    {"11", 8, 0, 1, '.', 0,
     "本\tb\tc\n"
     "aa\t\u672c\u672c\u672c\tcccc\tddddd\n"
     "aaa\tbbbb\n",
     "本.......b.......c\n"
     "aa......本本本.....cccc....ddddd\n"
     "aaa.....bbbb\n"},
    {"12a", 8, 0, 1, ' ', kRight,
     "a\tè\tc\t\n"
     "aa\tèèè\tcccc\tddddd\t\n"
     "aaa\tèèèè\t\n",
     "       a       è       c\n"
     "      aa     èèè    cccc   ddddd\n"
     "     aaa    èèèè\n"},
    {"12b", 2, 0, 0, ' ', 0, "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n", "a  b  c\naa bbbcccc\naaabbbb\n"},
    {"12c", 8, 0, 1, '_', 0, "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n",
     "a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n"},
    {"13a", 4, 0, 1, '-', 0,
     "4444\t日本語\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t22\n"
     "\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t4444\n"
     "1\t1\t999999999\t0000000000\n",
     "4444------日本語-22--1---333\n"
     "999999999-22\n"
     "7---------22\n"
     "------------------88888888\n"
     "\n"
     "666666-666666-666666----4444\n"
     "1------1------999999999-0000000000\n"},
    {"13b", 4, 0, 3, '.', 0,
     "4444\t333\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t22\n"
     "\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t4444\n"
     "1\t1\t999999999\t0000000000\n",
     "4444........333...22...1...333\n"
     "999999999...22\n"
     "7...........22\n"
     "....................88888888\n"
     "\n"
     "666666...666666...666666......4444\n"
     "1........1........999999999...0000000000\n"},
    {"13c", 8, 8, 1, '\t', kHTML,
     "4444\t333\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t22\n"
     "\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t4444\n"
     "1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n",
     "4444\t\t333\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t\t22\n"
     "\t\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t\t4444\n"
     "1\t1\t<font color=red attr=日本語>999999999</font>\t0000000000\n"},
    {"14", 1, 0, 2, ' ', kRight,
     ".0\t.3\t2.4\t-5.1\t\n"
     "23.0\t12345678.9\t2.4\t-989.4\t\n"
     "5.1\t12.0\t2.4\t-7.0\t\n"
     ".0\t0.0\t332.0\t8908.0\t\n"
     ".0\t-.3\t456.4\t22.1\t\n"
     ".0\t1.2\t44.4\t-13.3\t\t",
     "    .0          .3    2.4    -5.1\n"
     "  23.0  12345678.9    2.4  -989.4\n"
     "   5.1        12.0    2.4    -7.0\n"
     "    .0         0.0  332.0  8908.0\n"
     "    .0         -.3  456.4    22.1\n"
     "    .0         1.2   44.4   -13.3"},
    {"14 debug", 1, 0, 2, ' ', kRight | kDebug,
     ".0\t.3\t2.4\t-5.1\t\n"
     "23.0\t12345678.9\t2.4\t-989.4\t\n"
     "5.1\t12.0\t2.4\t-7.0\t\n"
     ".0\t0.0\t332.0\t8908.0\t\n"
     ".0\t-.3\t456.4\t22.1\t\n"
     ".0\t1.2\t44.4\t-13.3\t\t",
     "    .0|          .3|    2.4|    -5.1|\n"
     "  23.0|  12345678.9|    2.4|  -989.4|\n"
     "   5.1|        12.0|    2.4|    -7.0|\n"
     "    .0|         0.0|  332.0|  8908.0|\n"
     "    .0|         -.3|  456.4|    22.1|\n"
     "    .0|         1.2|   44.4|   -13.3|"},
    {"15a", 4, 0, 0, '.', 0, "a\t\tb", "a.......b"},
    {"15b", 4, 0, 0, '.', kDiscard, "a\t\tb", "a.......b"},
    {"15c", 4, 0, 0, '.', kDiscard, "a\v\vb", "a...b"},
    {"15d", 4, 0, 0, '.', kRight | kDiscard, "a\v\vb", "...ab"},
    {"16a", 100, 100, 0, '\t', 0,
     "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
     "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n"},
    {"16b", 100, 100, 0, '\t', kDiscard,
     "a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n",
     "a\tb\td\na\tb\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n"},
    {"16b debug", 100, 100, 0, '\t', kDiscard | kDebug,
     "a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n",
     "a\t|b\t||d\na\t|b\t||d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n"},
    {"16c", 100, 100, 0, '\t', kDiscard,
     "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
     "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n"},
    {"16c debug", 100, 100, 0, '\t', kDiscard | kDebug,
     "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
     "a\t|b\t|\t|d\na\t|b\t|\t|d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n"},
};

TabWriter go_writer(const GoCase& c) {
  TabWriter::Options o;
  o.min_width = c.minwidth;
  o.tab_width = c.tabwidth;
  o.padding = c.padding;
  o.pad_char = c.padchar;
  o.flags = c.flags;
  o.width = TabWriter::Width::kRunes;
  return TabWriter(o);
}

std::string docker_table(std::string_view text) {
  TabWriter tw;
  std::string out;
  tw.write(text, out);
  tw.flush(out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gotmpl_tabwriter)

// Go's own test: the same input written at once, byte by byte, and in Fibonacci-sized slices.
BOOST_AUTO_TEST_CASE(matches_go_tabwriter_table) {
  for (const GoCase& c : kGoCases) {
    std::string_view src(c.src);
    BOOST_TEST_CONTEXT("case " << c.name) {
      TabWriter w = go_writer(c);
      std::string out;
      w.write(src, out);
      w.flush(out);
      BOOST_TEST(out == c.expected);

      out.clear();
      for (size_t i = 0; i < src.size(); ++i) w.write(src.substr(i, 1), out);
      w.flush(out);
      BOOST_TEST(out == c.expected);

      out.clear();
      for (size_t i = 0, d = 0; i < src.size();) {
        w.write(src.substr(i, d), out);
        i += d;
        ++d;
        if (i + d > src.size()) d = src.size() - i;
      }
      w.flush(out);
      BOOST_TEST(out == c.expected);
    }
  }
}

// Docker's NewWriter(out, 10, 1, 3, ' ', 0): minimum width 10, three spaces of padding, last
// column unpadded (the `docker ps` header from conventions-research §1.2).
BOOST_AUTO_TEST_CASE(docker_parameters) {
  BOOST_TEST(docker_table("CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox\tweb\n") ==
             "CONTAINER ID   IMAGE     NAMES\n"
             "abc            busybox   web\n");
  // An empty column keeps the header's width (min 10); empty cells are padded too.
  BOOST_TEST(docker_table("A\tPORTS\tNAMES\nx\t\ty\n") ==
             "A" + std::string(9, ' ') + "PORTS" + std::string(5, ' ') + "NAMES\n" +
             "x" + std::string(9 + 10, ' ') + "y\n");
  // Zero rows: the header alone.
  BOOST_TEST(docker_table("REPOSITORY\tTAG\n") == "REPOSITORY   TAG\n");
}

// Docker's fork measures terminal columns: wide characters count 2, combining marks 0, and
// "…" (East Asian ambiguous) 1.
BOOST_AUTO_TEST_CASE(docker_measures_terminal_columns) {
  BOOST_TEST(skiff::gotmpl::display_width("abc") == 3u);
  BOOST_TEST(skiff::gotmpl::display_width("日本語") == 6u);
  BOOST_TEST(skiff::gotmpl::display_width("e\u0301") == 1u);
  BOOST_TEST(skiff::gotmpl::display_width("\u2026") == 1u);
  BOOST_TEST(docker_table("日本語日本語\tx\nab\ty\n") ==
             "日本語日本語   x\n"
             "ab             y\n");
  // Go's text/tabwriter counts runes instead.
  TabWriter::Options o;
  o.width = TabWriter::Width::kRunes;
  TabWriter w(o);
  std::string out;
  w.write("日本語日本語\tx\nab\ty\n", out);
  w.flush(out);
  BOOST_TEST(out == "日本語日本語    x\nab        y\n");
}

BOOST_AUTO_TEST_CASE(writer_is_reusable_after_flush) {
  TabWriter w;
  std::string a, b;
  w.write("long-cell-here\tx\n", a);
  w.flush(a);
  w.write("s\ty\n", b);
  w.flush(b);
  BOOST_TEST(a == "long-cell-here   x\n");
  BOOST_TEST(b == "s" + std::string(9, ' ') + "y\n");
}

BOOST_AUTO_TEST_SUITE_END()
