#include "train/evaluator.hpp"

#include <cmath>
#include <map>
#include <cstring>
#include <numbers>

#include "cpu/cross_entropy.hpp"
#include "input/dataset_key.hpp"
#include "input/field_transform.hpp"
#include "input/record_decoding.hpp"
#include "train/stage_model.hpp"

namespace ds::actors {
namespace {

/// Rows [first, first + count) of a tensor whose leading dimension is the record.
tensor rows_of(const tensor& all, std::size_t first, std::size_t count) {
  auto shape = all.shape();
  const auto row_bytes = all.nbytes() / static_cast<std::size_t>(shape[0]);
  shape[0] = static_cast<std::int64_t>(count);
  return tensor{all.storage().slice(first * row_bytes, count * row_bytes), all.type(), shape};
}

} // namespace

stage_schema evaluator::schema() {
  return schema_builder("evaluator",
                        "Scores training snapshots on its own dataset: loss and accuracy, or bits per character.")
    .input("state", "train_state", "snapshots from the optimizer")
    .key_string("model", std::nullopt, {}, "the model, the same text as compute's `model`")
    .key_string("dataset", std::nullopt, {}, "folder of *.dsshard files to score on (the test split)")
    .key_string("input_field", "image", {}, "field the model reads (as compute's)")
    .key_string("label_field", "label", {}, "field with the class labels (as compute's)")
    .key_string_list("transforms", std::vector<std::string>{}, "per-field FIELD:OP entries, as the batcher's")
    .key_int("batch_size", 1000, 1, 1 << 20, "samples scored per forward")
    .key_int("every_epochs", 1, 0, 1e6, "score every N epochs (0 = only at the end)")
    .key_int("every_steps", 0, 0, 1e12, "also score every N updates (needs the optimizer's snapshot_every_steps to divide N; 0 = off)")
    .key_int("limit", 0, 0, 1e12, "score only the first N records (0 = all)")
    .replicable(false);
}

void evaluator::open(context& ctx) {
  const auto& cfg = ctx.config();
  auto [model, task] = model_of(ctx);
  model_.emplace(std::move(model));
  task_ = task;
  fields_ = {cfg.get_string("input_field"), cfg.get_string("label_field")};
  batch_size_ = static_cast<std::size_t>(cfg.get_int("batch_size"));
  every_epochs_ = static_cast<std::uint32_t>(cfg.get_int("every_epochs"));
  every_steps_ = static_cast<std::uint64_t>(cfg.get_int("every_steps"));
  log_ = &ctx.log();
  metrics_ = &ctx.metrics();
  model_text_ = cfg.get_string("model");
  load_dataset(ctx);
}

void evaluator::load_dataset(context& ctx) {
  const auto& cfg = ctx.config();
  std::map<std::string, field_transform> transforms;
  try {
    transforms = parse_transforms(cfg.get_string_list("transforms"));
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error("stages." + ctx.stage_name() + ".transforms: " + e.what());
  }
  auto dataset = open_dataset_of(ctx);
  const auto limit = static_cast<std::uint64_t>(cfg.get_int("limit"));
  records_ = static_cast<std::size_t>(limit > 0 ? std::min(limit, dataset->record_count())
                                                : dataset->record_count());
  auto& pool = ctx.pools().host();
  std::vector<std::byte> stored;
  std::size_t row = 0;
  for (const auto& shard : dataset->shards()) {
    for (std::uint64_t r = 0; r < shard.record_count() && row < records_; ++r, ++row) {
      stored.resize(shard.location(r).length);
      shard.read_record(r, stored);
      std::vector<std::pair<std::string, tensor>> fields;
      try {
        fields = decode_record(shard, r, stored, pool);
      } catch (const corrupt_record& e) {
        throw stage_fatal_error(std::string("evaluation set: ") + e.what());
      }
      if (data_.empty()) {
        for (const auto& [name, t] : fields) {
          const auto transform = transforms.contains(name) ? transforms.at(name) : field_transform{};
          auto shape = t.shape();
          shape.insert(shape.begin(), static_cast<std::int64_t>(records_));
          const auto type = output_dtype(transform, t.type());
          data_.emplace_back(name, tensor{pool.allocate(records_ * static_cast<std::size_t>(t.numel()) * size_of(type)),
                                          type, shape});
        }
      }
      if (fields.size() != data_.size())
        throw stage_fatal_error(shard.path() + ": record " + std::to_string(r) + " has "
                                + std::to_string(fields.size()) + " fields, the first record "
                                + std::to_string(data_.size()));
      for (std::size_t f = 0; f < fields.size(); ++f) {
        const auto& [name, t] = fields[f];
        auto& [slot_name, slot] = data_[f];
        const auto elements = static_cast<std::size_t>(slot.numel()) / records_;
        if (name != slot_name || static_cast<std::size_t>(t.numel()) != elements)
          throw stage_fatal_error(shard.path() + ": record " + std::to_string(r) + " field '" + name
                                  + "' does not match the first record's '" + slot_name
                                  + "' (scored fields need one shape)");
        const auto transform = transforms.contains(name) ? transforms.at(name) : field_transform{};
        apply_transform(transform, t.type(), t.data<std::byte>(),
                        slot.data<std::byte>() + row * elements * size_of(slot.type()), elements);
      }
    }
  }
  log_->info("evaluation set: " + std::to_string(records_) + " records from " + dataset->folder());
  if (task_ == nn::model_task::next_token)
    report_unigram_entropy();
}

void evaluator::report_unigram_entropy() {
  // The baseline a language model must beat: bits/char of the best context-free guess,
  // the evaluation text's own character frequencies (so the baseline is if anything low).
  std::map<std::int32_t, std::uint64_t> counts;
  std::uint64_t total = 0;
  for (std::size_t first = 0; first < records_; first += batch_size_) {
    std::vector<std::pair<std::string, tensor>> chunk;
    for (const auto& [name, all] : data_)
      chunk.emplace_back(name, rows_of(all, first, std::min(batch_size_, records_ - first)));
    inputs_.load(task_, fields_, model_->input_size(), chunk);
    const auto n = inputs_.rows() * inputs_.labels_per_row();
    for (std::size_t i = 0; i < n; ++i)
      ++counts[inputs_.labels()[i]];
    total += n;
  }
  double bits = 0.0;
  for (const auto& [symbol, count] : counts) {
    const double p = static_cast<double>(count) / static_cast<double>(total);
    bits -= p * std::log2(p);
  }
  metrics_->set_result("unigram_bits_per_char", bits);
  char line[120];
  std::snprintf(line, sizeof line, "unigram entropy of the evaluation text: %.3f bits/char", bits);
  log_->info(line);
}

void evaluator::evaluate(const train_state& state) {
  auto params = model_->parameters();
  if (state.model != model_text_)
    throw stage_fatal_error("snapshot is of model '" + state.model + "', the evaluator builds '"
                            + model_text_ + "'");
  if (static_cast<std::size_t>(state.params.numel()) != params.size())
    throw stage_fatal_error("snapshot has " + std::to_string(state.params.numel())
                            + " parameters, the evaluator's model " + std::to_string(params.size())
                            + " (do optimizer and evaluator build the same model?)");
  std::memcpy(params.data(), state.params.data<float>(), params.size() * sizeof(float));
  double loss_sum = 0.0;
  std::size_t correct = 0;
  std::size_t labels = 0;
  std::vector<std::pair<std::string, tensor>> chunk(data_.size());
  for (std::size_t first = 0; first < records_; first += batch_size_) {
    const auto count = std::min(batch_size_, records_ - first);
    for (std::size_t f = 0; f < data_.size(); ++f)
      chunk[f] = {data_[f].first, rows_of(data_[f].second, first, count)};
    try {
      inputs_.load(task_, fields_, model_->input_size(), chunk);
    } catch (const std::invalid_argument& e) {
      throw stage_fatal_error("evaluation set: " + std::string(e.what()));
    }
    const auto rows = inputs_.rows() * inputs_.labels_per_row();
    const float* logits = model_->logits(inputs_.x(), inputs_.rows());
    const auto classes = model_->classes();
    float loss = 0.0f;
    const auto cross_entropy = kernels::setup_cross_entropy(rows, classes);
    if (!cross_entropy.ok())
      throw std::invalid_argument(cross_entropy.error().message());
    kernels::cross_entropy_forward(cross_entropy.value(), &loss, logits, inputs_.labels());
    loss_sum += static_cast<double>(loss) * static_cast<double>(rows);
    labels += rows;
    for (std::size_t r = 0; r < rows; ++r) {
      const float* row = logits + r * classes;
      const auto best = std::max_element(row, row + classes) - row;
      correct += best == inputs_.labels()[r] ? 1 : 0;
    }
  }
  const double loss = loss_sum / static_cast<double>(labels);
  const double accuracy = static_cast<double>(correct) / static_cast<double>(labels);
  char line[200];
  if (task_ == nn::model_task::next_token) {
    const double bits = loss / std::numbers::ln2;
    metrics_->set_result("val_loss", loss);
    metrics_->set_result("val_bits_per_char", bits);
    std::snprintf(line, sizeof line, "epoch %u, update %llu: validation loss %.4f, %.3f bits/char",
                  state.epochs_done, static_cast<unsigned long long>(state.updates), loss, bits);
  } else {
    metrics_->set_result("test_loss", loss);
    metrics_->set_result("test_accuracy", accuracy);
    std::snprintf(line, sizeof line, "epoch %u, update %llu: test loss %.4f, accuracy %.2f%%",
                  state.epochs_done, static_cast<unsigned long long>(state.updates), loss,
                  100.0 * accuracy);
  }
  log_->info(line);
}

void evaluator::process(const item& in, emitter& out) {
  (void) out;
  const auto& state = message_as<train_state>(in.payload);
  const bool chosen = state.final
                      || (state.epoch_end && every_epochs_ > 0 && state.epochs_done % every_epochs_ == 0)
                      || (every_steps_ > 0 && state.updates % every_steps_ == 0);
  if (chosen)
    evaluate(state);
}

} // namespace ds::actors
