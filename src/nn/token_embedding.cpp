#include "nn/token_embedding.hpp"

#include "cpu/embedding.hpp"
#include "nn/kernel_check.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ds::nn {

namespace {

// Floats hold every integer up to 2^24 exactly; above it ids would collide.
constexpr std::size_t max_vocab = std::size_t{1} << 24;

// An integer in [0, vocab); written so that NaN fails too.
bool is_token_id(float id, std::size_t vocab) noexcept {
  return id >= 0.0f && id < static_cast<float>(vocab)
         && id == static_cast<float>(static_cast<std::int32_t>(id));
}

} // namespace

token_embedding::token_embedding(std::size_t vocab, std::size_t context, std::size_t dim)
  : vocab_(vocab), context_(context), dim_(dim) {
  if (vocab == 0 || context == 0 || dim == 0)
    throw std::invalid_argument("token_embedding: vocab, context and dim must be > 0 (got "
                                + std::to_string(vocab) + ", " + std::to_string(context) + ", "
                                + std::to_string(dim) + ")");
  if (vocab > max_vocab)
    throw std::invalid_argument("token_embedding: vocab " + std::to_string(vocab)
                                + " exceeds 2^24, the ids a float holds exactly");
}

void token_embedding::bind(std::span<float> values, std::span<float> gradients) {
  values_ = values;
  gradients_ = gradients;
}

void token_embedding::initialize(splitmix64& rng) {
  uniform_with_std(values_, 0.02f, rng);
}

const float* token_embedding::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("token_embedding: batch must be > 0");
  const auto rows = batch * context_;
  ids_.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const float id = input[r];
    if (!is_token_id(id, vocab_))
      throw std::invalid_argument("token_embedding: sample " + std::to_string(r / context_)
                                  + " position " + std::to_string(r % context_) + " holds "
                                  + std::to_string(id) + ", not a token id in [0, "
                                  + std::to_string(vocab_) + ")");
    ids_[r] = static_cast<std::int32_t>(id);
  }
  batch_ = batch;
  trained_ = training;
  output_.resize(rows * dim_);
  kernels::embedding_forward(checked(kernels::setup_embedding(vocab_, dim_, rows)),
                             output_.data(), values_.data(), ids_.data());
  const float* positions = values_.data() + vocab_ * dim_;
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = output_.data() + r * dim_;
    const float* position = positions + (r % context_) * dim_;
    for (std::size_t d = 0; d < dim_; ++d)
      row[d] += position[d];
  }
  return output_.data();
}

const float* token_embedding::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("token_embedding: backward without a training forward");
  const auto rows = batch_ * context_;
  // Accumulates onto the head's contribution to the tied table (see the header).
  kernels::embedding_backward(checked(kernels::setup_embedding(vocab_, dim_, rows)),
                              gradients_.data(), grad_output, ids_.data());
  const auto position_floats = context_ * dim_;
  float* positions = gradients_.data() + vocab_ * dim_;
  std::copy_n(grad_output, position_floats, positions);
  for (std::size_t b = 1; b < batch_; ++b) {
    const float* sample = grad_output + b * position_floats;
    for (std::size_t i = 0; i < position_floats; ++i)
      positions[i] += sample[i];
  }
  grad_input_.assign(rows, 0.0f);
  return grad_input_.data();
}

} // namespace ds::nn
