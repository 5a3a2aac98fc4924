#pragma once
/// 2x2 max pooling with stride 2 on NCHW float32 tensors, forward and backward.
///
/// x [batch, channels, height, width] -> y [batch, channels, height / 2, width / 2]; an odd last
/// row or column is dropped (floor), as in PyTorch's default. The forward saves, per output,
/// the index of the winning input within its [height, width] plane (int32, caller-owned, same
/// shape as y); ties go to the first element in row-major order. Single-threaded, reentrant,
/// never fails.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>

namespace ds::kernels {

struct max_pool_shape {
  std::size_t batch = 0;
  std::size_t channels = 0;
  std::size_t height = 0;
  std::size_t width = 0;
  // Derived by setup_max_pool.
  std::size_t out_height = 0;
  std::size_t out_width = 0;
};

/// The validated shape, or an invalid_argument status naming "max_pool" and the bad dimension
/// (height and width must be at least 2).
result<max_pool_shape> setup_max_pool(std::size_t batch, std::size_t channels,
                                      std::size_t height, std::size_t width);

/// y and argmax [batch, channels, out_height, out_width] from x.
void max_pool_forward(const max_pool_shape& shape, float* y, std::int32_t* argmax,
                      const float* x, backend on = dispatch(op::max_pool_forward)) noexcept;

/// dx (overwritten, zero where no output took its value) from dy and the saved argmax.
void max_pool_backward(const max_pool_shape& shape, float* dx, const float* dy,
                       const std::int32_t* argmax,
                       backend on = dispatch(op::max_pool_backward)) noexcept;

} // namespace ds::kernels
