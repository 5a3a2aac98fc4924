#pragma once
/// `ds-bench pingpong`: the round trip of one message between two forked ranks.

#include <string>

namespace ds::bench {

struct pingpong_bench_options {
  int round_trips = 2000;  ///< timed round trips per size (the median is reported)
  std::string provider;    ///< only this provider ("shm" or "tcp;ofi_rxm"); empty: both
};

/// For each provider (shm, tcp;ofi_rxm on lo): forks two ranks; rank 0 sends a message of
/// 1 B … 16 KiB (eager) and 64 KiB, 1 MiB (RMA) to rank 1, whose completion handler sends it
/// straight back on the progress thread, and rank 0 times each round trip from its `send`
/// call to the moment its thread holds the reply (one warm-up tenth first), once blocking on
/// the reply and once polling for it. Prints both medians, the polling 10th/90th percentiles
/// and its one-way latency (half the round trip), which is what `fi_pingpong` calls
/// usec/xfer. Returns 0, or 1 when a rank failed.
int run_pingpong_bench(const pingpong_bench_options& options);

} // namespace ds::bench
