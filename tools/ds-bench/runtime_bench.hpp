#pragma once
/// `ds-bench runtime`: what the actor runtime costs, measured against a plain loop.

#include <string>

namespace ds::bench {

struct runtime_bench_options {
  int repeats = 5;       ///< runs per measurement; the median is reported
  bool quick = false;    ///< fewer items, for a smoke run
};

/// Runs the three runtime benchmarks of docs/benchmarks.md and prints a table:
/// per-hop overhead (1 KiB and 1 MiB payloads), replica scaling of a
/// CPU-bound stage, and peak memory under a 10× slower consumer. Returns 0.
int run_runtime_bench(const runtime_bench_options& options);

} // namespace ds::bench
