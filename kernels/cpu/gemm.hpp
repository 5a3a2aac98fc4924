#pragma once
/// General matrix multiply on row-major, densely packed float32 matrices:
/// `c[m,n] = alpha * op(a) * op(b) + beta * c`, where op(a) is [m,k] and op(b) is [k,n].
///
/// `a` is stored [m,k] (or [k,m] when `transpose_a`), `b` is [k,n] (or [n,k] when
/// `transpose_b`); leading dimensions are the stored row lengths. The `blas` backend calls
/// OpenBLAS `cblas_sgemm`, which may use several threads (see `set_blas_threads`); the reference
/// is a naive triple loop with float64 accumulation, meant for tests. Run functions are
/// reentrant; with beta == 0, `c` is never read (NaNs in it do not propagate).

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct gemm_shape {
  bool transpose_a = false;
  bool transpose_b = false;
  std::size_t m = 0;
  std::size_t n = 0;
  std::size_t k = 0;
};

/// The validated shape, or an invalid_argument status naming "gemm" and the zero dimension.
result<gemm_shape> setup_gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n,
                              std::size_t k);

/// Runs on `b` (falls back to the reference when `b` is not usable). `shape` must come from a
/// successful setup_gemm.
void gemm(const gemm_shape& shape, float* c, const float* a, const float* b, float alpha = 1.0f,
          float beta = 0.0f, backend on = dispatch(op::gemm)) noexcept;

/// Sets the number of threads OpenBLAS uses for every later call in this process (n >= 1).
/// Process-wide: call it from the thread that owns compute configuration, not concurrently
/// with running GEMMs.
void set_blas_threads(int n) noexcept;

} // namespace ds::kernels
