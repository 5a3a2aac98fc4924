#pragma once
/// `grad_reducer`: averages gradient buckets over the compute replicas (then across ranks).

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "dsflow/messages.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "train/cross_rank.hpp"

namespace ds::actors {

/// Collects, per optimizer step and bucket, the buckets of the `group_size` batches that feed
/// that step, sums them in batch-step order (so the result does not depend on which replica
/// finished first), divides by their number, reduces across ranks, and emits the mean as one
/// bucket. With one compute replica the bucket passes through untouched (no copy). A repeated
/// bucket (a retried step) is recognised by its step and ignored. At the end of the stream a
/// last, incomplete group is reduced over the batches it has.
class grad_reducer final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;

private:
  /// The buckets received for one (update, bucket), by batch step.
  using contributions = std::map<std::uint64_t, message_ptr>;

  void reduce(std::uint64_t update, std::uint32_t bucket, contributions& parts, emitter& out);

  std::map<std::pair<std::uint64_t, std::uint32_t>, contributions> pending_;
  std::unique_ptr<cross_rank_reduction> ranks_;
  memory_pool* pool_ = nullptr;
  port_id out_ = 0;
};

} // namespace ds::actors
