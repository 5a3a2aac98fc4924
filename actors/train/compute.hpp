#pragma once
/// `compute`: one model replica; forward, loss and backward per batch, gradients out by bucket.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "dsflow/messages.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "nn/model_spec.hpp"
#include "train/model_inputs.hpp"

namespace ds::actors {

/// Runs training steps on its own copy of the model and emits each gradient bucket the
/// moment backward has finished it (reverse layer order), so reduction and the optimizer's
/// update of that bucket overlap the rest of backward.
///
/// Steps and updates: with R compute replicas, the optimizer takes one step per group of R
/// consecutive batches (group g = (step - first step) / R). A batch of group g runs on the
/// parameters after exactly g - delay updates (0 while g < delay): with `delay: 0` every
/// step sees the previous update (synchronous SGD); with `delay: 1` the update of group g-1
/// is computed by the optimizer while group g runs (one step of staleness, as ZeRO-Offload's
/// delayed parameter update). A batch that arrives before its parameters is held, and the
/// runtime holds back further batches (`ready_for_input`), so memory stays bounded. Updates
/// that arrive early wait until a batch needs them. Both rules make the result independent
/// of timing and of which replica gets which batch.
class compute final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;
  bool ready_for_input() const override { return held_ == nullptr; }

private:
  using clock = std::chrono::steady_clock;

  void receive_update(const message_ptr& update, emitter& out);
  void receive_batch(const message_ptr& payload, emitter& out);
  bool parameters_ready(const batch& b) const;
  void apply_updates(std::uint64_t needed);
  void run_step(const batch& b, emitter& out);

  std::optional<nn::model> model_;
  nn::model_task task_ = nn::model_task::classify;
  input_fields fields_;
  model_inputs inputs_;
  memory_pool* pool_ = nullptr;
  port_id grads_out_ = 0;
  std::uint32_t replica_ = 0;
  std::uint32_t group_size_ = 1;
  std::uint64_t delay_ = 0;
  std::uint64_t first_step_ = 0;  ///< batch step this run starts at (after a resume: > 0)
  std::uint64_t applied_ = 0;     ///< updates applied to the model in this run
  std::deque<std::vector<message_ptr>> waiting_updates_;  ///< complete, not yet needed
  std::vector<message_ptr> partial_update_;  ///< buckets of the update being received
  message_ptr held_;                           ///< a batch waiting for its parameters
  clock::time_point held_since_;
  clock::time_point free_since_;  ///< when this replica last became able to run a step
  std::optional<clock::time_point> first_batch_;
  clock::time_point last_step_end_;
  counter* samples_ = nullptr;
  counter* steps_ = nullptr;
  counter* data_wait_ns_ = nullptr;
  counter* param_wait_ns_ = nullptr;
  counter* compute_ns_ = nullptr;
  counter* span_ns_ = nullptr;
  replica_metrics* metrics_ = nullptr;
};

} // namespace ds::actors
