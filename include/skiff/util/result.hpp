#pragma once
// Result<T> and Error: skiff's one error convention (see DEVELOPERS.md "Errors").
//
// Expected failures travel as values; context is prepended on the way up ("pull x: fetch blob
// sha256:…: connection refused"). Only src/cli prints an Error and picks the exit status.
// The interface is a subset of std::expected so it can become one later.

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace skiff {

/// Error classes beyond errno values. The CLI maps them to exit statuses (125 unless noted).
enum Errc : int {
  kErrFirst = 4096,
  kNotFound,        ///< no such container / image / volume / object
  kConflict,        ///< name in use, container running, image in use
  kInvalid,         ///< bad user input (flag value, reference, Dockerfile…)
  kUnsupported,     ///< valid but not supported (schema1 manifest, …)
  kAuth,            ///< registry refused credentials
  kNetwork,         ///< registry unreachable, timeout, TLS failure
  kCorrupt,         ///< digest mismatch, torn record
  kCannotInvoke,    ///< container command found but not executable (exit 126)
  kCommandNotFound, ///< container command not found (exit 127)
  kUsage,           ///< command-line usage error (prints the usage hint)
  kInterrupted,     ///< stopped by a signal (Ctrl-C)
  kPartial,         ///< some items of a multi-item command failed (already reported)
};

/// A failure: an errno value or an Errc, and a lowercase message with its context chain.
struct Error {
  int code = 0;
  std::string msg;
};

/// Makes an Error; `msg` should name the object and say what failed.
inline Error make_error(int code, std::string msg) { return Error{code, std::move(msg)}; }

/// An Error from errno with "context: strerror" as the message.
Error errno_error(std::string_view context, int err = errno);

/// Prepends "context: " to the message, keeping the code.
inline Error wrap(Error e, std::string_view context) {
  e.msg = fmt::format("{}: {}", context, e.msg);
  return e;
}

/// Tag for constructing a failed Result: `return fail(kInvalid, "bad thing")`.
struct Failure {
  Error error;
};
inline Failure fail(Error e) { return Failure{std::move(e)}; }
inline Failure fail(int code, std::string msg) { return Failure{Error{code, std::move(msg)}}; }
inline Failure fail_errno(std::string_view context, int err = errno) {
  return Failure{errno_error(context, err)};
}

/// Either a T or an Error. Mark every function returning it [[nodiscard]] via the class.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Failure> && !std::is_same_v<std::decay_t<U>, Error>)
  Result(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }
  T value_or(T dflt) const& { return has_value() ? value() : std::move(dflt); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : err_(std::move(f.error)), ok_(false) {}
  Result(Error e) : err_(std::move(e)), ok_(false) {}
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {}
  const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status ok() { return {}; }

}  // namespace skiff

/// Evaluates a Result expression; on failure returns its Error from the enclosing function,
/// otherwise yields the value. GNU statement expression (g++ and clang support it).
#define TRY(expr)                                               \
  ({                                                            \
    auto&& skiff_try_r_ = (expr);                               \
    if (!skiff_try_r_) return ::skiff::fail(std::move(skiff_try_r_).error()); \
    std::move(skiff_try_r_).value();                            \
  })

/// Like TRY, but prepends a context (a fmt format string and arguments) to the error.
#define TRY_CTX(expr, ...)                                                                  \
  ({                                                                                        \
    auto&& skiff_try_r_ = (expr);                                                           \
    if (!skiff_try_r_)                                                                      \
      return ::skiff::fail(::skiff::wrap(std::move(skiff_try_r_).error(), fmt::format(__VA_ARGS__))); \
    std::move(skiff_try_r_).value();                                                        \
  })
