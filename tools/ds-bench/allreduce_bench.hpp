#pragma once
/// `ds-bench allreduce`: ring allreduce between forked ranks on this machine, against memcpy.

#include <cstddef>
#include <string>

namespace ds::bench {

struct allreduce_bench_options {
  int repeats = 11;    ///< timed allreduces per size (medians reported); small sizes run 4×
  bool quick = false;  ///< sizes up to 4 MiB, world 2 only
  int ranks = 0;       ///< only this world size (2 or 4); 0: both
  std::string provider;  ///< only this provider ("shm" or "tcp;ofi_rxm"); empty: both
  /// Time the std::span overload (copies into a pool buffer and back) instead of the
  /// in-place one on a pool buffer.
  bool copy_in_out = false;
  std::size_t segment_bytes = 0;  ///< collective_options::segment_bytes; 0: its default
  long spin_us = -1;              ///< collective_options::spin in µs; negative: its default
};

/// For each provider (shm, tcp;ofi_rxm on lo) and world size (2, 4): forks the ranks, which
/// exchange libfabric addresses through the parent, then times `ds::net::allreduce_sum` of
/// 4 KiB … 64 MiB of float32 (one warm-up, then `repeats`). Prints per size the median time,
/// algbw = bytes / time and busbw = algbw × 2 (n − 1) / n (the nccl-tests definitions), and
/// the memcpy bandwidth of this machine measured in the same run. A provider that is not
/// available is reported and skipped. Returns 0, or 1 when a rank failed.
int run_allreduce_bench(const allreduce_bench_options& options);

} // namespace ds::bench
