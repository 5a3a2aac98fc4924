#pragma once
/// `optimizer`: the CPU optimizer; owns the master parameters and the optimizer state.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsflow/messages.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "nn/model.hpp"
#include "nn/optimizer.hpp"

namespace ds::actors {

/// Applies each reduced gradient bucket to the master parameters and sends the bucket's new
/// values back to every compute replica (the feedback edge). Without gradient clipping a
/// bucket is updated the moment it arrives, while backward still produces the next one; with
/// `max_grad_norm` the step waits for all buckets (the norm is global). Steps are applied in
/// order even when buckets of a later step arrive first (with `delay: 1`).
///
/// It emits a `train_state` snapshot when an epoch ends (before the first update of the next),
/// every `snapshot_every_steps` updates, and at the end of the run (also after a SIGINT
/// drain): the evaluator scores these and the checkpointer writes them.
class optimizer_stage final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;

private:
  struct pending_step {
    std::vector<message_ptr> buckets;  ///< in arrival order
    std::size_t applied = 0;           ///< buckets already applied (no clipping)
  };

  void advance(emitter& out);
  void apply_bucket(const grad_bucket& g, emitter& out);
  void apply_clipped(pending_step& step, emitter& out);
  void send_bucket(std::uint32_t bucket, emitter& out);
  void finish_step(const grad_bucket& last);
  void update_range(std::size_t offset, std::span<float> params, std::span<const float> grads);
  void snapshot(bool final, bool epoch_end, emitter& out);
  void restore(const std::string& dir);

  std::optional<nn::model> model_;  ///< the master parameters and bucket layout
  std::optional<nn::optimizer> optimizer_;
  nn::lr_schedule schedule_;
  float max_grad_norm_ = 0.0f;
  unsigned threads_ = 1;
  std::uint64_t snapshot_every_ = 0;
  std::string model_text_;
  std::string algorithm_;
  memory_pool* pool_ = nullptr;
  port_id params_out_ = 0;
  port_id state_out_ = 0;
  replica_metrics* metrics_ = nullptr;

  std::map<std::uint64_t, pending_step> pending_;  ///< by run-relative update index
  std::uint64_t next_update_ = 0;  ///< run-relative index of the step to apply next
  float learning_rate_ = 0.0f;     ///< of the step being applied
  std::uint64_t updates_ = 0;      ///< steps applied, counting those before a resume
  std::uint64_t samples_ = 0;
  std::uint64_t next_step_ = 0;
  std::uint64_t sequence_end_ = 0;
  std::uint32_t epoch_ = 0;
  bool seen_batch_ = false;
  double loss_sum_ = 0.0;  ///< since the last snapshot, weighted by batches
  std::uint64_t loss_batches_ = 0;
};

} // namespace ds::actors
