#pragma once
/// One pre-LN transformer decoder block: x += attn(LN1(x)); x += FFN(LN2(x)).
///
/// attn is causal multi-head self-attention with a fused QKV projection and an output
/// projection; FFN is dense(dim -> ffn_multiplier * dim) + GELU, dense(-> dim). Input and output
/// rows are [context, dim]; every projection is one GEMM over all batch * context rows, and only
/// the attention core works per head, in the kernel's [batch, heads, context, head_dim] layout.
/// The whole block is one layer, hence one bucket unit: its gradients become final together.
///
/// Parameter slice layout, every matrix stored [inputs, outputs] row-major as in dense:
///   ln1 gamma [dim], ln1 beta [dim], qkv weight [dim, 3 dim] (columns: q, k, v, each split
///   into heads of head_dim), qkv bias [3 dim], proj weight [dim, dim], proj bias [dim],
///   ln2 gamma [dim], ln2 beta [dim], fc weight [dim, hidden], fc bias [hidden],
///   out weight [hidden, dim], out bias [dim].

#include "nn/layer.hpp"

#include <vector>

namespace ds::nn {

struct transformer_block_description {
  std::size_t context = 128;
  std::size_t dim = 128;
  std::size_t heads = 4;
  std::size_t ffn_multiplier = 4;
  /// Blocks in the model: the two projections that write into the residual stream start at
  /// std 0.02 / sqrt(2 blocks) (GPT-2), so the stream's variance does not grow with depth.
  std::size_t blocks = 1;
};

class transformer_block final : public layer {
public:
  /// Throws std::invalid_argument on a zero size or `dim` not divisible by `heads`.
  explicit transformer_block(const transformer_block_description& description);

  std::string_view name() const noexcept override { return "transformer_block"; }
  std::size_t input_size() const noexcept override { return context_ * dim_; }
  std::size_t output_size() const noexcept override { return context_ * dim_; }
  std::size_t parameter_count() const noexcept override;
  void bind(std::span<float> values, std::span<float> gradients) override;
  /// Layer norms gamma = 1, beta = 0; weights uniform_with_std(0.02), scaled down for the
  /// residual projections; biases 0.
  void initialize(splitmix64& rng) override;
  const float* forward(const float* input, std::size_t batch, bool training) override;
  const float* backward(const float* grad_output) override;

private:
  // Offsets of each tensor in the parameter slice.
  struct layout {
    std::size_t ln1_gamma, ln1_beta, qkv_weight, qkv_bias, proj_weight, proj_bias;
    std::size_t ln2_gamma, ln2_beta, fc_weight, fc_bias, out_weight, out_bias, total;
  };
  static layout make_layout(std::size_t dim, std::size_t hidden) noexcept;

  std::size_t context_;
  std::size_t dim_;
  std::size_t heads_;
  std::size_t head_dim_;
  std::size_t hidden_;
  std::size_t blocks_;
  layout at_;
  std::span<float> values_;
  std::span<float> gradients_;
  const float* input_ = nullptr;
  std::size_t batch_ = 0;
  bool trained_ = false;
  // Kept from forward for backward; [rows, ...] unless noted.
  std::vector<float> ln1_, ln1_mean_, ln1_rstd_;
  std::vector<float> qkv_rows_;  // [rows, 3 dim], before the split into heads
  std::vector<float> qkv_heads_; // q, k, v, each [batch, heads, context, head_dim]
  std::vector<float> probs_;     // [batch, heads, context, context]
  std::vector<float> attention_; // [batch, heads, context, head_dim]
  std::vector<float> merged_;    // attention_ as [rows, dim]
  std::vector<float> residual_;  // x + attention branch
  std::vector<float> ln2_, ln2_mean_, ln2_rstd_;
  std::vector<float> fc_pre_;    // before bias and GELU, which the backward recomputes from
  std::vector<float> fc_;        // [rows, hidden]
  std::vector<float> output_;
  // Backward buffers, reused across steps.
  std::vector<float> grad_residual_, grad_hidden_, grad_normalized_, grad_merged_, grad_heads_,
    grad_qkv_heads_, grad_qkv_rows_, grad_input_, attention_scratch_;
};

} // namespace ds::nn
