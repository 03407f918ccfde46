// mktar: writes a tar archive exactly as a spec says, including what GNU tar refuses to make
// (names with "..", absolute names, hard links to anywhere, device nodes without root), so
// tests can feed hostile layers to the extractor.
//
//   mktar OUT < SPEC
//
// SPEC has one entry per line, fields separated by single spaces; empty lines and lines starting
// with '#' are ignored:
//   f NAME [TEXT...]         regular file holding TEXT and a newline (no TEXT: empty file)
//   F NAME SIZE              regular file of SIZE bytes ('x' repeated)
//   d NAME                   directory
//   l NAME TARGET            symbolic link
//   h NAME TARGET            hard link (TARGET is a name, taken as given)
//   c NAME MAJOR MINOR       character device
//   b NAME MAJOR MINOR       block device
//   p NAME                   FIFO
// An entry may end with attributes: mode=0755 uid=N gid=N (defaults: 0644 files, 0755 dirs,
// 0777 links, 0:0). Names and link targets longer than 100 bytes get GNU long-name records.
// mtime is fixed (2023-11-14T22:13:20Z), so the output is deterministic.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr unsigned long kMtime = 1700000000;

struct Entry {
  char type = '0';
  std::string name, link, data;
  unsigned long mode = 0644, uid = 0, gid = 0, major = 0, minor = 0;
};

void octal(char* field, size_t width, unsigned long long v) {
  // width-1 digits and a NUL, as GNU tar writes them.
  snprintf(field, width, "%0*llo", int(width - 1), v);
}

void write_header(std::string& out, const Entry& e, const std::string& name, const std::string& link, char type,
                  unsigned long long size) {
  char h[512];
  memset(h, 0, sizeof h);
  memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
  octal(h + 100, 8, e.mode);
  octal(h + 108, 8, e.uid);
  octal(h + 116, 8, e.gid);
  octal(h + 124, 12, size);
  octal(h + 136, 12, kMtime);
  memset(h + 148, ' ', 8);
  h[156] = type;
  memcpy(h + 157, link.data(), std::min<size_t>(link.size(), 100));
  memcpy(h + 257, "ustar  ", 8);  // GNU magic + version
  memcpy(h + 265, "root", 4);
  memcpy(h + 297, "root", 4);
  if (type == '3' || type == '4') {
    octal(h + 329, 8, e.major);
    octal(h + 337, 8, e.minor);
  }
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  out.append(h, 512);
}

void pad(std::string& out) {
  if (out.size() % 512) out.append(512 - out.size() % 512, '\0');
}

void long_record(std::string& out, char type, const std::string& value) {
  Entry meta;
  meta.mode = 0644;
  std::string data = value + '\0';
  write_header(out, meta, "././@LongLink", "", type, data.size());
  out += data;
  pad(out);
}

void write_entry(std::string& out, const Entry& e) {
  if (e.link.size() > 100) long_record(out, 'K', e.link);
  if (e.name.size() > 100) long_record(out, 'L', e.name);
  write_header(out, e, e.name.substr(0, 100), e.link.substr(0, 100), e.type, e.data.size());
  out += e.data;
  pad(out);
}

[[noreturn]] void bad(int lineno, const std::string& why) {
  fprintf(stderr, "mktar: line %d: %s\n", lineno, why.c_str());
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mktar OUT < SPEC\n");
    return 2;
  }
  std::string out, line;
  int lineno = 0;
  while (std::getline(std::cin, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream ss(line);
    for (std::string w; std::getline(ss, w, ' ');) f.push_back(w);
    // Trailing attributes.
    Entry e;
    bool mode_set = false;
    while (f.size() > 2) {
      const std::string& w = f.back();
      if (w.starts_with("mode=")) e.mode = std::stoul(w.substr(5), nullptr, 8), mode_set = true;
      else if (w.starts_with("uid=")) e.uid = std::stoul(w.substr(4));
      else if (w.starts_with("gid=")) e.gid = std::stoul(w.substr(4));
      else break;
      f.pop_back();
    }
    if (f.size() < 2 || f[0].size() != 1) bad(lineno, "expected TYPE NAME ...");
    e.name = f[1];
    switch (f[0][0]) {
      case 'f': {
        e.type = '0';
        std::string text;
        for (size_t i = 2; i < f.size(); ++i) text += (i > 2 ? " " : "") + f[i];
        if (f.size() > 2) e.data = text + "\n";
        break;
      }
      case 'F':
        if (f.size() != 3) bad(lineno, "F NAME SIZE");
        e.type = '0';
        e.data.assign(std::stoull(f[2]), 'x');
        break;
      case 'd':
        e.type = '5';
        if (!mode_set) e.mode = 0755;
        break;
      case 'l':
      case 'h':
        if (f.size() != 3) bad(lineno, "l|h NAME TARGET");
        e.type = f[0][0] == 'l' ? '2' : '1';
        e.link = f[2];
        if (!mode_set) e.mode = 0777;
        break;
      case 'c':
      case 'b':
        if (f.size() != 4) bad(lineno, "c|b NAME MAJOR MINOR");
        e.type = f[0][0] == 'c' ? '3' : '4';
        e.major = std::stoul(f[2]);
        e.minor = std::stoul(f[3]);
        break;
      case 'p':
        e.type = '6';
        break;
      default:
        bad(lineno, "unknown entry type");
    }
    write_entry(out, e);
  }
  out.append(1024, '\0');
  FILE* fp = fopen(argv[1], "wb");
  if (!fp || fwrite(out.data(), 1, out.size(), fp) != out.size() || fclose(fp) != 0) {
    perror(argv[1]);
    return 1;
  }
  return 0;
}
