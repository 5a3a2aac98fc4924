#include "cuda/layer_norm.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

__global__ void forward_kernel(std::size_t rows, std::size_t cols, float epsilon, float* y,
                               float* mean, float* rstd, const float* x, const float* gamma,
                               const float* beta) {
  const float inv_n = 1.0f / static_cast<float>(cols);
  for (std::size_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float sum = 0.0f;
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x)
      sum += xr[c];
    const float mu = block_reduce(sum, sum_op{}, 0.0f) * inv_n;
    float sq = 0.0f;
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x) {
      const float d = xr[c] - mu;
      sq += d * d;
    }
    sq = block_reduce(sq, sum_op{}, 0.0f);
    const float rs = 1.0f / sqrtf(sq * inv_n + epsilon);
    if (threadIdx.x == 0) {
      mean[r] = mu;
      rstd[r] = rs;
    }
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x)
      yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
  }
}

// dgamma[c] = sum_r dy * xhat, dbeta[c] = sum_r dy: 32 columns per block of 32 x 8 threads,
// as in bias_activation.cu's column sums.
constexpr unsigned tile_cols = 32;
constexpr unsigned tile_rows = 8;

__global__ void parameter_gradient_kernel(std::size_t rows, std::size_t cols, float* dgamma,
                                          float* dbeta, const float* dy, const float* x,
                                          const float* mean, const float* rstd) {
  __shared__ float gamma_partial[tile_rows][tile_cols + 1];
  __shared__ float beta_partial[tile_rows][tile_cols + 1];
  for (std::size_t first = static_cast<std::size_t>(blockIdx.x) * tile_cols; first < cols;
       first += static_cast<std::size_t>(gridDim.x) * tile_cols) {
    const std::size_t c = first + threadIdx.x;
    float dg = 0.0f;
    float db = 0.0f;
    if (c < cols)
      for (std::size_t r = threadIdx.y; r < rows; r += tile_rows) {
        const std::size_t i = r * cols + c;
        const float xhat = (x[i] - mean[r]) * rstd[r];
        dg += dy[i] * xhat;
        db += dy[i];
      }
    gamma_partial[threadIdx.y][threadIdx.x] = dg;
    beta_partial[threadIdx.y][threadIdx.x] = db;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
      float total_g = 0.0f;
      float total_b = 0.0f;
      for (unsigned k = 0; k < tile_rows; ++k) {
        total_g += gamma_partial[k][threadIdx.x];
        total_b += beta_partial[k][threadIdx.x];
      }
      dgamma[c] = total_g;
      dbeta[c] = total_b;
    }
    __syncthreads(); // the partials are rewritten by the next tile
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma (cpu/layer_norm.cpp).
__global__ void input_gradient_kernel(std::size_t rows, std::size_t cols, float* dx,
                                      const float* dy, const float* x, const float* mean,
                                      const float* rstd, const float* gamma) {
  const float inv_n = 1.0f / static_cast<float>(cols);
  for (std::size_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const std::size_t row = r * cols;
    const float mu = mean[r];
    const float rs = rstd[r];
    float sum_g = 0.0f;
    float sum_g_xhat = 0.0f;
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x) {
      const float xhat = (x[row + c] - mu) * rs;
      const float g = dy[row + c] * gamma[c];
      sum_g += g;
      sum_g_xhat += g * xhat;
    }
    const float mean_g = block_reduce(sum_g, sum_op{}, 0.0f) * inv_n;
    const float mean_g_xhat = block_reduce(sum_g_xhat, sum_op{}, 0.0f) * inv_n;
    for (std::size_t c = threadIdx.x; c < cols; c += blockDim.x) {
      const float xhat = (x[row + c] - mu) * rs;
      dx[row + c] = rs * (dy[row + c] * gamma[c] - mean_g - xhat * mean_g_xhat);
    }
  }
}

} // namespace

status layer_norm_forward(const layer_norm_shape& shape, float* y, float* mean, float* rstd,
                          const float* x, const float* gamma, const float* beta,
                          const stream_context& on) {
  forward_kernel<<<blocks_for(shape.rows, 1), row_threads, 0, on.stream>>>(
    shape.rows, shape.cols, shape.epsilon, y, mean, rstd, x, gamma, beta);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status layer_norm_backward(const layer_norm_shape& shape, float* dx, float* dgamma,
                           float* dbeta, const float* dy, const float* x, const float* mean,
                           const float* rstd, const float* gamma, const stream_context& on) {
  // The parameter gradients first: they read dy, which a caller may let dx overwrite.
  parameter_gradient_kernel<<<blocks_for(shape.cols, tile_cols), dim3(tile_cols, tile_rows), 0,
                              on.stream>>>(shape.rows, shape.cols, dgamma, dbeta, dy, x, mean,
                                           rstd);
  DS_CUDA_CHECK_LAUNCH();
  input_gradient_kernel<<<blocks_for(shape.rows, 1), row_threads, 0, on.stream>>>(
    shape.rows, shape.cols, dx, dy, x, mean, rstd, gamma);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
