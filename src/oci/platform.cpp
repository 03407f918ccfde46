// Platforms: parsing Docker's --platform values, containerd's normalisation of architecture
// names and CPU variants, and choosing a manifest from an index.
#include <fmt/format.h>

#include "skiff/oci/image.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::oci {

namespace {

// Architecture aliases and default variants (containerd platforms.Normalize).
void normalize_arch(std::string& arch, std::string& variant) {
  arch = to_lower(arch);
  variant = to_lower(variant);
  if (arch == "i386" || arch == "i686") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant.clear();
    else if (variant == "9" || variant == "9.0" || variant == "v9.0") variant = "v9";
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    else if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
}

bool is_known_os(std::string_view s) {
  static constexpr std::string_view kOs[] = {"linux", "windows", "darwin", "freebsd", "netbsd",
                                             "openbsd", "solaris", "illumos", "aix", "android"};
  for (auto o : kOs)
    if (o == s) return true;
  return false;
}

// Older arm variants a newer arm CPU also runs, best first.
std::vector<std::string> arm_fallbacks(std::string_view variant) {
  if (variant == "v8") return {"v7", "v6", "v5"};
  if (variant == "v7") return {"v6", "v5"};
  if (variant == "v6") return {"v5"};
  return {};
}

bool is_attestation(const Descriptor& d) {
  if (d.platform && d.platform->os == "unknown") return true;
  auto it = d.annotations.find("vnd.docker.reference.type");
  return it != d.annotations.end() && it->second == "attestation-manifest";
}

}  // namespace

Platform Platform::host() {
  Platform p;
  p.os = "linux";
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
#elif defined(__arm__)
  p.architecture = "arm";
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
  p.variant = "v7";
#elif defined(__ARM_ARCH) && __ARM_ARCH == 6
  p.variant = "v6";
#else
  p.variant = "v5";
#endif
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  p.architecture = "ppc64le";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#else
  p.architecture = "unknown";
#endif
  return p;
}

Result<Platform> Platform::parse(std::string_view s) {
  auto parts = split(s, '/');
  Platform p;
  bool bad = parts.empty() || parts.size() > 3;
  for (const auto& part : parts)
    if (part.empty()) bad = true;
  if (bad)
    return fail(kInvalid, fmt::format("invalid platform \"{}\": want os/arch[/variant]", s));
  if (parts.size() == 1) {
    std::string one = to_lower(parts[0]);
    if (is_known_os(one)) {
      p = host();
      p.os = one;
    } else {
      p.os = "linux";
      p.architecture = one;
    }
  } else {
    p.os = to_lower(parts[0]);
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  }
  if (!is_known_os(p.os))
    return fail(kInvalid, fmt::format("invalid platform \"{}\": unknown operating system \"{}\"", s, p.os));
  normalize_arch(p.architecture, p.variant);
  return p;
}

Platform Platform::normalized() const {
  Platform p = *this;
  p.os = to_lower(p.os);
  normalize_arch(p.architecture, p.variant);
  return p;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool platform_matches(const Platform& wanted, const Platform& offered) {
  Platform w = wanted.normalized(), o = offered.normalized();
  if (!w.os.empty() && w.os != o.os) return false;
  if (!w.architecture.empty() && w.architecture != o.architecture) return false;
  if (wanted.variant.empty() && w.architecture != "arm") return true;
  if (w.variant == o.variant) return true;
  if (w.architecture == "arm")
    for (const auto& v : arm_fallbacks(w.variant))
      if (v == o.variant) return true;
  return false;
}

Result<Descriptor> select_platform(const Index& index, const Platform& wanted) {
  Platform w = wanted.normalized();
  // Exact (normalised) matches first, in index order: that is how Docker and containerd rank.
  for (const auto& d : index.manifests) {
    if (!d.platform || is_attestation(d)) continue;
    Platform o = d.platform->normalized();
    if (o.os == w.os && o.architecture == w.architecture && o.variant == w.variant) return d;
  }
  // Then compatible ones (older arm variants), best first.
  if (w.architecture == "arm") {
    for (const auto& v : arm_fallbacks(w.variant))
      for (const auto& d : index.manifests) {
        if (!d.platform || is_attestation(d)) continue;
        Platform o = d.platform->normalized();
        if (o.os == w.os && o.architecture == "arm" && o.variant == v) return d;
      }
  }
  std::vector<std::string> offered;
  for (const auto& d : index.manifests)
    if (d.platform && !is_attestation(d)) offered.push_back(d.platform->str());
  std::string wanted_str = w.str();
  // Docker prints arm64 without its default variant; so do we.
  return fail(kNotFound,
              fmt::format("no matching manifest for {} in the manifest list entries (offered: {})",
                          wanted_str, offered.empty() ? std::string("none") : join(offered, ", ")));
}

}  // namespace skiff::oci
