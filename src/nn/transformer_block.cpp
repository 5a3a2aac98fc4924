#include "nn/transformer_block.hpp"

#include "cpu/attention.hpp"
#include "cpu/bias_activation.hpp"
#include "cpu/gemm.hpp"
#include "cpu/layer_norm.hpp"
#include "nn/kernel_check.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ds::nn {

namespace {

using kernels::activation;

// The attention kernel wants [batch, heads, context, head_dim]; projections give rows
// [batch * context, width] with a head's columns at column + h * head_dim.
struct head_layout {
  std::size_t batch, context, heads, head_dim;
};

void to_heads(const head_layout& s, const float* rows, std::size_t width, std::size_t column,
              float* heads) noexcept {
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t h = 0; h < s.heads; ++h)
      for (std::size_t t = 0; t < s.context; ++t)
        std::copy_n(rows + (b * s.context + t) * width + column + h * s.head_dim, s.head_dim,
                    heads + ((b * s.heads + h) * s.context + t) * s.head_dim);
}

void from_heads(const head_layout& s, const float* heads, std::size_t width, std::size_t column,
                float* rows) noexcept {
  for (std::size_t b = 0; b < s.batch; ++b)
    for (std::size_t h = 0; h < s.heads; ++h)
      for (std::size_t t = 0; t < s.context; ++t)
        std::copy_n(heads + ((b * s.heads + h) * s.context + t) * s.head_dim, s.head_dim,
                    rows + (b * s.context + t) * width + column + h * s.head_dim);
}

// y [rows, n] (+)= x [rows, k] W [k, n]; accumulate keeps what y holds (the residual).
void project(float* y, const float* x, const float* weight, std::size_t rows, std::size_t k,
             std::size_t n, bool accumulate) {
  kernels::gemm(checked(kernels::setup_gemm(false, false, rows, n, k)), y, x, weight, 1.0f,
                accumulate ? 1.0f : 0.0f);
}

// The gradients of y = x W + b for dy [rows, n]: dW = x^T dy, dx = dy W^T (both overwritten)
// and db = column sums of dy. dy is the identity backward's dx and dy at once, which the kernel
// allows, so it stays unchanged.
void project_backward(float* dx, float* dweight, float* dbias, float* dy, const float* x,
                      const float* weight, const float* bias, std::size_t rows, std::size_t k,
                      std::size_t n) {
  kernels::bias_activation_backward(
    checked(kernels::setup_bias_activation(rows, n, activation::identity)), dy, dbias, dy, dy,
    bias);
  kernels::gemm(checked(kernels::setup_gemm(true, false, k, n, rows)), dweight, x, dy);
  kernels::gemm(checked(kernels::setup_gemm(false, true, rows, k, n)), dx, dy, weight);
}

void add_bias(float* y, const float* bias, std::size_t rows, std::size_t n) {
  kernels::bias_activation_forward(
    checked(kernels::setup_bias_activation(rows, n, activation::identity)), y, y, bias);
}

void add(float* into, const float* from, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i)
    into[i] += from[i];
}

} // namespace

transformer_block::layout transformer_block::make_layout(std::size_t dim,
                                                         std::size_t hidden) noexcept {
  layout at{};
  std::size_t offset = 0;
  auto take = [&](std::size_t& field, std::size_t size) {
    field = offset;
    offset += size;
  };
  take(at.ln1_gamma, dim);
  take(at.ln1_beta, dim);
  take(at.qkv_weight, dim * 3 * dim);
  take(at.qkv_bias, 3 * dim);
  take(at.proj_weight, dim * dim);
  take(at.proj_bias, dim);
  take(at.ln2_gamma, dim);
  take(at.ln2_beta, dim);
  take(at.fc_weight, dim * hidden);
  take(at.fc_bias, hidden);
  take(at.out_weight, hidden * dim);
  take(at.out_bias, dim);
  at.total = offset;
  return at;
}

