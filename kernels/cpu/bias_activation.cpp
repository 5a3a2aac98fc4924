#include "cpu/bias_activation.hpp"

#include "cpu/avx2_math.hpp"
#include "shape_check.hpp"

#include <cmath>

namespace ds::kernels {

namespace {

// GELU(z) = 0.5 z (1 + tanh(u)), u = sqrt(2/pi) (z + 0.044715 z^3).
constexpr float gelu_c = 0.7978845608028654f;
constexpr float gelu_a = 0.044715f;

float activate(activation act, float z) noexcept {
  switch (act) {
    case activation::relu:
      return z > 0.0f ? z : 0.0f;
    case activation::gelu:
      return 0.5f * z * (1.0f + std::tanh(gelu_c * (z + gelu_a * z * z * z)));
    case activation::identity:
      break;
  }
  return z;
}

float derivative(activation act, float z) noexcept {
  switch (act) {
    case activation::relu:
      return z > 0.0f ? 1.0f : 0.0f;
    case activation::gelu: {
      const float t = std::tanh(gelu_c * (z + gelu_a * z * z * z));
      const float du = gelu_c * (1.0f + 3.0f * gelu_a * z * z);
      return 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * du;
    }
    case activation::identity:
      break;
  }
  return 1.0f;
}

void forward_reference(const bias_activation_shape& s, float* y, const float* x,
                       const float* bias) noexcept {
  for (std::size_t r = 0; r < s.rows; ++r)
    for (std::size_t c = 0; c < s.cols; ++c)
      y[r * s.cols + c] = activate(s.act, x[r * s.cols + c] + bias[c]);
}

void backward_reference(const bias_activation_shape& s, float* dx, float* dbias, const float* dy,
                        const float* x, const float* bias) noexcept {
  for (std::size_t c = 0; c < s.cols; ++c)
    dbias[c] = 0.0f;
  for (std::size_t r = 0; r < s.rows; ++r)
    for (std::size_t c = 0; c < s.cols; ++c) {
      const std::size_t i = r * s.cols + c;
      const float g = dy[i] * derivative(s.act, x[i] + bias[c]);
      dx[i] = g;
      dbias[c] += g;
    }
}

#ifdef DS_KERNELS_X86

DS_AVX2 __m256 activate8(activation act, __m256 z) {
  switch (act) {
    case activation::relu:
      return _mm256_max_ps(z, _mm256_setzero_ps());
    case activation::gelu: {
      const __m256 z3 = _mm256_mul_ps(_mm256_mul_ps(z, z), z);
      const __m256 u = _mm256_mul_ps(_mm256_set1_ps(gelu_c),
                                     _mm256_fmadd_ps(_mm256_set1_ps(gelu_a), z3, z));
      const __m256 half_z = _mm256_mul_ps(_mm256_set1_ps(0.5f), z);
      return _mm256_fmadd_ps(half_z, avx2::tanh(u), half_z);
    }
    case activation::identity:
      break;
  }
  return z;
}

DS_AVX2 __m256 derivative8(activation act, __m256 z) {
  const __m256 one = _mm256_set1_ps(1.0f);
  switch (act) {
    case activation::relu:
      return _mm256_and_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ), one);
    case activation::gelu: {
      const __m256 z2 = _mm256_mul_ps(z, z);
      const __m256 u = _mm256_mul_ps(_mm256_set1_ps(gelu_c),
                                     _mm256_fmadd_ps(_mm256_set1_ps(gelu_a),
                                                     _mm256_mul_ps(z2, z), z));
      const __m256 t = avx2::tanh(u);
      const __m256 du = _mm256_mul_ps(_mm256_set1_ps(gelu_c),
                                      _mm256_fmadd_ps(_mm256_set1_ps(3.0f * gelu_a), z2, one));
      const __m256 half = _mm256_set1_ps(0.5f);
      const __m256 sech2 = _mm256_fnmadd_ps(t, t, one);
      return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_mul_ps(half, z), sech2), du,
                             _mm256_mul_ps(half, _mm256_add_ps(one, t)));
    }
    case activation::identity:
      break;
  }
  return one;
}

DS_AVX2 void forward_avx2(const bias_activation_shape& s, float* y, const float* x,
                          const float* bias) noexcept {
  const std::size_t vec_end = s.cols & ~std::size_t{7};
  for (std::size_t r = 0; r < s.rows; ++r) {
    const float* xr = x + r * s.cols;
    float* yr = y + r * s.cols;
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 z = _mm256_add_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(bias + c));
      _mm256_storeu_ps(yr + c, activate8(s.act, z));
    }
    for (std::size_t c = vec_end; c < s.cols; ++c)
      yr[c] = activate(s.act, xr[c] + bias[c]);
  }
}

DS_AVX2 void backward_avx2(const bias_activation_shape& s, float* dx, float* dbias,
                           const float* dy, const float* x, const float* bias) noexcept {
  const std::size_t vec_end = s.cols & ~std::size_t{7};
  for (std::size_t c = 0; c < s.cols; ++c)
    dbias[c] = 0.0f;
  for (std::size_t r = 0; r < s.rows; ++r) {
    const std::size_t row = r * s.cols;
    for (std::size_t c = 0; c < vec_end; c += 8) {
      const __m256 z = _mm256_add_ps(_mm256_loadu_ps(x + row + c), _mm256_loadu_ps(bias + c));
      const __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dy + row + c), derivative8(s.act, z));
      _mm256_storeu_ps(dx + row + c, g);
      _mm256_storeu_ps(dbias + c, _mm256_add_ps(_mm256_loadu_ps(dbias + c), g));
    }
    for (std::size_t c = vec_end; c < s.cols; ++c) {
      const float g = dy[row + c] * derivative(s.act, x[row + c] + bias[c]);
      dx[row + c] = g;
      dbias[c] += g;
    }
  }
}

#endif

} // namespace

result<bias_activation_shape> setup_bias_activation(std::size_t rows, std::size_t cols,
                                                     activation act) {
  shape_check check{"bias_activation"};
  check.require(rows > 0, "rows", "> 0", rows);
  check.require(cols > 0, "cols", "> 0", cols);
  if (check.failed())
    return check.error();
  return bias_activation_shape{rows, cols, act};
}

void bias_activation_forward(const bias_activation_shape& shape, float* y, const float* x,
                             const float* bias, [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::bias_activation_forward, on) == backend::avx2)
    return forward_avx2(shape, y, x, bias);
#endif
  forward_reference(shape, y, x, bias);
}

void bias_activation_backward(const bias_activation_shape& shape, float* dx, float* dbias,
                              const float* dy, const float* x, const float* bias,
                              [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::bias_activation_backward, on) == backend::avx2)
    return backward_avx2(shape, dx, dbias, dy, x, bias);
#endif
  backward_reference(shape, dx, dbias, dy, x, bias);
}

} // namespace ds::kernels
