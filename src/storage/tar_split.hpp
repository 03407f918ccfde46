#pragma once
// Private to src/storage: the tar layout of a layer ("tar-split", as Docker and
// containers/storage keep one), so the exact bytes of the layer's uncompressed tar, whose
// digest is its diff ID, can be produced again from the extracted files (save, push).
//
// While a layer streams in, TarSplitRecorder scans the raw tar bytes: headers, PAX and GNU
// long-name records, padding and the end-of-archive blocks are kept verbatim; the data of a
// regular file is replaced by a reference (size and path). Anything the scanner does not
// understand (GNU or PAX sparse files, a hard link with data, a header it cannot decode) is
// kept verbatim too: the record is then larger, never wrong. reassemble_tar() replays it,
// reading file data from the layer's directory (every path resolved inside it).
//
// File layers/<hex>/tar-split, host byte order (it never leaves the machine):
//   "skiff-tar-split 1\n", then records: 'L' u32 len, bytes | 'F' u64 size, u32 len, path |
//   'E' u64 total tar bytes (the last record: a file without it is torn).

#include <cstdint>
#include <string>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::storage {

inline constexpr const char* kTarSplitFile = "tar-split";

class TarSplitRecorder {
 public:
  explicit TarSplitRecorder(int fd);
  /// The next bytes of the raw (uncompressed) tar stream.
  Status feed(const char* p, size_t n);
  /// Writes the end record and flushes.
  Status finish();

 private:
  enum class State { Header, Literal, FileData, Padding, Trailer };
  Status literal(const char* p, size_t n);
  Status file_ref(uint64_t size, const std::string& path);
  Status flush(bool force);
  void on_header();
  void parse_pax();

  int fd_;
  std::string out_;
  State state_ = State::Header;
  char hdr_[512];
  size_t hdr_len_ = 0;
  uint64_t remaining_ = 0;  // bytes left in the current data region
  uint64_t padding_ = 0;    // padding after it
  uint64_t total_ = 0;
  // Extended headers that apply to the next entry.
  bool collect_ = false;    // the current literal region is a PAX or GNU long name record
  char collect_type_ = 0;
  std::string collected_;
  std::string pax_path_, long_name_, pending_path_;
  bool pax_size_set_ = false, pax_sparse_ = false;
  uint64_t pax_size_ = 0;
};

/// Writes the layer's tar stream to `out` from the record `split_fd` and the layer directory
/// `rootfd` (run it as the store's owner: in the user namespace when rootless).
Status reassemble_tar(int rootfd, int split_fd, ByteSink& out);

}  // namespace skiff::storage
