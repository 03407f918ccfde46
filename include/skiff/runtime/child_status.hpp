#pragma once
// The result type of everything the container child runs between clone and execve.
//
// STYLE.md §3.5: after clone the child may not allocate, throw or log. The security steps
// (capabilities, rlimits, no_new_privs, seccomp) therefore report failure as a plain struct:
// an errno value and a static string naming the step, plus an optional number (the
// capability or resource concerned). The child writes it to its sync socket and _exits; the
// monitor turns it back into an ordinary Error with to_error().

#include <string>

#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// Outcome of an async-signal-safe step. `what` always points at a string literal, so the
/// struct can be copied, compared, and sent as bytes (err, detail, strlen(what), what).
struct ChildStatus {
  int err = 0;             ///< errno value; 0 means success
  const char* what = "";   ///< static text naming the failed call, e.g. "prctl(PR_CAPBSET_DROP)"
  int detail = -1;         ///< capability number / resource / syscall concerned, -1 if none

  constexpr bool ok() const noexcept { return err == 0; }
};

/// Success.
inline constexpr ChildStatus kChildOk{};

/// Builds a failure; `what` must be a string literal.
constexpr ChildStatus child_fail(int err, const char* what, int detail = -1) noexcept {
  return ChildStatus{err, what, detail};
}

/// The parent-side Error for a failed ChildStatus: "what (detail): strerror" with code err.
Error to_error(const ChildStatus& st);

}  // namespace skiff::runtime
