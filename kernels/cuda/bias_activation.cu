#include "cuda/bias_activation.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

// The formulas of cpu/bias_activation.cpp, term for term:
// GELU(z) = 0.5 z (1 + tanh(u)), u = sqrt(2/pi) (z + 0.044715 z^3).
constexpr float gelu_c = 0.7978845608028654f;
constexpr float gelu_a = 0.044715f;

__device__ float activate(activation act, float z) {
  switch (act) {
    case activation::relu:
      return z > 0.0f ? z : 0.0f;
    case activation::gelu:
      return 0.5f * z * (1.0f + tanhf(gelu_c * (z + gelu_a * z * z * z)));
    case activation::identity:
      break;
  }
  return z;
}

__device__ float derivative(activation act, float z) {
  switch (act) {
    case activation::relu:
      return z > 0.0f ? 1.0f : 0.0f;
    case activation::gelu: {
      const float t = tanhf(gelu_c * (z + gelu_a * z * z * z));
      const float du = gelu_c * (1.0f + 3.0f * gelu_a * z * z);
      return 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * du;
    }
    case activation::identity:
      break;
  }
  return 1.0f;
}

__global__ void forward_kernel(std::size_t rows, std::size_t cols, activation act, float* y,
                               const float* x, const float* bias) {
  const std::size_t total = rows * cols;
  for (std::size_t i = global_thread(); i < total; i += grid_threads())
    y[i] = activate(act, x[i] + bias[i % cols]);
}

__global__ void gradient_kernel(std::size_t rows, std::size_t cols, activation act, float* dx,
                                const float* dy, const float* x, const float* bias) {
  const std::size_t total = rows * cols;
  for (std::size_t i = global_thread(); i < total; i += grid_threads())
    dx[i] = dy[i] * derivative(act, x[i] + bias[i % cols]);
}

// Column sums of a row-major [rows, cols] matrix. A block of 32 x 8 threads owns 32 adjacent
// columns (coalesced reads across threadIdx.x); its 8 rows of threads take every 8th row, then
// add their 8 partial sums in a fixed order.
constexpr unsigned tile_cols = 32;
constexpr unsigned tile_rows = 8;

__global__ void column_sums_kernel(std::size_t rows, std::size_t cols, float* sums,
                                   const float* matrix) {
  __shared__ float partial[tile_rows][tile_cols + 1];
  for (std::size_t first = static_cast<std::size_t>(blockIdx.x) * tile_cols; first < cols;
       first += static_cast<std::size_t>(gridDim.x) * tile_cols) {
    const std::size_t c = first + threadIdx.x;
    float sum = 0.0f;
    if (c < cols)
      for (std::size_t r = threadIdx.y; r < rows; r += tile_rows)
        sum += matrix[r * cols + c];
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
      float total = 0.0f;
      for (unsigned k = 0; k < tile_rows; ++k)
        total += partial[k][threadIdx.x];
      sums[c] = total;
    }
    __syncthreads(); // partial is rewritten by the next tile
  }
}

} // namespace

status bias_activation_forward(const bias_activation_shape& shape, float* y, const float* x,
                               const float* bias, const stream_context& on) {
  const std::size_t total = shape.rows * shape.cols;
  forward_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    shape.rows, shape.cols, shape.act, y, x, bias);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status bias_activation_backward(const bias_activation_shape& shape, float* dx, float* dbias,
                                const float* dy, const float* x, const float* bias,
                                const stream_context& on) {
  const std::size_t total = shape.rows * shape.cols;
  gradient_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    shape.rows, shape.cols, shape.act, dx, dy, x, bias);
  DS_CUDA_CHECK_LAUNCH();
  // Stream order: the sums read dx after the gradient kernel has written all of it.
  column_sums_kernel<<<blocks_for(shape.cols, tile_cols), dim3(tile_cols, tile_rows), 0,
                       on.stream>>>(shape.rows, shape.cols, dbias, dx);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
