#include "cpu/softmax.hpp"

#include "cpu/avx2_math.hpp"
#include "shape_check.hpp"

#include <algorithm>
#include <cmath>

namespace ds::kernels {

namespace {

void softmax_reference(const softmax_shape& s, float* y, const float* x) noexcept {
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * s.cols;
    float* yr = y + r * s.cols;
    const float max = *std::max_element(xr, xr + s.cols);
    float sum = 0.0f;
    for (std::size_t c = 0; c < s.cols; ++c) {
      yr[c] = std::exp(xr[c] - max);
      sum += yr[c];
    }
    const float inv = 1.0f / sum;
    for (std::size_t c = 0; c < s.cols; ++c)
      yr[c] *= inv;
  }
}

#ifdef DS_KERNELS_X86

DS_AVX2 void softmax_avx2(const softmax_shape& s, float* y, const float* x) noexcept {
  const std::size_t vec_end = s.cols & ~std::size_t{7};
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * s.cols;
    float* yr = y + r * s.cols;
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    for (std::size_t c = 0; c < vec_end; c += 8)
      vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(xr + c));
    float max = avx2::horizontal_max(vmax);
    for (std::size_t c = vec_end; c < s.cols; ++c)
      max = std::max(max, xr[c]);
    const __m256 bmax = _mm256_set1_ps(max);
    __m256 vsum = _mm256_setzero_ps();
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 e = avx2::exp(_mm256_sub_ps(_mm256_loadu_ps(xr + c), bmax));
      _mm256_storeu_ps(yr + c, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    float sum = avx2::horizontal_sum(vsum);
    for (std::size_t c = vec_end; c < s.cols; ++c) {
      yr[c] = std::exp(xr[c] - max);
      sum += yr[c];
    }
    const float inv = 1.0f / sum;
    const __m256 binv = _mm256_set1_ps(inv);
    for (std::size_t c = 0; c < vec_end; c += 8)
      _mm256_storeu_ps(yr + c, _mm256_mul_ps(_mm256_loadu_ps(yr + c), binv));
    for (std::size_t c = vec_end; c < s.cols; ++c)
      yr[c] *= inv;
  }
}

#endif

} // namespace

result<softmax_shape> setup_softmax(std::size_t rows, std::size_t cols) {
  shape_check check{"softmax_forward"};
  check.require(rows > 0, "rows", "> 0", rows);
  check.require(cols > 0, "cols", "> 0", cols);
  if (check.failed())
    return check.error();
  return softmax_shape{rows, cols};
}

void softmax_forward(const softmax_shape& shape, float* y, const float* x,
                     [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::softmax_forward, on) == backend::avx2)
    return softmax_avx2(shape, y, x);
#endif
  softmax_reference(shape, y, x);
}

} // namespace ds::kernels
