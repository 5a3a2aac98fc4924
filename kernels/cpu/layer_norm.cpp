#include "cpu/layer_norm.hpp"

#include "cpu/avx2_math.hpp"
#include "shape_check.hpp"

#include <cmath>

namespace ds::kernels {

namespace {

void forward_reference(const layer_norm_shape& s, float* y, float* mean, float* rstd,
                       const float* x, const float* gamma, const float* beta) noexcept {
  const float inv_n = 1.0f / static_cast<float>(s.cols);
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * s.cols;
    float sum = 0.0f;
    for (std::size_t c = 0; c < s.cols; ++c)
      sum += xr[c];
    const float mu = sum * inv_n;
    float sq = 0.0f;
    for (std::size_t c = 0; c < s.cols; ++c)
      sq += (xr[c] - mu) * (xr[c] - mu);
    const float rs = 1.0f / std::sqrt(sq * inv_n + s.epsilon);
    mean[r] = mu;
    rstd[r] = rs;
    for (std::size_t c = 0; c < s.cols; ++c)
      y[r * s.cols + c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), with g = dy * gamma.
void backward_reference(const layer_norm_shape& s, float* dx, float* dgamma, float* dbeta,
                        const float* dy, const float* x, const float* mean, const float* rstd,
                        const float* gamma) noexcept {
  const float inv_n = 1.0f / static_cast<float>(s.cols);
  for (std::size_t c = 0; c < s.cols; ++c)
    dgamma[c] = dbeta[c] = 0.0f;
  for (std::size_t r = 0; r < s.rows; ++r) {
    const std::size_t row = r * s.cols;
    float sum_g = 0.0f;
    float sum_g_xhat = 0.0f;
    for (std::size_t c = 0; c < s.cols; ++c) {
      const float xhat = (x[row + c] - mean[r]) * rstd[r];
      const float g = dy[row + c] * gamma[c];
      sum_g += g;
      sum_g_xhat += g * xhat;
      dgamma[c] += dy[row + c] * xhat;
      dbeta[c] += dy[row + c];
    }
    const float mean_g = sum_g * inv_n;
    const float mean_g_xhat = sum_g_xhat * inv_n;
    for (std::size_t c = 0; c < s.cols; ++c) {
      const float xhat = (x[row + c] - mean[r]) * rstd[r];
      dx[row + c] = rstd[r] * (dy[row + c] * gamma[c] - mean_g - xhat * mean_g_xhat);
    }
  }
}

#ifdef DS_KERNELS_X86

DS_AVX2 void forward_avx2(const layer_norm_shape& s, float* y, float* mean, float* rstd,
                          const float* x, const float* gamma, const float* beta) noexcept {
  const std::size_t n = s.cols;
  const std::size_t vec_end = n & ~std::size_t{7};
  const float inv_n = 1.0f / static_cast<float>(n);
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    __m256 vsum = _mm256_setzero_ps();
    for (std::size_t c = 0; c < vec_end; c += 8)
      vsum = _mm256_add_ps(vsum, _mm256_loadu_ps(xr + c));
    float sum = avx2::horizontal_sum(vsum);
    for (std::size_t c = vec_end; c < n; ++c)
      sum += xr[c];
    const float mu = sum * inv_n;
    const __m256 vmu = _mm256_set1_ps(mu);
    __m256 vsq = _mm256_setzero_ps();
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xr + c), vmu);
      vsq = _mm256_fmadd_ps(d, d, vsq);
    }
    float sq = avx2::horizontal_sum(vsq);
    for (std::size_t c = vec_end; c < n; ++c)
      sq += (xr[c] - mu) * (xr[c] - mu);
    const float rs = 1.0f / std::sqrt(sq * inv_n + s.epsilon);
    mean[r] = mu;
    rstd[r] = rs;
    const __m256 vrs = _mm256_set1_ps(rs);
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), vmu), vrs);
      _mm256_storeu_ps(yr + c, _mm256_fmadd_ps(xhat, _mm256_loadu_ps(gamma + c),
                                               _mm256_loadu_ps(beta + c)));
    }
    for (std::size_t c = vec_end; c < n; ++c)
      yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
  }
}

