#pragma once
/// The seam between the kernels' error vocabulary and nn's: kernel setup functions return a
/// `kernels::result` (a validated shape, or a `ds::status`), and nn reports a bad shape or
/// hyperparameter as `std::invalid_argument` carrying the kernel's message unchanged, e.g.
/// "gemm: n must be > 0 (got 0)". Every nn call to a `kernels::setup_*` goes through here.

#include "result.hpp"

#include <stdexcept>
#include <utility>

namespace ds::nn {

/// The validated value of `setup`; throws std::invalid_argument with the status message if the
/// kernel rejected it. Returns by value: `setup` is usually a temporary.
template <class T>
T checked(const kernels::result<T>& setup) {
  if (!setup.ok())
    throw std::invalid_argument(setup.error().message());
  return setup.value();
}

} // namespace ds::nn
