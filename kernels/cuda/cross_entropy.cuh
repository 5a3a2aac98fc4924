#pragma once
/// Fused log-softmax + cross-entropy on device memory: the CUDA twin of cpu/cross_entropy.hpp
/// (same label rules: an out-of-range label makes the loss NaN and its gradient row zero).
/// `labels` is device memory too. Calling convention: cuda/context.hpp.
///
/// The forward is one block of 32 warps, one warp per row, adding the per-row terms in float64
/// in a fixed order: deterministic, and fast enough for the batch sizes of a training step
/// (it reads the logits once); the backward is one block per row.

#include "cpu/cross_entropy.hpp"
#include "cuda/context.hpp"

#include <cstdint>

namespace ds::kernels::cuda {

/// *loss (one device float) = mean cross-entropy of the batch.
status cross_entropy_forward(const cross_entropy_shape& shape, float* loss, const float* logits,
                             const std::int32_t* labels, const stream_context& on);

/// dlogits = dloss / batch * (softmax(logits) - one_hot(labels)); overwritten. `dloss` is a
/// host value.
status cross_entropy_backward(const cross_entropy_shape& shape, float* dlogits,
                              const float* logits, const std::int32_t* labels, float dloss,
                              const stream_context& on);

} // namespace ds::kernels::cuda
