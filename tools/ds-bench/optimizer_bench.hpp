#pragma once
/// `ds-bench optimizer`: the fused optimizer updates against this machine's memory bandwidth.

#include <cstddef>

namespace ds::bench {

struct optimizer_bench_options {
  int repeats = 11;                           ///< paired runs; medians are reported
  std::size_t params = std::size_t{1} << 24;  ///< float32 parameters updated per step
  unsigned threads = 0;                       ///< second thread count; 0: the machine's cores
};

/// Prints, at 1 thread and at `threads`, parameters/s and achieved GB/s of Adam, AdamW and
/// SGD-momentum over `params` parameters split into disjoint ranges (one per std::thread),
/// each run paired with a STREAM triad at the same thread count measured just before it, and
/// the ratio achieved/triad. Returns 0; throws std::bad_alloc if the arrays do not fit.
int run_optimizer_bench(const optimizer_bench_options& options);

} // namespace ds::bench
