#include "skiff/util/archive.hpp"

#include "skiff/util/plugin.hpp"

namespace skiff {

Result<std::unique_ptr<TarReader>> make_tar_reader(ByteSource& src) {
  auto make = TRY(plugin_fn<TarReaderFactory>("skiff_tar_reader_v1"));
  std::unique_ptr<TarReader> r(make(&src));
  if (!r) return fail(ENOMEM, "tar: cannot allocate a reader");
  return r;
}

Result<std::unique_ptr<TarWriter>> make_tar_writer(ByteSink& sink) {
  auto make = TRY(plugin_fn<TarWriterFactory>("skiff_tar_writer_v1"));
  std::unique_ptr<TarWriter> w(make(&sink));
  if (!w) return fail(ENOMEM, "tar: cannot allocate a writer");
  return w;
}

}  // namespace skiff
