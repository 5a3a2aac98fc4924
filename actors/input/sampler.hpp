#pragma once
/// `sampler`: which record comes next, epoch after epoch, for this rank.

#include <memory>
#include <optional>

#include "data/dataset.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "input/sampler_order.hpp"

namespace ds::actors {

/// Emits one `sample_ref` per record of this rank's slice of each epoch, in
/// the deterministic shuffled order of `sampler_order`. `start_state`
/// (a `sampler_state::to_text()` string) continues an earlier run exactly.
class sampler final : public source {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  bool produce(emitter& out) override;

  /// Where the sampler is now (what a checkpoint stores).
  sampler_state state() const { return order_->state(); }

private:
  std::shared_ptr<const data::dataset> dataset_;
  std::optional<sampler_order> order_;
  port_id out_ = 0;
  std::uint32_t epochs_ = 1;
};

} // namespace ds::actors
