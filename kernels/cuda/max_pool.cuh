#pragma once
/// 2x2 / stride 2 max pooling on device memory: the CUDA twin of cpu/max_pool.hpp (same
/// floor rule, same tie-break to the first element in row-major order, same int32 argmax
/// within the plane, device memory too). The backward is a gather, one thread per input
/// element, so it overwrites dx without a separate clear. Calling convention: cuda/context.hpp.

#include "cpu/max_pool.hpp"
#include "cuda/context.hpp"

#include <cstdint>

namespace ds::kernels::cuda {

status max_pool_forward(const max_pool_shape& shape, float* y, std::int32_t* argmax,
                        const float* x, const stream_context& on);

/// dx (overwritten, zero where no output took its value) from dy and the saved argmax.
status max_pool_backward(const max_pool_shape& shape, float* dx, const float* dy,
                         const std::int32_t* argmax, const stream_context& on);

} // namespace ds::kernels::cuda
