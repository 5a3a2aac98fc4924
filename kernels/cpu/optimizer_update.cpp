#include "cpu/optimizer_update.hpp"

#include "cpu/avx2_math.hpp"
#include "shape_check.hpp"

#include <cmath>

namespace ds::kernels {

namespace {

void sgd_reference(const sgd_step& s, float* p, float* v, const float* g) noexcept {
  for (std::size_t i = 0; i < s.size; ++i) {
    v[i] = s.momentum * v[i] + (g[i] + s.weight_decay * p[i]);
    p[i] -= s.learning_rate * v[i];
  }
}

void adam_reference(const adam_step& s, float* p, float* m, float* v, const float* g) noexcept {
  const adam_constants k = adam_constants_of(s);
  for (std::size_t i = 0; i < s.size; ++i) {
    const float grad = g[i] + k.l2 * p[i];
    m[i] = k.b1 * m[i] + (1.0f - k.b1) * grad;
    v[i] = k.b2 * v[i] + (1.0f - k.b2) * grad * grad;
    const float denom = std::sqrt(v[i] * k.inv_corr2) + k.eps;
    p[i] = p[i] * k.shrink - k.lr * (m[i] * k.inv_corr1) / denom;
  }
}

#ifdef DS_KERNELS_X86

DS_AVX2 void sgd_avx2(const sgd_step& s, float* p, float* v, const float* g) noexcept {
  const std::size_t vec_end = s.size & ~std::size_t{7};
  const __m256 mu = _mm256_set1_ps(s.momentum);
  const __m256 wd = _mm256_set1_ps(s.weight_decay);
  const __m256 lr = _mm256_set1_ps(s.learning_rate);
  for (std::size_t i = 0; i < vec_end; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_fmadd_ps(wd, pi, _mm256_loadu_ps(g + i));
    const __m256 vi = _mm256_fmadd_ps(mu, _mm256_loadu_ps(v + i), gi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(p + i, _mm256_fnmadd_ps(lr, vi, pi));
  }
  sgd_step tail = s;
  tail.size = s.size - vec_end;
  sgd_reference(tail, p + vec_end, v + vec_end, g + vec_end);
}

DS_AVX2 void adam_avx2(const adam_step& s, float* p, float* m, float* v,
                       const float* g) noexcept {
  const adam_constants k = adam_constants_of(s);
  const std::size_t vec_end = s.size & ~std::size_t{7};
  const __m256 b1 = _mm256_set1_ps(k.b1);
  const __m256 b2 = _mm256_set1_ps(k.b2);
  const __m256 one_minus_b1 = _mm256_set1_ps(1.0f - k.b1);
  const __m256 one_minus_b2 = _mm256_set1_ps(1.0f - k.b2);
  const __m256 l2 = _mm256_set1_ps(k.l2);
  const __m256 shrink = _mm256_set1_ps(k.shrink);
  const __m256 lr_corr1 = _mm256_set1_ps(k.lr * k.inv_corr1);
  const __m256 corr2 = _mm256_set1_ps(k.inv_corr2);
  const __m256 eps = _mm256_set1_ps(k.eps);
  for (std::size_t i = 0; i < vec_end; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_fmadd_ps(l2, pi, _mm256_loadu_ps(g + i));
    const __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(one_minus_b1, gi));
    const __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i),
                                      _mm256_mul_ps(one_minus_b2, _mm256_mul_ps(gi, gi)));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    const __m256 denom = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, corr2)), eps);
    const __m256 update = _mm256_div_ps(_mm256_mul_ps(lr_corr1, mi), denom);
    _mm256_storeu_ps(p + i, _mm256_fmsub_ps(pi, shrink, update));
  }
  adam_step tail = s;
  tail.size = s.size - vec_end;
  adam_reference(tail, p + vec_end, m + vec_end, v + vec_end, g + vec_end);
}

#endif

void require_finite_non_negative(shape_check& check, float value, const char* field) {
  check.require(std::isfinite(value) && value >= 0.0f, field, "finite and >= 0", value);
}

} // namespace

adam_constants adam_constants_of(const adam_step& s) noexcept {
  const double t = static_cast<double>(s.step);
  return {s.learning_rate,
          s.beta1,
          s.beta2,
          s.epsilon,
          s.decoupled_weight_decay ? 0.0f : s.weight_decay,
          s.decoupled_weight_decay ? 1.0f - s.learning_rate * s.weight_decay : 1.0f,
          static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(s.beta1), t))),
          static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(s.beta2), t)))};
}

result<sgd_step> setup_sgd(const sgd_step& step) {
  shape_check check{"sgd_update"};
  check.require(step.size > 0, "size", "> 0", step.size);
  require_finite_non_negative(check, step.learning_rate, "learning_rate");
  require_finite_non_negative(check, step.weight_decay, "weight_decay");
  check.require(step.momentum >= 0.0f && step.momentum < 1.0f, "momentum", "in [0, 1)",
                step.momentum);
  if (check.failed())
    return check.error();
  return step;
}

result<adam_step> setup_adam(const adam_step& step) {
  shape_check check{"adam_update"};
  check.require(step.size > 0, "size", "> 0", step.size);
  check.require(step.step >= 1, "step", ">= 1", step.step);
  require_finite_non_negative(check, step.learning_rate, "learning_rate");
  require_finite_non_negative(check, step.weight_decay, "weight_decay");
  check.require(step.beta1 >= 0.0f && step.beta1 < 1.0f, "beta1", "in [0, 1)",
                step.beta1);
  check.require(step.beta2 >= 0.0f && step.beta2 < 1.0f, "beta2", "in [0, 1)",
                step.beta2);
  check.require(step.epsilon > 0.0f, "epsilon", "> 0", step.epsilon);
  if (check.failed())
    return check.error();
  return step;
}

void sgd_update(const sgd_step& step, float* param, float* velocity, const float* gradient,
                [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::sgd_update, on) == backend::avx2)
    return sgd_avx2(step, param, velocity, gradient);
#endif
  sgd_reference(step, param, velocity, gradient);
}

void adam_update(const adam_step& step, float* param, float* first_moment, float* second_moment,
                 const float* gradient, [[maybe_unused]] backend on) noexcept {
#ifdef DS_KERNELS_X86
  if (resolve(op::adam_update, on) == backend::avx2)
    return adam_avx2(step, param, first_moment, second_moment, gradient);
#endif
  adam_reference(step, param, first_moment, second_moment, gradient);
}

} // namespace ds::kernels
