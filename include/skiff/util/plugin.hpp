#pragma once
// The heavy-library plugin.
//
// Poco (HTTP/TLS), OpenSSL, libarchive, zlib and zstd cost ~7 ms of dynamic loading at every
// process start and ~3 MiB of RSS in every monitor. They are only needed to pull, push, hash,
// and read or write tar streams, so they live in a shared object built from the *_plugin.cpp
// files, embedded in the skiff binary (skiff stays one file) and loaded on first use from a
// memfd. Plugin entry points are `extern "C"` functions; callers find them with
// plugin_symbol(). Unit tests link the plugin objects directly, and the lookup finds the
// symbols in the process first.

#include "skiff/util/result.hpp"

namespace skiff {

/// The address of the plugin function `name`, loading the plugin on first use.
/// Fails with a message naming the cause (memfd/dlopen error) if it cannot be loaded.
Result<void*> plugin_symbol(const char* name);

/// Typed convenience: `auto f = TRY(plugin_fn<Foo*(*)()>("skiff_foo_v1"));`
template <class F>
Result<F> plugin_fn(const char* name) {
  auto p = plugin_symbol(name);
  if (!p) return p.error();
  return reinterpret_cast<F>(*p);
}

/// True once the plugin has been loaded into this process (a process that loaded it should
/// not be forked into a long-lived monitor: re-exec instead, to keep the monitor small).
bool plugin_loaded();

}  // namespace skiff
