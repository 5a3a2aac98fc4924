#include "cpu/gemm.hpp"

#include "shape_check.hpp"

#include <cblas.h>

#include <algorithm>

namespace ds::kernels {

namespace {

void gemm_reference(const gemm_shape& s, float* c, const float* a, const float* b, float alpha,
                    float beta) noexcept {
  for (std::size_t i = 0; i < s.m; ++i)
    for (std::size_t j = 0; j < s.n; ++j) {
      double acc = 0.0;
      for (std::size_t p = 0; p < s.k; ++p) {
        const float av = s.transpose_a ? a[p * s.m + i] : a[i * s.k + p];
        const float bv = s.transpose_b ? b[j * s.k + p] : b[p * s.n + j];
        acc += static_cast<double>(av) * bv;
      }
      const float scaled = alpha * static_cast<float>(acc);
      c[i * s.n + j] = beta == 0.0f ? scaled : scaled + beta * c[i * s.n + j];
    }
}

void gemm_blas(const gemm_shape& s, float* c, const float* a, const float* b, float alpha,
               float beta) noexcept {
  const auto m = static_cast<blasint>(s.m);
  const auto n = static_cast<blasint>(s.n);
  const auto k = static_cast<blasint>(s.k);
  cblas_sgemm(CblasRowMajor, s.transpose_a ? CblasTrans : CblasNoTrans,
              s.transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a,
              s.transpose_a ? m : k, b, s.transpose_b ? k : n, beta, c, n);
}

} // namespace

result<gemm_shape> setup_gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n,
                              std::size_t k) {
  shape_check check{"gemm"};
  check.require(m > 0, "m", "> 0", m);
  check.require(n > 0, "n", "> 0", n);
  check.require(k > 0, "k", "> 0", k);
  // cblas takes 32-bit sizes: a larger matrix would silently wrap.
  constexpr std::size_t blas_limit = 0x7fffffff;
  check.require(m <= blas_limit, "m", "<= 2^31-1", m);
  check.require(n <= blas_limit, "n", "<= 2^31-1", n);
  check.require(k <= blas_limit, "k", "<= 2^31-1", k);
  if (check.failed())
    return check.error();
  return gemm_shape{transpose_a, transpose_b, m, n, k};
}

void gemm(const gemm_shape& shape, float* c, const float* a, const float* b, float alpha,
          float beta, backend on) noexcept {
  if (resolve(op::gemm, on) == backend::blas)
    gemm_blas(shape, c, a, b, alpha, beta);
  else
    gemm_reference(shape, c, a, b, alpha, beta);
}

void set_blas_threads(int n) noexcept {
  openblas_set_num_threads(std::max(1, n));
}

} // namespace ds::kernels
