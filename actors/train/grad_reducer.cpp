#include "train/grad_reducer.hpp"

#include <cstring>
#include <stdexcept>

#include "net/collectives.hpp"

namespace ds::actors {

namespace {

/// Averages a bucket across ranks with a ring allreduce over the process's transport: every
/// rank sums the same (update, bucket), then divides by the world size.
class ring_reduction final : public cross_rank_reduction {
public:
  ring_reduction(std::shared_ptr<net::transport> net, memory_pool& pool)
      : net_(std::move(net)), pool_(pool) {}

  void mean(const buffer& gradients, std::uint64_t update, std::uint32_t bucket) override {
    // One id per (update, bucket), so ranks pair up the same bucket; 2^24 buckets per update.
    const std::uint64_t op = ((update << 24) | (bucket & 0xffffffu)) & net::max_collective_op;
    try {
      net::allreduce_sum(*net_, gradients, op, pool_);  // in place: no copy in or out
    } catch (const net::net_error& error) {
      throw stage_fatal_error("grad_reducer: cross-rank reduction of bucket " + std::to_string(bucket)
                              + " of update " + std::to_string(update) + " failed: " + error.what());
    }
    const float scale = 1.0f / static_cast<float>(net_->world_size());
    auto* values = reinterpret_cast<float*>(gradients.data());
    for (std::size_t i = 0; i < gradients.size() / sizeof(float); ++i)
      values[i] *= scale;
  }

  std::uint32_t world_size() const noexcept override {
    return static_cast<std::uint32_t>(net_->world_size());
  }

private:
  std::shared_ptr<net::transport> net_;
  memory_pool& pool_;
};

} // namespace

std::unique_ptr<cross_rank_reduction> make_cross_rank_reduction(int rank, int world_size,
                                                                memory_pool& pool) {
  if (world_size == 1)
    return std::make_unique<single_rank>();
  auto net = net::process_transport();
  if (!net)
    throw stage_fatal_error("grad_reducer: rank " + std::to_string(rank) + " of "
                            + std::to_string(world_size)
                            + ": cross-rank reduction needs the process's transport "
                              "(ds::net::process_transport()), which ds-run sets up when it is "
                              "built with libfabric; none is set in this process");
  if (net->world_size() != world_size || net->rank() != rank)
    throw stage_fatal_error("grad_reducer: the process's transport is rank " + std::to_string(net->rank())
                            + " of " + std::to_string(net->world_size()) + ", the placement says rank "
                            + std::to_string(rank) + " of " + std::to_string(world_size));
  return std::make_unique<ring_reduction>(std::move(net), pool);
}

stage_schema grad_reducer::schema() {
  return schema_builder("grad_reducer",
                        "Averages each gradient bucket over the compute replicas' batches of one step, then across ranks.")
    .input("grads", "grad_bucket", "gradient buckets from the compute replicas")
    .output("reduced", "grad_bucket", "the mean bucket of each optimizer step")
    .replicable(false)
    .numbers_output();
}

void grad_reducer::open(context& ctx) {
  pool_ = &ctx.pools().host();
  ranks_ = make_cross_rank_reduction(ctx.where().copy, ctx.where().copies, *pool_);
  out_ = ctx.output("reduced");
}

void grad_reducer::process(const item& in, emitter& out) {
  const auto& part = message_as<grad_bucket>(in.payload);
  auto& parts = pending_[{part.update, part.bucket}];
  if (!parts.emplace(part.step, in.payload).second)
    return;  // the same step's bucket again: a compute replica retried the step
  if (parts.size() < part.group_size)
    return;
  reduce(part.update, part.bucket, parts, out);
  pending_.erase({part.update, part.bucket});
}

void grad_reducer::reduce(std::uint64_t update, std::uint32_t bucket, contributions& parts,
                          emitter& out) {
  const auto& first = message_as<grad_bucket>(parts.begin()->second);
  if (parts.size() == 1 && ranks_->world_size() == 1) {
    out.emit(out_, parts.begin()->second);  // nothing to average: pass the handle on
    return;
  }
  const auto size = static_cast<std::size_t>(first.grads.numel());
  auto storage = pool_->allocate(size * sizeof(float));
  auto* sum = reinterpret_cast<float*>(storage.data());
  auto reduced = std::make_shared<grad_bucket>();
  reduced->update = update;
  reduced->bucket = bucket;
  reduced->bucket_count = first.bucket_count;
  reduced->group_size = first.group_size;
  reduced->batches = 0;
  double loss = 0.0;
  for (const auto& [step, msg] : parts) {  // ascending step: a fixed summation order
    const auto& g = message_as<grad_bucket>(msg);
    if (static_cast<std::size_t>(g.grads.numel()) != size)
      throw stage_fatal_error("bucket " + std::to_string(bucket) + " of step " + std::to_string(step)
                              + " has " + std::to_string(g.grads.numel()) + " gradients, step "
                              + std::to_string(first.step) + " had " + std::to_string(size));
    const float* values = g.grads.data<float>();
    if (reduced->batches == 0)
      std::memcpy(sum, values, size * sizeof(float));
    else
      for (std::size_t i = 0; i < size; ++i)
        sum[i] += values[i];
    reduced->batches += g.batches;
    reduced->samples += g.samples;
    loss += g.loss * g.batches;
    reduced->step = g.step;
    reduced->epoch = g.epoch;
    reduced->sequence_end = g.sequence_end;
  }
  const float scale = 1.0f / static_cast<float>(parts.size());
  for (std::size_t i = 0; i < size; ++i)
    sum[i] *= scale;
  ranks_->mean(storage, update, bucket);
  reduced->loss = loss / reduced->batches;
  reduced->grads = tensor{std::move(storage), dtype::f32, {static_cast<std::int64_t>(size)}};
  out.emit(out_, std::move(reduced));
}

void grad_reducer::close(emitter& out) {
  // Only the last step can be short of batches; map order keeps (update, bucket) ascending.
  for (auto& [key, parts] : pending_)
    reduce(key.first, key.second, parts, out);
  pending_.clear();
}

} // namespace ds::actors
