//===- runtime/Status.h - errors of the runtime -----------------*- C++ -*-===//
//
// The runtime links neither LLVM nor MLIR, so it carries its own small error
// types: an Error is success or a message meant for the user; an Expected<T>
// is a T or such an Error.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_STATUS_H
#define DLC_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace dlc::rt {

/// Success, or a failure with a message ("x.ckpt: truncated: ...").
class [[nodiscard]] Error {
public:
  static Error success() { return Error(); }
  static Error failure(std::string message) {
    Error e;
    e.message_ = std::move(message);
    return e;
  }

  bool failed() const { return message_.has_value(); }
  bool succeeded() const { return !failed(); }
  /// The message of a failure; empty on success.
  const std::string &message() const {
    static const std::string none;
    return message_ ? *message_ : none;
  }

private:
  Error() = default;
  std::optional<std::string> message_;
};

/// A value of type T, or the Error that prevented it.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(const T &value) : value_(value) {}
  Expected(T &&value) : value_(std::move(value)) {}
  /// From a failure; an Error that succeeded is a programming error.
  Expected(Error error) : error_(std::move(error)) {
    assert(error_.failed() && "Expected built from a success");
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }

  /// The failure (success when there is a value).
  const Error &error() const { return error_; }
  const std::string &message() const { return error_.message(); }

private:
  std::optional<T> value_;
  Error error_ = Error::success();
};

} // namespace dlc::rt

#endif // DLC_RUNTIME_STATUS_H
