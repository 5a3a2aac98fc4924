#include "cuda/max_pool.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

__global__ void forward_kernel(std::size_t planes, std::size_t height, std::size_t width,
                               std::size_t out_height, std::size_t out_width, float* y,
                               std::int32_t* argmax, const float* x) {
  const std::size_t out_plane = out_height * out_width;
  const std::size_t total = planes * out_plane;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::size_t plane = i / out_plane;
    const std::size_t p = i % out_plane / out_width;
    const std::size_t q = i % out_width;
    const float* xp = x + plane * height * width;
    // The candidates in cpu/max_pool.cpp's order; only a strictly larger one wins.
    std::size_t best = 2 * p * width + 2 * q;
    const std::size_t candidates[3] = {best + 1, best + width, best + width + 1};
    for (std::size_t candidate : candidates)
      if (xp[candidate] > xp[best])
        best = candidate;
    y[i] = xp[best];
    argmax[i] = static_cast<std::int32_t>(best);
  }
}

// dx[plane, h, w] = dy of the window containing (h, w) if that window's argmax is (h, w).
// Rows and columns dropped by the floor rule belong to no window and get 0.
__global__ void backward_kernel(std::size_t planes, std::size_t height, std::size_t width,
                                std::size_t out_height, std::size_t out_width, float* dx,
                                const float* dy, const std::int32_t* argmax) {
  const std::size_t in_plane = height * width;
  const std::size_t total = planes * in_plane;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::size_t plane = i / in_plane;
    const std::size_t at = i % in_plane;
    const std::size_t p = at / width / 2;
    const std::size_t q = at % width / 2;
    float grad = 0.0f;
    if (p < out_height && q < out_width) {
      const std::size_t out = plane * out_height * out_width + p * out_width + q;
      if (static_cast<std::size_t>(argmax[out]) == at)
        grad = dy[out];
    }
    dx[i] = grad;
  }
}

} // namespace

status max_pool_forward(const max_pool_shape& s, float* y, std::int32_t* argmax, const float* x,
                        const stream_context& on) {
  const std::size_t total = s.batch * s.channels * s.out_height * s.out_width;
  forward_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    s.batch * s.channels, s.height, s.width, s.out_height, s.out_width, y, argmax, x);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status max_pool_backward(const max_pool_shape& s, float* dx, const float* dy,
                         const std::int32_t* argmax, const stream_context& on) {
  const std::size_t total = s.batch * s.channels * s.height * s.width;
  backward_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    s.batch * s.channels, s.height, s.width, s.out_height, s.out_width, dx, dy, argmax);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