DS_AVX2 void backward_avx2(const layer_norm_shape& s, float* dx, float* dgamma, float* dbeta,
                           const float* dy, const float* x, const float* mean, const float* rstd,
                           const float* gamma) noexcept {
  const std::size_t n = s.cols;
  const std::size_t vec_end = n & ~std::size_t{7};
  const float inv_n = 1.0f / static_cast<float>(n);
  for (std::size_t c = 0; c < n; ++c)
    dgamma[c] = dbeta[c] = 0.0f;
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * n;
    const float* dyr = dy + r * n;
    const __m256 vmu = _mm256_set1_ps(mean[r]);
    const __m256 vrs = _mm256_set1_ps(rstd[r]);
    __m256 vsum_g = _mm256_setzero_ps();
    __m256 vsum_gx = _mm256_setzero_ps();
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), vmu), vrs);
      const __m256 d = _mm256_loadu_ps(dyr + c);
      const __m256 g = _mm256_mul_ps(d, _mm256_loadu_ps(gamma + c));
      vsum_g = _mm256_add_ps(vsum_g, g);
      vsum_gx = _mm256_fmadd_ps(g, xhat, vsum_gx);
      _mm256_storeu_ps(dgamma + c, _mm256_fmadd_ps(d, xhat, _mm256_loadu_ps(dgamma + c)));
      _mm256_storeu_ps(dbeta + c, _mm256_add_ps(d, _mm256_loadu_ps(dbeta + c)));
    }
    float sum_g = avx2::horizontal_sum(vsum_g);
    float sum_gx = avx2::horizontal_sum(vsum_gx);
    for (std::size_t c = vec_end; c < n; ++c) {
      const float xhat = (xr[c] - mean[r]) * rstd[r];
      const float g = dyr[c] * gamma[c];
      sum_g += g;
      sum_gx += g * xhat;
      dgamma[c] += dyr[c] * xhat;
      dbeta[c] += dyr[c];
    }
    const float mean_g = sum_g * inv_n;
    const float mean_gx = sum_gx * inv_n;
    const __m256 vmean_g = _mm256_set1_ps(mean_g);
    const __m256 vmean_gx = _mm256_set1_ps(mean_gx);
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), vmu), vrs);
      const __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dyr + c), _mm256_loadu_ps(gamma + c));
      const __m256 centered = _mm256_fnmadd_ps(xhat, vmean_gx, _mm256_sub_ps(g, vmean_g));
      _mm256_storeu_ps(dx + r * n + c, _mm256_mul_ps(vrs, centered));
    }
    for (std::size_t c = vec_end; c < n; ++c) {
      const float xhat = (xr[c] - mean[r]) * rstd[r];
      dx[r * n + c] = rstd[r] * (dyr[c] * gamma[c] - mean_g - xhat * mean_gx);
    }
  }
}

#endif

} // namespace

result<layer_norm_shape> setup_layer_norm(std::size_t rows, std::size_t cols,
                                          float epsilon) {
  shape_check check{"layer_norm"};
  check.require(rows > 0, "rows", "> 0", rows);
  check.require(cols > 0, "cols", "> 0", cols);
  check.require(epsilon > 0.0f, "epsilon", "> 0", epsilon);
  if (check.failed())
    return check.error();
  return layer_norm_shape{rows, cols, epsilon};
}

void layer_norm_forward(const layer_norm_shape& shape, float* y, float* mean, float* rstd,
                        const float* x, const float* gamma, const float* beta,
                        [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::layer_norm_forward, on) == backend::avx2)
    return forward_avx2(shape, y, mean, rstd, x, gamma, beta);
#endif
  forward_reference(shape, y, mean, rstd, x, gamma, beta);
}

void layer_norm_backward(const layer_norm_shape& shape, float* dx, float* dgamma, float* dbeta,
                         const float* dy, const float* x, const float* mean, const float* rstd,
                         const float* gamma, [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::layer_norm_backward, on) == backend::avx2)
    return backward_avx2(shape, dx, dgamma, dbeta, dy, x, mean, rstd, gamma);
#endif
  backward_reference(shape, dx, dgamma, dbeta, dy, x, mean, rstd, gamma);
}

} // namespace ds::kernels
