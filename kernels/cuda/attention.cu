#include "cuda/attention.cuh"

#include "cuda/gemm.cuh"
#include "cuda/launch.cuh"
#include "cuda/softmax.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

// The softmax backward over causal rows, in place on dP:
// dS_ij = P_ij (dP_ij - sum_{l<=i} P_il dP_il) for j <= i, 0 for j > i.
// Row r of the [batch * heads * seq, seq] matrices is query position i = r % seq. Each entry is
// read and written by the same thread; the reduction separates the two passes.
__global__ void score_gradient_kernel(std::size_t rows, std::size_t seq, float* dscores,
                                      const float* probs) {
  for (std::size_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const std::size_t kept = r % seq + 1;
    const float* p = probs + r * seq;
    float* d = dscores + r * seq;
    float weighted = 0.0f;
    for (std::size_t j = threadIdx.x; j < kept; j += blockDim.x)
      weighted += p[j] * d[j];
    weighted = block_reduce(weighted, sum_op{}, 0.0f);
    for (std::size_t j = threadIdx.x; j < seq; j += blockDim.x)
      d[j] = j < kept ? p[j] * (d[j] - weighted) : 0.0f;
  }
}

} // namespace

std::size_t attention_backward_scratch_floats(const attention_shape& shape) noexcept {
  return shape.batch * shape.heads * shape.seq * shape.seq;
}

status attention_forward(const attention_shape& s, float* out, float* probs, const float* q,
                         const float* k, const float* v, const stream_context& on) {
  const std::size_t heads = s.batch * s.heads;
  const std::size_t block = s.seq * s.head_dim; // one head's q, k, v or out
  const std::size_t square = s.seq * s.seq;     // one head's probs
  // probs = scale q k^T, then the causal softmax in place, then out = probs v.
  if (auto failed = gemm_strided_batched({false, true, s.seq, s.seq, s.head_dim}, heads, probs,
                                         square, q, block, k, block, s.scale, 0.0f, on);
      !failed.is_ok())
    return failed;
  if (auto failed = softmax_rows(heads * s.seq, s.seq, s.seq, probs, probs, on.stream);
      !failed.is_ok())
    return failed;
  return gemm_strided_batched({false, false, s.seq, s.head_dim, s.seq}, heads, out, block, probs,
                              square, v, block, 1.0f, 0.0f, on);
}

status attention_backward(const attention_shape& s, float* dq, float* dk, float* dv,
                          const float* dout, const float* q, const float* k, const float* v,
                          const float* probs, float* scratch, const stream_context& on) {
  const std::size_t heads = s.batch * s.heads;
  const std::size_t block = s.seq * s.head_dim;
  const std::size_t square = s.seq * s.seq;
  // dV = P^T dO
  if (auto failed = gemm_strided_batched({true, false, s.seq, s.head_dim, s.seq}, heads, dv,
                                         block, probs, square, dout, block, 1.0f, 0.0f, on);
      !failed.is_ok())
    return failed;
  // dP = dO V^T, into scratch; then dS in place.
  if (auto failed = gemm_strided_batched({false, true, s.seq, s.seq, s.head_dim}, heads, scratch,
                                         square, dout, block, v, block, 1.0f, 0.0f, on);
      !failed.is_ok())
    return failed;
  score_gradient_kernel<<<blocks_for(heads * s.seq, 1), row_threads, 0, on.stream>>>(
    heads * s.seq, s.seq, scratch, probs);
  DS_CUDA_CHECK_LAUNCH();
  // dQ = scale dS K, dK = scale dS^T Q
  if (auto failed = gemm_strided_batched({false, false, s.seq, s.head_dim, s.seq}, heads, dq,
                                         block, scratch, square, k, block, s.scale, 0.0f, on);
      !failed.is_ok())
    return failed;
  return gemm_strided_batched({true, false, s.seq, s.head_dim, s.seq}, heads, dk, block, scratch,
                              square, q, block, s.scale, 0.0f, on);
}

} // namespace ds::kernels::cuda
