#include "train/checkpointer.hpp"

#include "dsflow/messages.hpp"
#include "train/checkpoint_file.hpp"

namespace ds::actors {

stage_schema checkpointer::schema() {
  return schema_builder("checkpointer",
                        "Writes training snapshots (parameters, optimizer state, data position) atomically for --resume.")
    .input("state", "train_state", "snapshots from the optimizer")
    .key_string("dir", std::nullopt, {}, "folder the checkpoint is written to (checkpoint.dsckpt)")
    .replicable(false);
}

void checkpointer::open(context& ctx) {
  dir_ = ctx.config().get_string("dir");
  log_ = &ctx.log();
  written_ = &ctx.metrics().custom("checkpoints");
}

void checkpointer::process(const item& in, emitter& out) {
  (void) out;
  const auto& state = message_as<train_state>(in.payload);
  try {
    write_checkpoint(dir_, state);
  } catch (const std::exception& e) {
    throw stage_fatal_error(e.what());  // a full disk does not heal on retry
  }
  written_->add();
  log_->info("checkpoint of update " + std::to_string(state.updates) + " written to "
             + checkpoint_path(dir_));
}

} // namespace ds::actors
