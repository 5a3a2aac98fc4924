#pragma once
/// Causal multi-head attention on device memory: the CUDA twin of cpu/attention.hpp (same
/// [batch, heads, seq, head_dim] layouts, saved probs with masked entries 0). Built on cuBLAS
/// strided-batched GEMMs over all batch * heads at once plus the row softmax of softmax.cu, so
/// it needs `on.blas` and follows `on.precision`. Calling convention: cuda/context.hpp.
///
/// Scratch differs from the CPU contract: the backward needs
/// `attention_backward_scratch_floats(shape)` floats of device scratch (every head's
/// [seq, seq] score gradient at once), not `shape.scratch_floats`.

#include "cpu/attention.hpp"
#include "cuda/context.hpp"

#include <cstddef>

namespace ds::kernels::cuda {

/// batch * heads * seq * seq.
std::size_t attention_backward_scratch_floats(const attention_shape& shape) noexcept;

/// out and probs from q, k, v. batch * heads must be <= 2^31-1 (one batched GEMM).
status attention_forward(const attention_shape& shape, float* out, float* probs, const float* q,
                         const float* k, const float* v, const stream_context& on);

/// dq, dk, dv (overwritten) from dout, q, k, v and the saved probs.
status attention_backward(const attention_shape& shape, float* dq, float* dk, float* dv,
                          const float* dout, const float* q, const float* k, const float* v,
                          const float* probs, float* scratch, const stream_context& on);

} // namespace ds::kernels::cuda