transformer_block::transformer_block(const transformer_block_description& d)
  : context_(d.context), dim_(d.dim), heads_(d.heads), head_dim_(d.heads ? d.dim / d.heads : 0),
    hidden_(d.ffn_multiplier * d.dim), blocks_(d.blocks), at_(make_layout(dim_, hidden_)) {
  if (d.context == 0 || d.dim == 0 || d.heads == 0 || d.ffn_multiplier == 0 || d.blocks == 0)
    throw std::invalid_argument(
      "transformer_block: context, dim, heads, ffn_multiplier and blocks must be > 0 (got "
      + std::to_string(d.context) + ", " + std::to_string(d.dim) + ", " + std::to_string(d.heads)
      + ", " + std::to_string(d.ffn_multiplier) + ", " + std::to_string(d.blocks) + ")");
  if (d.dim % d.heads != 0)
    throw std::invalid_argument("transformer_block: dim " + std::to_string(d.dim)
                                + " is not divisible by heads " + std::to_string(d.heads));
}

std::size_t transformer_block::parameter_count() const noexcept { return at_.total; }

void transformer_block::bind(std::span<float> values, std::span<float> gradients) {
  values_ = values;
  gradients_ = gradients;
}

void transformer_block::initialize(splitmix64& rng) {
  std::fill(values_.begin(), values_.end(), 0.0f);
  std::fill_n(values_.begin() + static_cast<std::ptrdiff_t>(at_.ln1_gamma), dim_, 1.0f);
  std::fill_n(values_.begin() + static_cast<std::ptrdiff_t>(at_.ln2_gamma), dim_, 1.0f);
  const float weight_std = 0.02f;
  const float residual_std = weight_std / std::sqrt(2.0f * static_cast<float>(blocks_));
  uniform_with_std(values_.subspan(at_.qkv_weight, dim_ * 3 * dim_), weight_std, rng);
  uniform_with_std(values_.subspan(at_.proj_weight, dim_ * dim_), residual_std, rng);
  uniform_with_std(values_.subspan(at_.fc_weight, dim_ * hidden_), weight_std, rng);
  uniform_with_std(values_.subspan(at_.out_weight, hidden_ * dim_), residual_std, rng);
}

const float* transformer_block::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("transformer_block: batch must be > 0");
  input_ = input;
  batch_ = batch;
  trained_ = training;
  const auto rows = batch * context_;
  const auto width = rows * dim_;
  const float* p = values_.data();
  const head_layout heads{batch, context_, heads_, head_dim_};
  const auto attention = checked(kernels::setup_attention(batch, heads_, context_, head_dim_));
  const auto norm = checked(kernels::setup_layer_norm(rows, dim_));
  ln1_.resize(width);
  ln1_mean_.resize(rows);
  ln1_rstd_.resize(rows);
  qkv_rows_.resize(3 * width);
  qkv_heads_.resize(3 * width);
  probs_.resize(batch * heads_ * context_ * context_);
  attention_.resize(width);
  merged_.resize(width);
  ln2_.resize(width);
  ln2_mean_.resize(rows);
  ln2_rstd_.resize(rows);
  fc_pre_.resize(rows * hidden_);
  fc_.resize(rows * hidden_);

  // Attention branch: residual = x + proj(attention(split(LN1(x) Wqkv + bqkv))).
  kernels::layer_norm_forward(norm, ln1_.data(), ln1_mean_.data(), ln1_rstd_.data(), input,
                              p + at_.ln1_gamma, p + at_.ln1_beta);
  project(qkv_rows_.data(), ln1_.data(), p + at_.qkv_weight, rows, dim_, 3 * dim_, false);
  add_bias(qkv_rows_.data(), p + at_.qkv_bias, rows, 3 * dim_);
  float* q = qkv_heads_.data();
  for (std::size_t part = 0; part < 3; ++part)
    to_heads(heads, qkv_rows_.data(), 3 * dim_, part * dim_, q + part * width);
  kernels::attention_forward(attention, attention_.data(), probs_.data(), q, q + width,
                             q + 2 * width);
  from_heads(heads, attention_.data(), dim_, 0, merged_.data());
  residual_.assign(input, input + width);
  project(residual_.data(), merged_.data(), p + at_.proj_weight, rows, dim_, dim_, true);
  add_bias(residual_.data(), p + at_.proj_bias, rows, dim_);

  // FFN branch: output = residual + GELU(LN2(residual) Wfc + bfc) Wout + bout.
  kernels::layer_norm_forward(norm, ln2_.data(), ln2_mean_.data(), ln2_rstd_.data(),
                              residual_.data(), p + at_.ln2_gamma, p + at_.ln2_beta);
  project(fc_pre_.data(), ln2_.data(), p + at_.fc_weight, rows, dim_, hidden_, false);
  kernels::bias_activation_forward(
    checked(kernels::setup_bias_activation(rows, hidden_, activation::gelu)), fc_.data(),
    fc_pre_.data(), p + at_.fc_bias);
  output_ = residual_;
  project(output_.data(), fc_.data(), p + at_.out_weight, rows, hidden_, dim_, true);
  add_bias(output_.data(), p + at_.out_bias, rows, dim_);
  return output_.data();
}

