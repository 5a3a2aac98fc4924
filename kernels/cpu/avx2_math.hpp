#pragma once
/// Inline AVX2/FMA helpers shared by the vectorized kernels: exp, tanh and horizontal reductions.
///
/// Every function carries `target("avx2,fma")`, so it may only be called from functions with the
/// same target attribute, which in turn run only after `available(backend::avx2)` said yes.
/// Included only on x86 builds (`DS_KERNELS_X86`).

#if defined(__x86_64__) || defined(__i386__)
#define DS_KERNELS_X86 1
#include <immintrin.h>

#define DS_AVX2 __attribute__((target("avx2,fma")))

namespace ds::kernels::avx2 {

/// e^x for 8 lanes, relative error about 2 ulp on [-87, 88]; inputs are clamped to that range,
/// so -inf and large negative values give ~0 rather than NaN (Cephes polynomial, as in ggml).
DS_AVX2 inline __m256 exp(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  // x = n ln2 + r with |r| <= ln2/2; ln2 is split in two parts so r stays exact.
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i bits = _mm256_slli_epi32(
    _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/// tanh(x) = 1 - 2 / (e^{2x} + 1); saturates cleanly to +-1 because exp() clamps.
DS_AVX2 inline __m256 tanh(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp(_mm256_add_ps(x, x));
  return _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
}

DS_AVX2 inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

DS_AVX2 inline float horizontal_max(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

} // namespace ds::kernels::avx2

#endif
