#pragma once
/// Causal multi-head scaled dot-product attention, forward and backward.
///
/// Layout: q, k, v, out and their gradients are [batch, heads, seq, head_dim] row-major, so each
/// head's [seq, head_dim] block is contiguous and feeds a GEMM without strides; a model whose
/// QKV projection yields [batch, seq, heads * head_dim] permutes once before calling.
/// out = softmax(scale * q k^T + causal_mask) v, scale = 1 / sqrt(head_dim); position i attends
/// to positions 0..i. The forward saves the probabilities `probs` [batch, heads, seq, seq]
/// (caller-owned; masked entries are 0) for the backward, which recomputes nothing.
/// The `blas` backend's backward needs `scratch_floats` floats of caller-owned scratch; the
/// reference is a direct loop nest independent of GEMM and ignores scratch. Run functions never
/// fail and are reentrant given separate scratch; OpenBLAS may use several threads.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct attention_shape {
  std::size_t batch = 0;
  std::size_t heads = 0;
  std::size_t seq = 0;
  std::size_t head_dim = 0;
  // Derived by setup_attention.
  float scale = 0.0f;
  std::size_t scratch_floats = 0;
};

/// The validated shape, or an invalid_argument status naming "attention" and the bad dimension.
result<attention_shape> setup_attention(std::size_t batch, std::size_t heads, std::size_t seq,
                                        std::size_t head_dim);

/// out and probs from q, k, v.
void attention_forward(const attention_shape& shape, float* out, float* probs, const float* q,
                       const float* k, const float* v,
                       backend on = dispatch(op::attention_forward)) noexcept;

/// dq, dk, dv (overwritten) from dout, q, k, v and the saved probs.
void attention_backward(const attention_shape& shape, float* dq, float* dk, float* dv,
                        const float* dout, const float* q, const float* k, const float* v,
                        const float* probs, float* scratch,
                        backend on = dispatch(op::attention_backward)) noexcept;

} // namespace ds::kernels
