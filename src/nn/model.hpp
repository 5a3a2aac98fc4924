#pragma once
/// A feed-forward classifier: a chain of layers, a fused softmax cross-entropy head, and all
/// parameters and gradients in one parameter_store.
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
  /// index on a size mismatch, or if `layers` is empty or has no parameters.
  model(std::vector<std::unique_ptr<layer>> layers, std::uint64_t seed,
        std::size_t bucket_bytes = default_bucket_bytes);

  model(model&&) noexcept = default;
  model& operator=(model&&) noexcept = default;

  /// Training forward of `batch` rows of `x` ([batch, input_size()]) and the mean
  /// cross-entropy against `labels` (`batch` class indices). `x` must stay valid and unchanged
  /// until backward returns; labels are copied. A label outside [0, classes()) makes the loss
  /// NaN (the kernel's contract). Throws std::invalid_argument if `batch` is 0.
  float forward_loss(const float* x, const std::int32_t* labels, std::size_t batch);

  /// Backward of the last forward_loss: overwrites the whole gradient buffer and calls
  /// `on_bucket_ready` (if set) once per bucket, in bucket order. Throws std::logic_error if
  /// no forward_loss preceded it.
  void backward(const bucket_callback& on_bucket_ready = {});

  /// Inference forward: logits [batch, classes()], valid until the next forward.
  const float* logits(const float* x, std::size_t batch);

  /// Writes the arg-max class of each row to `classes` (`batch` entries; ties pick the lower).
  void predict(const float* x, std::size_t batch, std::int32_t* classes);

  /// Fraction of rows whose predicted class equals the label.
  double accuracy(const float* x, const std::int32_t* labels, std::size_t batch);

  std::span<float> parameters() noexcept { return store_.values(); }
  std::span<const float> parameters() const noexcept { return store_.values(); }
  std::span<float> gradients() noexcept { return store_.gradients(); }
  std::span<const float> gradients() const noexcept { return store_.gradients(); }

  /// The flat layout and bucket table.
  const parameter_store& store() const noexcept { return store_; }

  std::size_t layer_count() const noexcept { return layers_.size(); }
  const layer& layer_at(std::size_t index) const { return *layers_.at(index); }
  std::size_t input_size() const noexcept { return layers_.front()->input_size(); }
  std::size_t classes() const noexcept { return layers_.back()->output_size(); }

private:
  const float* run_forward(const float* x, std::size_t batch, bool training);

  std::vector<std::unique_ptr<layer>> layers_;
  parameter_store store_;
  std::vector<std::int32_t> labels_;
  const float* logits_ = nullptr;
  std::vector<float> grad_logits_;
  std::vector<std::int32_t> predictions_;
};

} // namespace ds::nn
