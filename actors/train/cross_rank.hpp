#pragma once
/// The seam where gradient reduction leaves the process: summing a bucket across ranks.

#include <cstdint>
#include <memory>

#include "dsflow/buffer.hpp"
#include "dsflow/memory.hpp"

namespace ds::actors {

/// Reduces a locally reduced gradient bucket across ranks, in place. The multi-node transport
/// implements it (ring allreduce over libfabric); within one process there is nothing to do.
class cross_rank_reduction {
public:
  virtual ~cross_rank_reduction() = default;
  /// Replaces `gradients` (the mean over this rank's batches, float32, a pool buffer of its own)
  /// with the mean over every rank's, in place: the transport sends from and receives into
  /// the buffer itself. `bucket` and `update` identify the bucket so that ranks pair up the
  /// same data.
  virtual void mean(const buffer& gradients, std::uint64_t update, std::uint32_t bucket) = 0;
  virtual std::uint32_t world_size() const noexcept = 0;
};

/// One rank: the local mean is already the global one.
class single_rank final : public cross_rank_reduction {
public:
  void mean(const buffer&, std::uint64_t, std::uint32_t) override {}
  std::uint32_t world_size() const noexcept override { return 1; }
};

/// The reduction for a process at `rank` of `world_size`. One rank: `single_rank`. More: a ring
/// allreduce (`ds::net::allreduce_sum`, then ÷ world size) over `ds::net::process_transport()`,
/// which `ds-run` sets after the rendezvous; `pool` supplies its buffers. Throws
/// `stage_fatal_error` when world_size > 1 and no transport (or one of another rank/size) is set.
std::unique_ptr<cross_rank_reduction> make_cross_rank_reduction(int rank, int world_size,
                                                                memory_pool& pool);

} // namespace ds::actors
