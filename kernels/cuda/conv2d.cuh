#pragma once
/// 2-D convolution on device memory: the CUDA twin of cpu/conv2d.hpp (NCHW, square stride,
/// symmetric zero padding, the same validated `conv2d_shape`). Per image: im2col into scratch,
/// one cuBLAS GEMM; so it needs `on.blas`, follows `on.precision`, and needs
/// `shape.scratch_floats` floats of device scratch, as the CPU blas backend does. Images run
/// one after another on `on.stream`, which is what lets them share the scratch.
/// The backward gathers each input pixel's gradient (no atomics): deterministic.
/// Calling convention: cuda/context.hpp.

#include "cpu/conv2d.hpp"
#include "cuda/context.hpp"

namespace ds::kernels::cuda {

/// y = conv(x, weight) + bias; `bias` may be null.
status conv2d_forward(const conv2d_shape& shape, float* y, const float* x, const float* weight,
                      const float* bias, float* scratch, const stream_context& on);

/// dx, dweight and dbias (each overwritten; `dbias` may be null) from dy, x and weight.
status conv2d_backward(const conv2d_shape& shape, float* dx, float* dweight, float* dbias,
                       const float* dy, const float* x, const float* weight, float* scratch,
                       const stream_context& on);

} // namespace ds::kernels::cuda
