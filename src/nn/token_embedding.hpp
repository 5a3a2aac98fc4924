#pragma once
/// Token plus learned positional embedding: the first layer of a language model.
///
/// Input rows are `context` token ids; output rows are [context, dim], row t being
/// table[id_t] + positions[t]. The layer chain is float in, float out, so ids travel as floats:
/// exact for every id below 2^24, which is why the vocabulary is capped there. An input that is
/// not an integer in [0, vocab) makes forward throw rather than train on a wrong row.
/// Parameter slice layout: table [vocab, dim], then positions [context, dim].
///
/// The table is shared with the output head (lm_head), which reads it and writes its gradient
/// through `table()` and `table_gradient()`. Backward runs the head first, so the head
/// overwrites the table's gradient and this layer's backward ACCUMULATES its scatter-add into
/// it — the one exception to "backward overwrites" (see layer.hpp); the positions' gradient is
/// overwritten as usual. Used without a head, the caller zeroes the table's gradient first.

#include "nn/layer.hpp"

#include <cstdint>
#include <vector>

namespace ds::nn {

class token_embedding final : public layer {
public:
  /// Throws std::invalid_argument on a zero size or `vocab` above 2^24.
  token_embedding(std::size_t vocab, std::size_t context, std::size_t dim);

  std::string_view name() const noexcept override { return "token_embedding"; }
  std::size_t input_size() const noexcept override { return context_; }
  std::size_t output_size() const noexcept override { return context_ * dim_; }
  std::size_t parameter_count() const noexcept override { return (vocab_ + context_) * dim_; }
  void bind(std::span<float> values, std::span<float> gradients) override;
  /// Table and positions from uniform_with_std(0.02).
  void initialize(splitmix64& rng) override;
  /// Throws std::invalid_argument naming the sample and position of an input that is not a
  /// token id.
  const float* forward(const float* input, std::size_t batch, bool training) override;
  /// Returns zeros: the loss is piecewise constant in the ids.
  const float* backward(const float* grad_output) override;

  std::size_t vocab() const noexcept { return vocab_; }
  std::size_t dim() const noexcept { return dim_; }

  /// The bound table [vocab, dim] and its gradient, for a tied output head.
  std::span<const float> table() const noexcept { return values_.first(vocab_ * dim_); }
  std::span<float> table_gradient() noexcept { return gradients_.first(vocab_ * dim_); }

private:
  std::size_t vocab_;
  std::size_t context_;
  std::size_t dim_;
  std::span<float> values_;
  std::span<float> gradients_;
  std::size_t batch_ = 0;
  bool trained_ = false;
  std::vector<std::int32_t> ids_;
  std::vector<float> output_;
  std::vector<float> grad_input_;
};

} // namespace ds::nn
