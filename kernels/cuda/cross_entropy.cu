#include "cuda/cross_entropy.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

constexpr unsigned loss_threads = 1024; // 32 warps, one row each at a time

__device__ bool valid_label(std::int32_t label, std::size_t classes) {
  return label >= 0 && static_cast<std::size_t>(label) < classes;
}

// Launched with exactly one block. Every lane of a warp reads the same label, so the branch
// on it is uniform and the warp reductions always see all 32 lanes.
__global__ void loss_kernel(std::size_t batch, std::size_t classes, float* loss,
                            const float* logits, const std::int32_t* labels) {
  __shared__ double warp_totals[loss_threads / 32];
  __shared__ int warp_invalid[loss_threads / 32];
  const unsigned lane = threadIdx.x % 32u;
  const unsigned warp = threadIdx.x / 32u;
  const unsigned warps = blockDim.x / 32u;
  double total = 0.0;
  int invalid = 0;
  for (std::size_t r = warp; r < batch; r += warps) {
    const std::int32_t label = labels[r];
    if (!valid_label(label, classes)) {
      invalid = 1;
      continue;
    }
    const float* row = logits + r * classes;
    float max = -INFINITY;
    for (std::size_t c = lane; c < classes; c += 32)
      max = fmaxf(max, row[c]);
    max = warp_reduce(max, max_op{});
    float sum = 0.0f;
    for (std::size_t c = lane; c < classes; c += 32)
      sum += expf(row[c] - max);
    sum = warp_reduce(sum, sum_op{});
    total += static_cast<double>(max) + log(static_cast<double>(sum)) - row[label];
  }
  if (lane == 0) {
    warp_totals[warp] = total;
    warp_invalid[warp] = invalid;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double sum = 0.0;
    int any_invalid = 0;
    for (unsigned w = 0; w < warps; ++w) {
      sum += warp_totals[w];
      any_invalid |= warp_invalid[w];
    }
    *loss = any_invalid ? NAN : static_cast<float>(sum / static_cast<double>(batch));
  }
}

__global__ void gradient_kernel(std::size_t batch, std::size_t classes, float scale,
                                float* dlogits, const float* logits,
                                const std::int32_t* labels) {
  for (std::size_t r = blockIdx.x; r < batch; r += gridDim.x) {
    const float* row = logits + r * classes;
    float* grad = dlogits + r * classes;
    const std::int32_t label = labels[r];
    if (!valid_label(label, classes)) { // uniform over the block: no reduction is skipped
      for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x)
        grad[c] = 0.0f;
      continue;
    }
    float max = -INFINITY;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x)
      max = fmaxf(max, row[c]);
    max = block_reduce(max, max_op{}, -INFINITY);
    float sum = 0.0f;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x)
      sum += expf(row[c] - max);
    sum = block_reduce(sum, sum_op{}, 0.0f);
    const float factor = scale / sum;
    for (std::size_t c = threadIdx.x; c < classes; c += blockDim.x) {
      const float g = factor * expf(row[c] - max);
      grad[c] = c == static_cast<std::size_t>(label) ? g - scale : g;
    }
  }
}

} // namespace

status cross_entropy_forward(const cross_entropy_shape& shape, float* loss, const float* logits,
                             const std::int32_t* labels, const stream_context& on) {
  loss_kernel<<<1, loss_threads, 0, on.stream>>>(shape.batch, shape.classes, loss, logits,
                                                 labels);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status cross_entropy_backward(const cross_entropy_shape& shape, float* dlogits,
                              const float* logits, const std::int32_t* labels, float dloss,
                              const stream_context& on) {
  const float scale = dloss / static_cast<float>(shape.batch);
  gradient_kernel<<<blocks_for(shape.batch, 1), row_threads, 0, on.stream>>>(
    shape.batch, shape.classes, scale, dlogits, logits, labels);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
