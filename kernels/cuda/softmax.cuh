#pragma once
/// Row-wise softmax on device memory: the CUDA twin of cpu/softmax.hpp. Calling convention:
/// cuda/context.hpp. `x` and `y` may alias. One block per row; deterministic.

#include "cpu/softmax.hpp"
#include "cuda/context.hpp"

#include <cstddef>

namespace ds::kernels::cuda {

status softmax_forward(const softmax_shape& shape, float* y, const float* x,
                       const stream_context& on);

/// The kernel behind softmax_forward, with attention's causal mask: when `causal_period` > 0,
/// row r keeps its first (r % causal_period) + 1 entries and the rest of its row is written
/// as 0 (rows of [batch * heads * seq, seq] scores, causal_period = seq). `x` and `y` may alias.
status softmax_rows(std::size_t rows, std::size_t cols, std::size_t causal_period, float* y,
                    const float* x, cudaStream_t stream);

} // namespace ds::kernels::cuda
