#pragma once
/// Which SIMD extensions this CPU has, detected once at run time.

#include <string>

namespace ds::kernels {

struct cpu_features {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  unsigned logical_cores = 1;
};

/// Detected on first call; thread-safe.
const cpu_features& host_cpu_features() noexcept;

/// "avx2 fma, 2 cores" — for logs and `--dump-params`.
std::string describe(const cpu_features& features);

} // namespace ds::kernels
