#pragma once
/// `evaluator`: scores training snapshots on a held-out dataset.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsflow/messages.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "nn/model_spec.hpp"
#include "train/model_inputs.hpp"

namespace ds::actors {

/// Reads its own dataset (the test or validation split) once at open — every record,
/// verified and decoded, with the batcher's field transforms — and scores the parameters of
/// each chosen `train_state`: every `every_epochs` epochs, every `every_steps` updates, and at
/// the end of the run.
/// Classifiers report test loss and accuracy; language models report validation loss and
/// bits per character. Results go to the log and the run summary.
class evaluator final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;

private:
  void load_dataset(context& ctx);
  void evaluate(const train_state& state);
  void report_unigram_entropy();

  std::optional<nn::model> model_;
  nn::model_task task_ = nn::model_task::classify;
  input_fields fields_;
  model_inputs inputs_;
  std::vector<std::pair<std::string, tensor>> data_;  ///< every record; leading dim = records
  std::size_t records_ = 0;
  std::size_t batch_size_ = 1000;
  std::uint32_t every_epochs_ = 1;
  std::uint64_t every_steps_ = 0;
  const logger* log_ = nullptr;
  replica_metrics* metrics_ = nullptr;
  std::string model_text_;
};

} // namespace ds::actors
