#include "cpu/cross_entropy.hpp"

#include "cpu/avx2_math.hpp"
#include "shape_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ds::kernels {

namespace {

bool valid_label(std::int32_t label, std::size_t classes) noexcept {
  return label >= 0 && static_cast<std::size_t>(label) < classes;
}

// Row maximum and sum of exp(x - max); logsumexp = max + log(sum).
struct row_stats {
  float max;
  float sum;
};

row_stats stats_reference(const float* x, std::size_t n) noexcept {
  const float max = *std::max_element(x, x + n);
  float sum = 0.0f;
  for (std::size_t c = 0; c < n; ++c)
    sum += std::exp(x[c] - max);
  return {max, sum};
}

#ifdef DS_KERNELS_X86

DS_AVX2 row_stats stats_avx2(const float* x, std::size_t n) noexcept {
  const std::size_t vec_end = n & ~std::size_t{7};
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  for (std::size_t c = 0; c < vec_end; c += 8)
    vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + c));
  float max = avx2::horizontal_max(vmax);
  for (std::size_t c = vec_end; c < n; ++c)
    max = std::max(max, x[c]);
  const __m256 bmax = _mm256_set1_ps(max);
  __m256 vsum = _mm256_setzero_ps();
  for (std::size_t c = 0; c < vec_end; c += 8)
    vsum = _mm256_add_ps(vsum, avx2::exp(_mm256_sub_ps(_mm256_loadu_ps(x + c), bmax)));
  float sum = avx2::horizontal_sum(vsum);
  for (std::size_t c = vec_end; c < n; ++c)
    sum += std::exp(x[c] - max);
  return {max, sum};
}

DS_AVX2 void gradient_row_avx2(float* g, const float* x, std::size_t n, row_stats st,
                               float scale) noexcept {
  const std::size_t vec_end = n & ~std::size_t{7};
  const __m256 bmax = _mm256_set1_ps(st.max);
  const __m256 bscale = _mm256_set1_ps(scale / st.sum);
  for (std::size_t c = 0; c < vec_end; c += 8)
    _mm256_storeu_ps(g + c, _mm256_mul_ps(
                              bscale, avx2::exp(_mm256_sub_ps(_mm256_loadu_ps(x + c), bmax))));
  for (std::size_t c = vec_end; c < n; ++c)
    g[c] = scale / st.sum * std::exp(x[c] - st.max);
}

#endif

void gradient_row_reference(float* g, const float* x, std::size_t n, row_stats st,
                            float scale) noexcept {
  for (std::size_t c = 0; c < n; ++c)
    g[c] = scale / st.sum * std::exp(x[c] - st.max);
}

} // namespace

result<cross_entropy_shape> setup_cross_entropy(std::size_t batch, std::size_t classes) {
  shape_check check{"cross_entropy"};
  check.require(batch > 0, "batch", "> 0", batch);
  check.require(classes > 0, "classes", "> 0", classes);
  if (check.failed())
    return check.error();
  return cross_entropy_shape{batch, classes};
}

void cross_entropy_forward(const cross_entropy_shape& shape, float* loss, const float* logits,
                           const std::int32_t* labels, backend on) noexcept {
  [[maybe_unused]] const bool vectorized = resolve(op::cross_entropy_forward, on) == backend::avx2;
  double total = 0.0;
  for (std::size_t r = 0; r < shape.batch; ++r) {
    if (!valid_label(labels[r], shape.classes)) {
      *loss = std::numeric_limits<float>::quiet_NaN();
      return;
    }
    const float* row = logits + r * shape.classes;
#ifdef DS_KERNELS_X86
    const row_stats st = vectorized ? stats_avx2(row, shape.classes)
                                    : stats_reference(row, shape.classes);
#else
    const row_stats st = stats_reference(row, shape.classes);
#endif
    total += static_cast<double>(st.max) + std::log(static_cast<double>(st.sum)) - row[labels[r]];
  }
  *loss = static_cast<float>(total / static_cast<double>(shape.batch));
}

void cross_entropy_backward(const cross_entropy_shape& shape, float* dlogits,
                            const float* logits, const std::int32_t* labels, float dloss,
                            backend on) noexcept {
  [[maybe_unused]] const bool vectorized = resolve(op::cross_entropy_backward, on) == backend::avx2;
  const float scale = dloss / static_cast<float>(shape.batch);
  for (std::size_t r = 0; r < shape.batch; ++r) {
    const float* row = logits + r * shape.classes;
    float* grad = dlogits + r * shape.classes;
    if (!valid_label(labels[r], shape.classes)) {
      std::fill(grad, grad + shape.classes, 0.0f);
      continue;
    }
#ifdef DS_KERNELS_X86
    if (vectorized)
      gradient_row_avx2(grad, row, shape.classes, stats_avx2(row, shape.classes), scale);
    else
#endif
      gradient_row_reference(grad, row, shape.classes, stats_reference(row, shape.classes),
                             scale);
    grad[labels[r]] -= scale;
  }
}

} // namespace ds::kernels
