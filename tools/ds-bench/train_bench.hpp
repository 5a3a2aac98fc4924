#pragma once
/// `ds-bench train`: end-to-end training throughput of the shipped configs.

#include <string>

namespace ds::bench {

struct train_bench_options {
  int repeats = 3;
  int epochs = 2;          ///< per run of default.yaml
  bool language_model = false;  ///< also one epoch of fortunes_lm.yaml (minutes)
};

/// Runs configs/default.yaml in this process under several placements — 1 compute replica
/// × 2 BLAS threads, 2 replicas × 1 thread (half the batch each, the same global batch), and
/// the first with `delay: 1` — interleaved, and prints median samples/s (end to end,
/// including decode and evaluation), the data stall fraction, the parameter wait and the
/// final test accuracy. Returns the process exit code.
int run_train_bench(const train_bench_options& options);

} // namespace ds::bench
