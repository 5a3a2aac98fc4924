#include "input/sampler.hpp"

#include "dsflow/messages.hpp"
#include "input/dataset_key.hpp"
#include "train/checkpoint_file.hpp"

namespace ds::actors {

stage_schema sampler::schema() {
  return schema_builder("sampler",
                        "Emits the records of each epoch in a seeded shuffled order, split across ranks.")
    .output("out", "sample_ref", "the next record to read (epoch, sequence, shard, record)")
    .key_string("dataset", std::nullopt, {}, "folder of *.dsshard files (made by ds-pack)")
    .key_int("epochs", 1, 1, 1e6, "epochs to emit")
    .key_int("seed", 0, 0, 9.2e18, "seed of the shuffle (same seed, same order)")
    .key_bool("shuffle", true, "shuffle each epoch; false = dataset order")
    .key_string("partition", "pad", {"pad", "drop"},
                "uneven split across ranks: `pad` repeats a few records, `drop` leaves the remainder out")
    .key_string("start_state", "", {}, "a saved sampler state to continue from (empty = start)")
    .key_string("resume", "", {}, "checkpoint folder to continue from (set by `ds-run --resume`)");
}

void sampler::open(context& ctx) {
  const auto& cfg = ctx.config();
  dataset_ = open_dataset_of(ctx);
  out_ = ctx.output("out");
  epochs_ = static_cast<std::uint32_t>(cfg.get_int("epochs"));
  const auto& where = ctx.where();
  try {
    order_.emplace(dataset_->record_count(), static_cast<std::uint64_t>(cfg.get_int("seed")),
                   cfg.get_bool("shuffle"), static_cast<std::uint32_t>(where.copy),
                   static_cast<std::uint32_t>(where.copies),
                   cfg.get_string("partition") == "pad" ? partition_mode::pad : partition_mode::drop);
    if (const auto& saved = cfg.get_string("start_state"); !saved.empty())
      order_->restore(sampler_state::from_text(saved));
    if (const auto& dir = cfg.get_string("resume"); !dir.empty()) {
      // The order is a pure function of (seed, epoch): the position is all a checkpoint needs.
      auto state = order_->state();
      const auto next = read_checkpoint(dir).sequence_end;
      state.epoch = static_cast<std::uint32_t>(next / order_->per_rank());
      state.position = next % order_->per_rank();
      order_->restore(state);
    }
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error(std::string("sampler: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw stage_fatal_error(std::string("sampler: ") + e.what());
  }
  auto state = order_->state();
  auto done = static_cast<std::uint64_t>(state.epoch) * order_->per_rank() + state.position;
  auto total = static_cast<std::uint64_t>(epochs_) * order_->per_rank();
  ctx.declare_total_items(total > done ? total - done : 0);
}

bool sampler::produce(emitter& out) {
  auto state = order_->state();
  if (state.epoch >= epochs_)
    return false;
  auto ref = std::make_shared<sample_ref>();
  ref->epoch = state.epoch;
  ref->sequence = static_cast<std::uint64_t>(state.epoch) * order_->per_rank() + state.position;
  auto [shard, record] = dataset_->locate(order_->next());
  ref->shard = shard;
  ref->record = record;
  out.emit(out_, std::move(ref));
  return order_->state().epoch < epochs_;
}

} // namespace ds::actors
