#pragma once
/// The one way kernel setup functions reject a shape: a `ds::status` with
/// `errc::invalid_argument` whose message names the op, the offending dimension, the rule it
/// broke and the value it had, e.g. "conv2d: kernel_h must be <= height + 2 * padding (got 9)".

#include "status.hpp"

#include <string_view>

namespace ds::kernels {

/// Checks the rules of one op's setup in order and keeps the first one broken:
///
///   shape_check check{"gemm"};
///   check.require(m > 0, "m", "> 0", m);
///   if (check.failed()) return check.error();
///
/// Rules after a broken one are not reported. One object per call; thread-safe otherwise.
class shape_check {
public:
  explicit shape_check(std::string_view op_name) noexcept : op_name_(op_name) {}

  /// Records the rule as broken unless `ok` or an earlier rule already failed.
  void require(bool ok, std::string_view dimension, std::string_view rule, double value);

  bool failed() const noexcept { return !error_.is_ok(); }
  /// The first broken rule, or ok.
  const status& error() const noexcept { return error_; }

private:
  std::string_view op_name_;
  status error_;
};

} // namespace ds::kernels
