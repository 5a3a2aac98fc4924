#pragma once
/// `ds-bench kernels`: every CPU kernel on each backend this host can run, side by side.

namespace ds::bench {

struct kernels_bench_options {
  int repeats = 5;  ///< timed rounds per case; the median is reported
};

/// Prints, for each case of `training_kernel_cases()`, the median time per call on every
/// available backend that implements the op (the backends alternate within each round), the
/// dispatched backend and its speedup over the reference, and GFLOP/s for GEMM. OpenBLAS runs
/// on one thread so every backend uses one core. Returns 0.
int run_kernels_bench(const kernels_bench_options& options);

} // namespace ds::bench
