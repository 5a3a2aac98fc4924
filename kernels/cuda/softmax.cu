#include "cuda/softmax.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

// Each column of a row is handled by the same thread in all three passes, and the reductions
// synchronize the block between passes, so y may alias x.
__global__ void softmax_kernel(std::size_t rows, std::size_t cols, std::size_t causal_period,
                               float* y, const float* x) {
  for (std::size_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const std::size_t kept = causal_period > 0 ? r % causal_period + 1 : cols;
    float max = -INFINITY;
    for (std::size_t c = threadIdx.x; c < kept; c += blockDim.x)
      max = fmaxf(max, xr[c]);
    max = block_reduce(max, max_op{}, -INFINITY);
    float sum = 0.0f;
    for (std::size_t c = threadIdx.x; c < kept; c += blockDim.x) {
      const float e = expf(xr[c] - max);
      yr[c] = e;
      sum += e;
    }
    sum = block_reduce(sum, sum_op{}, 0.0f);
    const float inv = 1.0f / sum;
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x)
      yr[c] = c < kept ? yr[c] * inv : 0.0f;
  }
}

} // namespace

status softmax_rows(std::size_t rows, std::size_t cols, std::size_t causal_period, float* y,
                    const float* x, cudaStream_t stream) {
  softmax_kernel<<<blocks_for(rows, 1), row_threads, 0, stream>>>(rows, cols, causal_period, y,
                                                                   x);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status softmax_forward(const softmax_shape& shape, float* y, const float* x,
                       const stream_context& on) {
  return softmax_rows(shape.rows, shape.cols, 0, y, x, on.stream);
}

} // namespace ds::kernels::cuda
