#pragma once
/// A fully connected layer, y = act(x W + b), on the gemm and fused bias/activation kernels.
///
/// Parameter slice layout: W [inputs, outputs] row-major, then b [outputs]. Keeping W as
/// [inputs, outputs] makes all three GEMMs (x W, x^T dz, dz W^T) plain row-major calls.
/// Keeps the pre-activation z = x W for backward, since the kernel recomputes act'(z + b).

#include "nn/layer.hpp"

#include "cpu/bias_activation.hpp"

#include <vector>

namespace ds::nn {

class dense final : public layer {
public:
  /// Throws std::invalid_argument if `inputs` or `outputs` is 0.
  dense(std::size_t inputs, std::size_t outputs, kernels::activation act);

  std::string_view name() const noexcept override { return "dense"; }
  std::size_t input_size() const noexcept override { return inputs_; }
  std::size_t output_size() const noexcept override { return outputs_; }
  std::size_t parameter_count() const noexcept override { return inputs_ * outputs_ + outputs_; }
  void bind(std::span<float> values, std::span<float> gradients) override;
  void initialize(splitmix64& rng) override;
  const float* forward(const float* input, std::size_t batch, bool training) override;
  const float* backward(const float* grad_output) override;

private:
  std::size_t inputs_;
  std::size_t outputs_;
  kernels::activation act_;
  std::span<float> values_;
  std::span<float> gradients_;
  const float* input_ = nullptr;
  std::size_t batch_ = 0;
  bool trained_ = false;
  std::vector<float> pre_activation_;
  std::vector<float> output_;
  std::vector<float> grad_pre_activation_;
  std::vector<float> grad_input_;
};

} // namespace ds::nn