const float* transformer_block::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("transformer_block: backward without a training forward");
  const auto rows = batch_ * context_;
  const auto width = rows * dim_;
  const float* p = values_.data();
  float* g = gradients_.data();
  const head_layout heads{batch_, context_, heads_, head_dim_};
  const auto attention = checked(kernels::setup_attention(batch_, heads_, context_, head_dim_));
  const auto norm = checked(kernels::setup_layer_norm(rows, dim_));
  grad_residual_.assign(grad_output, grad_output + width);
  grad_hidden_.resize(rows * hidden_);
  grad_normalized_.resize(width);
  grad_merged_.resize(width);
  grad_heads_.resize(width);
  grad_qkv_heads_.resize(3 * width);
  grad_qkv_rows_.resize(3 * width);
  grad_input_.resize(width);
  attention_scratch_.resize(attention.scratch_floats);

  // FFN branch. grad_residual_ holds dy, the gradient of both the output projection and,
  // through the skip connection, of the residual.
  project_backward(grad_hidden_.data(), g + at_.out_weight, g + at_.out_bias,
                   grad_residual_.data(), fc_.data(), p + at_.out_weight, p + at_.out_bias, rows,
                   hidden_, dim_);
  kernels::bias_activation_backward(
    checked(kernels::setup_bias_activation(rows, hidden_, activation::gelu)), grad_hidden_.data(),
    g + at_.fc_bias, grad_hidden_.data(), fc_pre_.data(), p + at_.fc_bias);
  kernels::gemm(checked(kernels::setup_gemm(true, false, dim_, hidden_, rows)), g + at_.fc_weight,
                ln2_.data(), grad_hidden_.data());
  kernels::gemm(checked(kernels::setup_gemm(false, true, rows, dim_, hidden_)),
                grad_normalized_.data(), grad_hidden_.data(), p + at_.fc_weight);
  // grad_input_ is free until the end: it takes LN2's input gradient for the sum.
  kernels::layer_norm_backward(norm, grad_input_.data(), g + at_.ln2_gamma, g + at_.ln2_beta,
                               grad_normalized_.data(), residual_.data(), ln2_mean_.data(),
                               ln2_rstd_.data(), p + at_.ln2_gamma);
  add(grad_residual_.data(), grad_input_.data(), width);

  // Attention branch, from the gradient of residual = x + merged Wproj + bproj.
  project_backward(grad_merged_.data(), g + at_.proj_weight, g + at_.proj_bias,
                   grad_residual_.data(), merged_.data(), p + at_.proj_weight,
                   p + at_.proj_bias, rows, dim_, dim_);
  to_heads(heads, grad_merged_.data(), dim_, 0, grad_heads_.data());
  const float* q = qkv_heads_.data();
  float* dq = grad_qkv_heads_.data();
  kernels::attention_backward(attention, dq, dq + width, dq + 2 * width, grad_heads_.data(), q,
                              q + width, q + 2 * width, probs_.data(),
                              attention_scratch_.data());
  for (std::size_t part = 0; part < 3; ++part)
    from_heads(heads, dq + part * width, 3 * dim_, part * dim_, grad_qkv_rows_.data());
  project_backward(grad_normalized_.data(), g + at_.qkv_weight, g + at_.qkv_bias,
                   grad_qkv_rows_.data(), ln1_.data(), p + at_.qkv_weight, p + at_.qkv_bias,
                   rows, dim_, 3 * dim_);
  kernels::layer_norm_backward(norm, grad_input_.data(), g + at_.ln1_gamma, g + at_.ln1_beta,
                               grad_normalized_.data(), input_, ln1_mean_.data(),
                               ln1_rstd_.data(), p + at_.ln1_gamma);
  add(grad_input_.data(), grad_residual_.data(), width);
  return grad_input_.data();
}

} // namespace ds::nn
