#pragma once
/// What a kernel setup function returns: the validated shape (or step), or the `ds::status`
/// saying which field of which op broke which rule. Kernels throw nothing at their interface;
/// the layer above converts a failed result at its seam (`src/nn/kernel_check.hpp`).

#include "status.hpp"

#include <cassert>
#include <utility>

namespace ds::kernels {

template <class T>
class [[nodiscard]] result {
public:
  /// Success.
  result(T value) : value_(std::move(value)) {}
  /// Failure; `error` must not be ok.
  result(status error) : error_(std::move(error)) { assert(!error_.is_ok()); }

  bool ok() const noexcept { return error_.is_ok(); }
  explicit operator bool() const noexcept { return ok(); }
  /// The validated value; only valid when ok().
  const T& value() const noexcept {
    assert(ok());
    return value_;
  }
  /// ok() on success, else errc::invalid_argument with a message such as
  /// "conv2d: stride must be > 0 (got 0)".
  const status& error() const noexcept { return error_; }

private:
  T value_{};
  status error_;
};

} // namespace ds::kernels
