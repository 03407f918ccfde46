// A pod's infra container (include/skiff/engine/pod.hpp): no image, an empty root directory
// into which the skiff binary and the shared libraries it needs are bind-mounted read-only;
// its process is skiff's pause role.
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <cstdlib>
#include <set>

#include "pod_internal.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

Result<std::string> pread_exact(int fd, size_t off, size_t len) {
  std::string buf(len, '\0');
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf.data() + got, len - got, off_t(off + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(EIO, "the skiff binary is truncated");
    got += size_t(n);
  }
  return buf;
}

Result<std::string> pread_cstr(int fd, size_t off) {
  std::string s;
  char buf[256];
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, off_t(off + s.size()));
    if (n <= 0) return fail(EIO, "the skiff binary is truncated");
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\0') return s;
      s.push_back(buf[i]);
    }
    if (s.size() > 4096) return fail(EIO, "the skiff binary has a malformed string table");
  }
}

// The program interpreter and the DT_NEEDED names of an ELF64 file.
Status elf_deps(int fd, std::string& interp, std::vector<std::string>& needed) {
  auto eh_s = TRY(pread_exact(fd, 0, sizeof(Elf64_Ehdr)));
  Elf64_Ehdr eh;
  memcpy(&eh, eh_s.data(), sizeof eh);
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    return fail(kInvalid, "the skiff binary is not a 64-bit ELF file");
  auto ph_s = TRY(pread_exact(fd, eh.e_phoff, size_t(eh.e_phnum) * sizeof(Elf64_Phdr)));
  std::vector<Elf64_Phdr> ph(eh.e_phnum);
  memcpy(ph.data(), ph_s.data(), ph_s.size());
  const Elf64_Phdr* dyn = nullptr;
  for (auto& p : ph) {
    if (p.p_type == PT_INTERP) interp = TRY(pread_cstr(fd, p.p_offset));
    if (p.p_type == PT_DYNAMIC) dyn = &p;
  }
  if (!dyn) return ok();  // static: nothing to bind
  auto d_s = TRY(pread_exact(fd, dyn->p_offset, dyn->p_filesz));
  std::vector<Elf64_Dyn> d(d_s.size() / sizeof(Elf64_Dyn));
  memcpy(d.data(), d_s.data(), d.size() * sizeof(Elf64_Dyn));
  uint64_t strtab = 0;
  for (auto& x : d)
    if (x.d_tag == DT_STRTAB) strtab = x.d_un.d_ptr;
  uint64_t strtab_off = 0;
  bool found = false;
  for (auto& p : ph)
    if (p.p_type == PT_LOAD && strtab >= p.p_vaddr && strtab < p.p_vaddr + p.p_filesz) {
      strtab_off = strtab - p.p_vaddr + p.p_offset;
      found = true;
    }
  if (!found) return fail(kInvalid, "the skiff binary's string table is outside its segments");
  for (auto& x : d)
    if (x.d_tag == DT_NEEDED) needed.push_back(TRY(pread_cstr(fd, strtab_off + x.d_un.d_val)));
  return ok();
}

}  // namespace

Result<InfraFiles> infra_files() {
  InfraFiles f;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fail_errno("find the skiff binary (/proc/self/exe)");
  f.exe = std::string(buf, size_t(n));
  auto fd = TRY_CTX(open_path("/proc/self/exe", O_RDONLY), "open the skiff binary");
  std::string interp;
  std::vector<std::string> needed;
  TRY(elf_deps(fd.get(), interp, needed));
  std::set<std::string> want(needed.begin(), needed.end());
  // The libraries this process runs with: the same files the infra's skiff will load.
  auto maps = TRY_CTX(read_file("/proc/self/maps", 16 << 20), "read /proc/self/maps");
  std::set<std::string> seen;
  for (auto& line : split(maps, '\n')) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.size() > 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0) continue;
    auto base = split_dir_base(path).second;
    if (!want.count(base) || !seen.insert(path).second) continue;
    f.binds.emplace_back(path, path);
    f.lib_dirs.push_back(split_dir_base(path).first);
  }
  if (!interp.empty()) {
    char* real = realpath(interp.c_str(), nullptr);
    if (!real) return fail_errno(fmt::format("find the program interpreter `{}`", interp));
    f.binds.emplace_back(real, interp);
    free(real);
  }
  return f;
}

int pod_pause_main() {
  // pid 1 of its namespace: signals without a handler are ignored, so catch the ones that end it.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      while (waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      continue;
    }
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) return 0;
  }
}

}  // namespace skiff::engine
