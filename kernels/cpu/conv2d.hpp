#pragma once
/// 2-D convolution (cross-correlation, as in every DL framework) on NCHW float32 tensors,
/// forward and backward, with a square stride and symmetric zero padding.
///
/// Layouts: x [batch, in_channels, height, width]; weight [out_channels, in_channels, kernel_h,
/// kernel_w]; bias [out_channels]; y [batch, out_channels, out_height, out_width] with
/// out_height = (height + 2 padding - kernel_h) / stride + 1 (likewise out_width).
/// The `blas` backend lowers each image to a column matrix (im2col) and runs one GEMM; it needs
/// `scratch_floats` floats of caller-owned scratch per call (one image's columns), so two
/// threads need two scratch buffers. The reference is a direct loop nest, independent of GEMM,
/// and ignores scratch. Run functions never fail; OpenBLAS may use several threads.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct conv2d_shape {
  std::size_t batch = 0;
  std::size_t in_channels = 0;
  std::size_t height = 0;
  std::size_t width = 0;
  std::size_t out_channels = 0;
  std::size_t kernel_h = 0;
  std::size_t kernel_w = 0;
  std::size_t stride = 1;
  std::size_t padding = 0;
  // Derived by setup_conv2d.
  std::size_t out_height = 0;
  std::size_t out_width = 0;
  std::size_t scratch_floats = 0;
};

/// Validates the fields above the "derived" line and returns the shape with the derived ones
/// filled in, or an invalid_argument status naming "conv2d" and the bad dimension.
result<conv2d_shape> setup_conv2d(const conv2d_shape& shape);

/// y = conv(x, weight) + bias; `bias` may be null (no bias).
void conv2d_forward(const conv2d_shape& shape, float* y, const float* x, const float* weight,
                    const float* bias, float* scratch,
                    backend on = dispatch(op::conv2d_forward)) noexcept;

/// dx, dweight and dbias (each overwritten; `dbias` may be null) from dy, x and weight.
void conv2d_backward(const conv2d_shape& shape, float* dx, float* dweight, float* dbias,
                     const float* dy, const float* x, const float* weight, float* scratch,
                     backend on = dispatch(op::conv2d_backward)) noexcept;

} // namespace ds::kernels
