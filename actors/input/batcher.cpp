#include "input/batcher.hpp"

#include <algorithm>
#include <stdexcept>

#include "dsflow/messages.hpp"
#include "train/checkpoint_file.hpp"

namespace ds::actors {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

} // namespace

stage_schema batcher::schema() {
  return schema_builder("batcher", "Assembles samples, in sequence order, into batches of tensors.")
    .input("in", "sample", "decoded samples")
    .output("out", "batch", "one tensor per field, leading dimension = batch size")
    .key_int("batch_size", 32, 1, 1 << 20, "samples per batch")
    .key_bool("drop_last", false, "drop an epoch's last, smaller batch (counted as dropped_last)")
    .key_string_list("transforms", std::vector<std::string>{},
                     "per-field FIELD:OP entries: f32, i32, i64, f64, scale=S, normalize=MEAN,STD")
    .key_string("resume", "", {}, "checkpoint folder to continue from (set by `ds-run --resume`)")
    .ordered_input();
}

void batcher::open(context& ctx) {
  const auto& cfg = ctx.config();
  pool_ = &ctx.pools().host();
  out_ = ctx.output("out");
  batch_size_ = static_cast<std::size_t>(cfg.get_int("batch_size"));
  drop_last_ = cfg.get_bool("drop_last");
  try {
    transforms_ = parse_transforms(cfg.get_string_list("transforms"));
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error("stages." + ctx.stage_name() + ".transforms: " + e.what());
  }
  dropped_ = &ctx.metrics().custom("dropped_last");
  ctx_ = &ctx;
  if (const auto& dir = cfg.get_string("resume"); !dir.empty()) {
    try {
      step_ = read_checkpoint(dir).next_step;  // batch steps continue where the run stopped
    } catch (const std::runtime_error& e) {
      throw stage_fatal_error(e.what());
    }
  }
}

void batcher::start_batch(const sample& first) {
  if (slots_.empty()) {
    for (const auto& [name, t] : first.fields) {
      field_slot slot;
      slot.name = name;
      slot.in_type = t.type();
      slot.transform = transforms_.contains(name) ? transforms_.at(name) : field_transform{};
      slot.out_type = output_dtype(slot.transform, slot.in_type);
      slot.shape = t.shape();
      slot.elements = static_cast<std::size_t>(t.numel());
      slots_.push_back(std::move(slot));
    }
    for (const auto& [name, t] : transforms_)
      if (std::none_of(slots_.begin(), slots_.end(), [&](const auto& s) { return s.name == name; }))
        throw stage_fatal_error("transforms: no field '" + name + "' in the samples");
  }
  for (auto& slot : slots_)
    slot.storage = pool_->allocate(batch_size_ * slot.elements * size_of(slot.out_type));
  epoch_ = first.epoch;
}

void batcher::emit_batch(emitter& out) {
  auto made = std::make_shared<batch>();
  made->step = step_++;
  made->epoch = epoch_;
  made->sequence_end = sequence_end_;
  for (auto& slot : slots_) {
    std::vector<std::int64_t> shape{static_cast<std::int64_t>(filled_)};
    shape.insert(shape.end(), slot.shape.begin(), slot.shape.end());
    auto bytes = filled_ * slot.elements * size_of(slot.out_type);
    made->fields.emplace_back(slot.name, tensor{std::move(slot.storage).slice(0, bytes),
                                                slot.out_type, std::move(shape)});
    slot.storage = buffer{};
  }
  filled_ = 0;
  out.emit(out_, std::move(made));
}

void batcher::process(const item& in, emitter& out) {
  const auto& s = message_as<sample>(in.payload);
  if (filled_ > 0 && s.epoch != epoch_) {
    // A batch never mixes epochs: the previous epoch's tail goes out (or is dropped).
    if (drop_last_) {
      dropped_->add(filled_);
      filled_ = 0;
    } else {
      emit_batch(out);
    }
  }
  if (filled_ == 0)
    start_batch(s);
  if (s.fields.size() != slots_.size())
    throw stage_fatal_error("shard " + std::to_string(s.shard) + " record " + std::to_string(s.index)
                            + " has " + std::to_string(s.fields.size()) + " fields, earlier samples "
                            + std::to_string(slots_.size()));
  for (std::size_t f = 0; f < slots_.size(); ++f) {
    auto& slot = slots_[f];
    const auto& [name, t] = s.fields[f];
    if (name != slot.name || t.type() != slot.in_type || t.shape() != slot.shape)
      throw stage_fatal_error("shard " + std::to_string(s.shard) + " record "
                              + std::to_string(s.index) + ": field '" + name + "' is "
                              + std::string(to_string(t.type())) + shape_text(t.shape())
                              + ", the batch has '" + slot.name + "' as "
                              + std::string(to_string(slot.in_type)) + shape_text(slot.shape)
                              + " (batched fields need one shape)");
    auto out_bytes = slot.elements * size_of(slot.out_type);
    apply_transform(slot.transform, slot.in_type, t.template data<std::byte>(),
                    slot.storage.data() + filled_ * out_bytes, slot.elements);
  }
  sequence_end_ = s.sequence + 1;
  if (++filled_ == batch_size_)
    emit_batch(out);
}

void batcher::close(emitter& out) {
  if (filled_ == 0)
    return;
  if (ctx_->input_cut_short()) {
    // An interrupt cut the epoch: this batch would not exist in a run that was not
    // stopped. Dropping it keeps a checkpoint's data position on a real batch boundary,
    // so a resumed run reads these samples again and makes the same batches.
    ctx_->metrics().custom("cut_short").add(filled_);
    ctx_->log().info("input stopped early: " + std::to_string(filled_)
                     + " samples of an incomplete batch dropped (a resumed run reads them again)");
    return;
  }
  if (drop_last_)
    dropped_->add(filled_);
  else
    emit_batch(out);
}

} // namespace ds::actors
