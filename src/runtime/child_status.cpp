#include "skiff/runtime/child_status.hpp"

#include <fmt/format.h>

namespace skiff::runtime {

Error to_error(const ChildStatus& st) {
  std::string what = st.what ? st.what : "container setup";
  if (st.detail >= 0) what = fmt::format("{} ({})", what, st.detail);
  return errno_error(what, st.err);
}

}  // namespace skiff::runtime
