#pragma once
/// `checkpointer`: writes training snapshots to disk for `ds-run --resume`.

#include <string>

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Writes every `train_state` it receives (the optimizer decides when: epoch ends, every
/// `snapshot_every_steps`, and the end of the run, which a SIGINT drain also reaches) to
/// `dir` atomically (checkpoint_file.hpp). The file then holds the parameters, the optimizer
/// moments and step count, and the data position (next batch step, sampler sequence), which
/// is all a resumed run needs: the sampler's order is a pure function of seed and epoch.
class checkpointer final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;

private:
  std::string dir_;
  const logger* log_ = nullptr;
  counter* written_ = nullptr;
};

} // namespace ds::actors
