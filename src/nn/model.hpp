#pragma once
/// A feed-forward model scored by softmax cross-entropy: a chain of layers, a fused softmax
/// cross-entropy loss, and all parameters and gradients in one parameter_store.
///
/// The last layer's output per sample is `positions_per_sample()` rows of `classes()` logits,
/// each row one prediction with its own label: a classifier predicts once per sample (1
/// position), a language model once per token (see transformer_lm.hpp; its inputs are token ids
/// stored as floats, exact below 2^24). The loss is the mean over all batch * positions rows.
///
/// One training step is `forward_loss` then `backward`; `backward` reports each gradient bucket
/// through a callback the moment its gradients are final, in bucket order (reverse layer
/// order), so a caller can start reducing bucket 0 while the earlier layers still run backward.
/// Not thread-safe: one model serves one thread at a time. Move-only; spans into the flat
/// buffers survive moves.

#include "nn/layer.hpp"
#include "nn/parameters.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace ds::nn {

class model {
public:
  /// Called with a bucket index, on the thread running backward, before backward continues
  /// into earlier layers. It may read (or copy out) that bucket's gradients; it must not write
  /// the parameters of layers still to run backward.
  using bucket_callback = std::function<void(std::size_t bucket)>;

  /// Chains `layers` (output_size of each must equal input_size of the next; the last one's
  /// output is the logits), lays out their parameters, and initializes them in layer order
  /// from one splitmix64 seeded with `seed`. Throws std::invalid_argument naming the layer
  /// index on a size mismatch, if the last layer's output_size is not a multiple of its
  /// output_positions, or if `layers` is empty or has no parameters.
  model(std::vector<std::unique_ptr<layer>> layers, std::uint64_t seed,
        std::size_t bucket_bytes = default_bucket_bytes);

  model(model&&) noexcept = default;
  model& operator=(model&&) noexcept = default;

  /// Training forward of `batch` rows of `x` ([batch, input_size()]) and the mean
  /// cross-entropy against `labels` (batch * labels_per_sample() class indices, sample-major).
  /// `x` must stay valid and unchanged until backward returns; labels are copied. A label
  /// outside [0, classes()) makes the loss NaN (the kernel's contract). Throws
  /// std::invalid_argument if `batch` is 0, or whatever a layer throws on bad input.
  float forward_loss(const float* x, const std::int32_t* labels, std::size_t batch);

  /// Backward of the last forward_loss: overwrites the whole gradient buffer and calls
  /// `on_bucket_ready` (if set) once per bucket, in bucket order. Throws std::logic_error if
  /// no forward_loss preceded it.
  void backward(const bucket_callback& on_bucket_ready = {});

  /// Inference forward: logits [batch * positions_per_sample(), classes()], valid until the
  /// next forward.
  const float* logits(const float* x, std::size_t batch);

  /// Writes the arg-max class of each prediction row to `classes` (batch *
  /// positions_per_sample() entries; ties pick the lower).
  void predict(const float* x, std::size_t batch, std::int32_t* classes);

  /// Fraction of prediction rows whose arg-max class equals the label (`labels` as in
  /// forward_loss).
  double accuracy(const float* x, const std::int32_t* labels, std::size_t batch);

  /// Mean cross-entropy in nats over all prediction rows, from an inference forward that
  /// keeps no backward state (backward is refused after it). For a character-level language
  /// model this is nats per character; bits per character are nats / ln 2. `labels` as in
  /// forward_loss.
  double evaluate_loss(const float* x, const std::int32_t* labels, std::size_t batch);

  std::span<float> parameters() noexcept { return store_.values(); }
  std::span<const float> parameters() const noexcept { return store_.values(); }
  std::span<float> gradients() noexcept { return store_.gradients(); }
  std::span<const float> gradients() const noexcept { return store_.gradients(); }

  /// The flat layout and bucket table.
  const parameter_store& store() const noexcept { return store_; }

  std::size_t layer_count() const noexcept { return layers_.size(); }
  const layer& layer_at(std::size_t index) const { return *layers_.at(index); }
  std::size_t input_size() const noexcept { return layers_.front()->input_size(); }
  /// Predictions per sample: 1 for a classifier, the context length for a language model.
  std::size_t positions_per_sample() const noexcept {
    return layers_.back()->output_positions();
  }
  /// Labels forward_loss reads per sample: one per prediction, so positions_per_sample().
  std::size_t labels_per_sample() const noexcept { return positions_per_sample(); }
  /// Logits per prediction.
  std::size_t classes() const noexcept {
    return layers_.back()->output_size() / positions_per_sample();
  }

private:
  const float* run_forward(const float* x, std::size_t batch, bool training);
  std::size_t prediction_rows(std::size_t batch) const noexcept {
    return batch * positions_per_sample();
  }

  std::vector<std::unique_ptr<layer>> layers_;
  parameter_store store_;
  std::vector<std::int32_t> labels_;
  const float* logits_ = nullptr;
  std::vector<float> grad_logits_;
  std::vector<std::int32_t> predictions_;
};

} // namespace ds::nn
