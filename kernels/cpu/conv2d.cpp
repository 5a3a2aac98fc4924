#include "cpu/conv2d.hpp"

#include "cpu/gemm.hpp"
#include "shape_check.hpp"

#include <algorithm>

namespace ds::kernels {

namespace {

// Input coordinate read by output coordinate `o` and kernel tap `k`; false when it falls in
// the zero padding.
bool source_index(const conv2d_shape& s, std::size_t o, std::size_t k, std::size_t extent,
                  std::size_t& at) noexcept {
  const std::size_t padded = o * s.stride + k;
  if (padded < s.padding || padded - s.padding >= extent)
    return false;
  at = padded - s.padding;
  return true;
}

void forward_reference(const conv2d_shape& s, float* y, const float* x, const float* w,
                       const float* bias) noexcept {
  for (std::size_t n = 0; n < s.batch; ++n)
    for (std::size_t k = 0; k < s.out_channels; ++k)
      for (std::size_t p = 0; p < s.out_height; ++p)
        for (std::size_t q = 0; q < s.out_width; ++q) {
          double acc = bias != nullptr ? bias[k] : 0.0;
          for (std::size_t c = 0; c < s.in_channels; ++c)
            for (std::size_t r = 0; r < s.kernel_h; ++r)
              for (std::size_t t = 0; t < s.kernel_w; ++t) {
                std::size_t h = 0;
                std::size_t v = 0;
                if (source_index(s, p, r, s.height, h) && source_index(s, q, t, s.width, v))
                  acc += static_cast<double>(x[((n * s.in_channels + c) * s.height + h) * s.width + v])
                         * w[((k * s.in_channels + c) * s.kernel_h + r) * s.kernel_w + t];
              }
          y[((n * s.out_channels + k) * s.out_height + p) * s.out_width + q] =
            static_cast<float>(acc);
        }
}

void backward_reference(const conv2d_shape& s, float* dx, float* dw, float* dbias,
                        const float* dy, const float* x, const float* w) noexcept {
  std::fill_n(dx, s.batch * s.in_channels * s.height * s.width, 0.0f);
  std::fill_n(dw, s.out_channels * s.in_channels * s.kernel_h * s.kernel_w, 0.0f);
  if (dbias != nullptr)
    std::fill_n(dbias, s.out_channels, 0.0f);
  for (std::size_t n = 0; n < s.batch; ++n)
    for (std::size_t k = 0; k < s.out_channels; ++k)
      for (std::size_t p = 0; p < s.out_height; ++p)
        for (std::size_t q = 0; q < s.out_width; ++q) {
          const float g = dy[((n * s.out_channels + k) * s.out_height + p) * s.out_width + q];
          if (dbias != nullptr)
            dbias[k] += g;
          for (std::size_t c = 0; c < s.in_channels; ++c)
            for (std::size_t r = 0; r < s.kernel_h; ++r)
              for (std::size_t t = 0; t < s.kernel_w; ++t) {
                std::size_t h = 0;
                std::size_t v = 0;
                if (!source_index(s, p, r, s.height, h) || !source_index(s, q, t, s.width, v))
                  continue;
                const std::size_t xi = ((n * s.in_channels + c) * s.height + h) * s.width + v;
                const std::size_t wi = ((k * s.in_channels + c) * s.kernel_h + r) * s.kernel_w + t;
                dx[xi] += g * w[wi];
                dw[wi] += g * x[xi];
              }
        }
}

// col[(c, r, t), (p, q)] = x[c, p*stride - pad + r, q*stride - pad + t], zero in the padding.
void im2col(const conv2d_shape& s, float* col, const float* image) noexcept {
  const std::size_t plane = s.out_height * s.out_width;
  for (std::size_t c = 0; c < s.in_channels; ++c)
    for (std::size_t r = 0; r < s.kernel_h; ++r)
      for (std::size_t t = 0; t < s.kernel_w; ++t) {
        float* row = col + ((c * s.kernel_h + r) * s.kernel_w + t) * plane;
        for (std::size_t p = 0; p < s.out_height; ++p)
          for (std::size_t q = 0; q < s.out_width; ++q) {
            std::size_t h = 0;
            std::size_t v = 0;
            const bool inside = source_index(s, p, r, s.height, h)
                                && source_index(s, q, t, s.width, v);
            row[p * s.out_width + q] = inside ? image[(c * s.height + h) * s.width + v] : 0.0f;
          }
      }
}

// The adjoint of im2col: adds each column entry back onto the pixel it was read from.
void col2im(const conv2d_shape& s, float* image, const float* col) noexcept {
  const std::size_t plane = s.out_height * s.out_width;
  for (std::size_t c = 0; c < s.in_channels; ++c)
    for (std::size_t r = 0; r < s.kernel_h; ++r)
      for (std::size_t t = 0; t < s.kernel_w; ++t) {
        const float* row = col + ((c * s.kernel_h + r) * s.kernel_w + t) * plane;
        for (std::size_t p = 0; p < s.out_height; ++p)
          for (std::size_t q = 0; q < s.out_width; ++q) {
            std::size_t h = 0;
            std::size_t v = 0;
            if (source_index(s, p, r, s.height, h) && source_index(s, q, t, s.width, v))
              image[(c * s.height + h) * s.width + v] += row[p * s.out_width + q];
          }
      }
}

void forward_blas(const conv2d_shape& s, float* y, const float* x, const float* w,
                  const float* bias, float* col) noexcept {
  const std::size_t patch = s.in_channels * s.kernel_h * s.kernel_w;
  const std::size_t plane = s.out_height * s.out_width;
  const gemm_shape product{false, false, s.out_channels, plane, patch};
  for (std::size_t n = 0; n < s.batch; ++n) {
    im2col(s, col, x + n * s.in_channels * s.height * s.width);
    float* yn = y + n * s.out_channels * plane;
    gemm(product, yn, w, col, 1.0f, 0.0f, backend::blas);
    if (bias != nullptr)
      for (std::size_t k = 0; k < s.out_channels; ++k)
        for (std::size_t i = 0; i < plane; ++i)
          yn[k * plane + i] += bias[k];
  }
}

void backward_blas(const conv2d_shape& s, float* dx, float* dw, float* dbias, const float* dy,
                   const float* x, const float* w, float* col) noexcept {
  const std::size_t patch = s.in_channels * s.kernel_h * s.kernel_w;
  const std::size_t plane = s.out_height * s.out_width;
  const std::size_t image = s.in_channels * s.height * s.width;
  // dW[K, patch] += dY_n[K, plane] * col_n^T; dcol[patch, plane] = W^T * dY_n.
  const gemm_shape weight_grad{false, true, s.out_channels, patch, plane};
  const gemm_shape column_grad{true, false, patch, plane, s.out_channels};
  std::fill_n(dx, s.batch * image, 0.0f);
  if (dbias != nullptr)
    std::fill_n(dbias, s.out_channels, 0.0f);
  for (std::size_t n = 0; n < s.batch; ++n) {
    const float* dyn = dy + n * s.out_channels * plane;
    im2col(s, col, x + n * image);
    gemm(weight_grad, dw, dyn, col, 1.0f, n == 0 ? 0.0f : 1.0f, backend::blas);
    // The columns of x are consumed; the same scratch now receives their gradient.
    gemm(column_grad, col, w, dyn, 1.0f, 0.0f, backend::blas);
    col2im(s, dx + n * image, col);
    if (dbias != nullptr)
      for (std::size_t k = 0; k < s.out_channels; ++k)
        for (std::size_t i = 0; i < plane; ++i)
          dbias[k] += dyn[k * plane + i];
  }
}

} // namespace

result<conv2d_shape> setup_conv2d(const conv2d_shape& shape) {
  shape_check check{"conv2d"};
  check.require(shape.batch > 0, "batch", "> 0", shape.batch);
  check.require(shape.in_channels > 0, "in_channels", "> 0", shape.in_channels);
  check.require(shape.height > 0, "height", "> 0", shape.height);
  check.require(shape.width > 0, "width", "> 0", shape.width);
  check.require(shape.out_channels > 0, "out_channels", "> 0", shape.out_channels);
  check.require(shape.kernel_h > 0, "kernel_h", "> 0", shape.kernel_h);
  check.require(shape.kernel_w > 0, "kernel_w", "> 0", shape.kernel_w);
  check.require(shape.stride > 0, "stride", "> 0", shape.stride);
  check.require(shape.kernel_h <= shape.height + 2 * shape.padding, "kernel_h",
                "<= height + 2 * padding", shape.kernel_h);
  check.require(shape.kernel_w <= shape.width + 2 * shape.padding, "kernel_w",
                "<= width + 2 * padding", shape.kernel_w);
  // The derived sizes below divide by the stride: stop at the first broken rule.
  if (check.failed())
    return check.error();
  conv2d_shape s = shape;
  s.out_height = (s.height + 2 * s.padding - s.kernel_h) / s.stride + 1;
  s.out_width = (s.width + 2 * s.padding - s.kernel_w) / s.stride + 1;
  // The GEMMs of the blas backend take 32-bit sizes.
  constexpr std::size_t blas_limit = 0x7fffffff;
  const std::size_t patch = s.in_channels * s.kernel_h * s.kernel_w;
  check.require(patch <= blas_limit, "in_channels * kernel_h * kernel_w", "<= 2^31-1", patch);
  check.require(s.out_height * s.out_width <= blas_limit, "out_height * out_width", "<= 2^31-1",
                s.out_height * s.out_width);
  check.require(s.out_channels <= blas_limit, "out_channels", "<= 2^31-1", s.out_channels);
  if (check.failed())
    return check.error();
  s.scratch_floats = patch * s.out_height * s.out_width;
  return s;
}

void conv2d_forward(const conv2d_shape& shape, float* y, const float* x, const float* weight,
                    const float* bias, float* scratch, backend on) noexcept {
  if (resolve(op::conv2d_forward, on) == backend::blas)
    forward_blas(shape, y, x, weight, bias, scratch);
  else
    forward_reference(shape, y, x, weight, bias);
}

void conv2d_backward(const conv2d_shape& shape, float* dx, float* dweight, float* dbias,
                     const float* dy, const float* x, const float* weight, float* scratch,
                     backend on) noexcept {
  if (resolve(op::conv2d_backward, on) == backend::blas)
    backward_blas(shape, dx, dweight, dbias, dy, x, weight, scratch);
  else
    backward_reference(shape, dx, dweight, dbias, dy, x, weight);
}

} // namespace ds::kernels
