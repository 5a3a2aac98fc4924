#include "cuda/conv2d.cuh"

#include "cuda/gemm.cuh"
#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

// The sizes a kernel needs, passed by value (conv2d_shape itself is host-side).
struct geometry {
  std::size_t channels;
  std::size_t height;
  std::size_t width;
  std::size_t kernel_h;
  std::size_t kernel_w;
  std::size_t stride;
  std::size_t padding;
  std::size_t out_height;
  std::size_t out_width;
};

geometry geometry_of(const conv2d_shape& s) {
  return {s.in_channels, s.height,    s.width,      s.kernel_h,  s.kernel_w,
          s.stride,      s.padding,   s.out_height, s.out_width};
}

// col[(c, r, t), (p, q)] = image[c, p*stride - pad + r, q*stride - pad + t], 0 in the padding
// (cpu/conv2d.cpp's im2col). One thread per column entry.
__global__ void im2col_kernel(geometry g, float* col, const float* image) {
  const std::size_t plane = g.out_height * g.out_width;
  const std::size_t total = g.channels * g.kernel_h * g.kernel_w * plane;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::size_t row = i / plane;
    const std::size_t at = i % plane;
    const std::size_t c = row / (g.kernel_h * g.kernel_w);
    const std::size_t r = row / g.kernel_w % g.kernel_h;
    const std::size_t t = row % g.kernel_w;
    const std::size_t padded_h = at / g.out_width * g.stride + r;
    const std::size_t padded_w = at % g.out_width * g.stride + t;
    const bool inside = padded_h >= g.padding && padded_h - g.padding < g.height
                        && padded_w >= g.padding && padded_w - g.padding < g.width;
    col[i] = inside
               ? image[(c * g.height + (padded_h - g.padding)) * g.width + (padded_w - g.padding)]
               : 0.0f;
  }
}

// The adjoint of im2col as a gather: each input pixel sums the column entries that read it,
// in (r, t) order, and overwrites its gradient. Output row p reads input row h through tap r
// when p * stride + r == h + pad.
__global__ void col2im_kernel(geometry g, float* image, const float* col) {
  const std::size_t plane = g.out_height * g.out_width;
  const std::size_t total = g.channels * g.height * g.width;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::size_t c = i / (g.height * g.width);
    const std::size_t h = i / g.width % g.height;
    const std::size_t w = i % g.width;
    float sum = 0.0f;
    for (std::size_t r = 0; r < g.kernel_h; ++r) {
      const std::size_t padded_h = h + g.padding;
      if (padded_h < r || (padded_h - r) % g.stride != 0)
        continue;
      const std::size_t p = (padded_h - r) / g.stride;
      if (p >= g.out_height)
        continue;
      for (std::size_t t = 0; t < g.kernel_w; ++t) {
        const std::size_t padded_w = w + g.padding;
        if (padded_w < t || (padded_w - t) % g.stride != 0)
          continue;
        const std::size_t q = (padded_w - t) / g.stride;
        if (q >= g.out_width)
          continue;
        sum += col[((c * g.kernel_h + r) * g.kernel_w + t) * plane + p * g.out_width + q];
      }
    }
    image[i] = sum;
  }
}

// y[n, k, :] += bias[k] over the whole batch.
__global__ void add_bias_kernel(std::size_t batch, std::size_t channels, std::size_t plane,
                                float* y, const float* bias) {
  const std::size_t total = batch * channels * plane;
  for (std::size_t i = global_thread(); i < total; i += grid_threads())
    y[i] += bias[i / plane % channels];
}

// dbias[k] = sum over images and positions of dy[n, k, :]: one block per channel.
__global__ void bias_gradient_kernel(std::size_t batch, std::size_t channels, std::size_t plane,
                                     float* dbias, const float* dy) {
  for (std::size_t k = blockIdx.x; k < channels; k += gridDim.x) {
    float sum = 0.0f;
    for (std::size_t i = threadIdx.x; i < batch * plane; i += blockDim.x)
      sum += dy[(i / plane * channels + k) * plane + i % plane];
    sum = block_reduce(sum, sum_op{}, 0.0f);
    if (threadIdx.x == 0)
      dbias[k] = sum;
  }
}

} // namespace

status conv2d_forward(const conv2d_shape& s, float* y, const float* x, const float* weight,
                      const float* bias, float* scratch, const stream_context& on) {
  const geometry g = geometry_of(s);
  const std::size_t patch = s.in_channels * s.kernel_h * s.kernel_w;
  const std::size_t plane = s.out_height * s.out_width;
  const std::size_t image = s.in_channels * s.height * s.width;
  const gemm_shape product{false, false, s.out_channels, plane, patch}; // W[K,patch] col
  for (std::size_t n = 0; n < s.batch; ++n) {
    im2col_kernel<<<blocks_for(patch * plane, elementwise_threads), elementwise_threads, 0,
                    on.stream>>>(g, scratch, x + n * image);
    DS_CUDA_CHECK_LAUNCH();
    if (auto failed = gemm(product, y + n * s.out_channels * plane, weight, scratch, 1.0f, 0.0f,
                           on);
        !failed.is_ok())
      return failed;
  }
  if (bias != nullptr) {
    const std::size_t total = s.batch * s.out_channels * plane;
    add_bias_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0,
                      on.stream>>>(s.batch, s.out_channels, plane, y, bias);
    DS_CUDA_CHECK_LAUNCH();
  }
  return status::ok();
}

status conv2d_backward(const conv2d_shape& s, float* dx, float* dweight, float* dbias,
                       const float* dy, const float* x, const float* weight, float* scratch,
                       const stream_context& on) {
  const geometry g = geometry_of(s);
  const std::size_t patch = s.in_channels * s.kernel_h * s.kernel_w;
  const std::size_t plane = s.out_height * s.out_width;
  const std::size_t image = s.in_channels * s.height * s.width;
  // dW[K, patch] (+)= dY_n[K, plane] col_n^T; dcol[patch, plane] = W^T dY_n.
  const gemm_shape weight_grad{false, true, s.out_channels, patch, plane};
  const gemm_shape column_grad{true, false, patch, plane, s.out_channels};
  for (std::size_t n = 0; n < s.batch; ++n) {
    const float* dyn = dy + n * s.out_channels * plane;
    im2col_kernel<<<blocks_for(patch * plane, elementwise_threads), elementwise_threads, 0,
                    on.stream>>>(g, scratch, x + n * image);
    DS_CUDA_CHECK_LAUNCH();
    if (auto failed = gemm(weight_grad, dweight, dyn, scratch, 1.0f, n == 0 ? 0.0f : 1.0f, on);
        !failed.is_ok())
      return failed;
    // Stream order: the columns of x are consumed; the same scratch now takes their gradient.
    if (auto failed = gemm(column_grad, scratch, weight, dyn, 1.0f, 0.0f, on); !failed.is_ok())
      return failed;
    col2im_kernel<<<blocks_for(image, elementwise_threads), elementwise_threads, 0, on.stream>>>(
      g, dx + n * image, scratch);
    DS_CUDA_CHECK_LAUNCH();
  }
  if (dbias != nullptr) {
    bias_gradient_kernel<<<blocks_for(s.out_channels, 1), row_threads, 0, on.stream>>>(
      s.batch, s.out_channels, plane, dbias, dy);
    DS_CUDA_CHECK_LAUNCH();
  }
  return status::ok();
}

} // namespace ds::kernels::cuda
