#pragma once
/// Row-wise softmax over a row-major [rows, cols] matrix: `y[r,:] = exp(x[r,:] - max) / sum`.
///
/// Subtracting the row maximum keeps exp() in range for any finite logits, and a row of -inf
/// except one finite entry gives a one-hot row. Single-threaded, reentrant, never fails;
/// `x` and `y` may alias.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct softmax_shape {
  std::size_t rows = 0;
  std::size_t cols = 0;
};

/// The validated shape, or an invalid_argument status naming "softmax_forward" and the zero
/// dimension.
result<softmax_shape> setup_softmax(std::size_t rows, std::size_t cols);

void softmax_forward(const softmax_shape& shape, float* y, const float* x,
                     backend on = dispatch(op::softmax_forward)) noexcept;

} // namespace ds::kernels
