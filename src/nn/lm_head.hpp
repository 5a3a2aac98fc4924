#pragma once
/// The output head of a language model: a final layer norm, then logits against the tied
/// token embedding, logits = LN(h) E^T, with no output matrix of its own.
///
/// Input rows are [context, dim]; output rows are [context, vocab], one prediction per
/// position (`output_positions()` is `context`). Parameter slice layout: gamma [dim], then
/// beta [dim]. The table E belongs to the token_embedding given at construction, which must
/// outlive this layer (a model owns both); it is read through that layer at each call, so the
/// binding order does not matter. Backward runs before the embedding's, so it OVERWRITES the
/// table's gradient with dlogits^T LN(h), and the embedding's backward then accumulates its
/// scatter-add into it (see layer.hpp).

#include "nn/layer.hpp"
#include "nn/token_embedding.hpp"

#include <vector>

namespace ds::nn {

class lm_head final : public layer {
public:
  /// Throws std::invalid_argument if `context` is 0.
  lm_head(token_embedding& embedding, std::size_t context);

  std::string_view name() const noexcept override { return "lm_head"; }
  std::size_t input_size() const noexcept override { return context_ * dim_; }
  std::size_t output_size() const noexcept override { return context_ * vocab_; }
  std::size_t output_positions() const noexcept override { return context_; }
  std::size_t parameter_count() const noexcept override { return 2 * dim_; }
  void bind(std::span<float> values, std::span<float> gradients) override;
  /// gamma = 1, beta = 0; draws nothing from `rng`.
  void initialize(splitmix64& rng) override;
  const float* forward(const float* input, std::size_t batch, bool training) override;
  const float* backward(const float* grad_output) override;

private:
  token_embedding* embedding_;
  std::size_t context_;
  std::size_t vocab_;
  std::size_t dim_;
  std::span<float> values_;
  std::span<float> gradients_;
  const float* input_ = nullptr;
  std::size_t rows_ = 0;
  bool trained_ = false;
  std::vector<float> normalized_;
  std::vector<float> mean_;
  std::vector<float> rstd_;
  std::vector<float> logits_;
  std::vector<float> grad_normalized_;
  std::vector<float> grad_input_;
};

} // namespace ds::nn
