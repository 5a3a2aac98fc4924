#include "nn/lm_head.hpp"

#include "cpu/gemm.hpp"
#include "cpu/layer_norm.hpp"
#include "nn/kernel_check.hpp"

#include <algorithm>
#include <stdexcept>

namespace ds::nn {

lm_head::lm_head(token_embedding& embedding, std::size_t context)
  : embedding_(&embedding), context_(context), vocab_(embedding.vocab()),
    dim_(embedding.dim()) {
  if (context == 0)
    throw std::invalid_argument("lm_head: context must be > 0");
}

void lm_head::bind(std::span<float> values, std::span<float> gradients) {
  values_ = values;
  gradients_ = gradients;
}

void lm_head::initialize(splitmix64& rng) {
  static_cast<void>(rng);
  std::fill_n(values_.begin(), dim_, 1.0f);
  std::fill(values_.begin() + static_cast<std::ptrdiff_t>(dim_), values_.end(), 0.0f);
}

const float* lm_head::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("lm_head: batch must be > 0");
  input_ = input;
  rows_ = batch * context_;
  trained_ = training;
  normalized_.resize(rows_ * dim_);
  mean_.resize(rows_);
  rstd_.resize(rows_);
  logits_.resize(rows_ * vocab_);
  kernels::layer_norm_forward(checked(kernels::setup_layer_norm(rows_, dim_)),
                              normalized_.data(), mean_.data(), rstd_.data(), input,
                              values_.data(), values_.data() + dim_);
  // logits [rows, vocab] = LN(h) [rows, dim] E^T, E stored [vocab, dim].
  kernels::gemm(checked(kernels::setup_gemm(false, true, rows_, vocab_, dim_)), logits_.data(),
                normalized_.data(), embedding_->table().data());
  return logits_.data();
}

const float* lm_head::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("lm_head: backward without a training forward");
  grad_normalized_.resize(rows_ * dim_);
  grad_input_.resize(rows_ * dim_);
  // dE [vocab, dim] = dlogits^T LN(h), overwriting (this layer writes the tied gradient first);
  // dLN(h) [rows, dim] = dlogits E.
  kernels::gemm(checked(kernels::setup_gemm(true, false, vocab_, dim_, rows_)),
                embedding_->table_gradient().data(), grad_output, normalized_.data());
  kernels::gemm(checked(kernels::setup_gemm(false, false, rows_, dim_, vocab_)),
                grad_normalized_.data(), grad_output, embedding_->table().data());
  kernels::layer_norm_backward(checked(kernels::setup_layer_norm(rows_, dim_)),
                               grad_input_.data(), gradients_.data(), gradients_.data() + dim_,
                               grad_normalized_.data(), input_, mean_.data(), rstd_.data(),
                               values_.data());
  return grad_input_.data();
}

} // namespace ds::nn
