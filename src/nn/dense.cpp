#include "nn/dense.hpp"

#include "cpu/gemm.hpp"
#include "nn/kernel_check.hpp"

#include <cmath>
#include <stdexcept>

namespace ds::nn {

dense::dense(std::size_t inputs, std::size_t outputs, kernels::activation act)
  : inputs_(inputs), outputs_(outputs), act_(act) {
  if (inputs == 0 || outputs == 0)
    throw std::invalid_argument("dense: inputs and outputs must be > 0");
}

void dense::bind(std::span<float> values, std::span<float> gradients) {
  values_ = values;
  gradients_ = gradients;
}

void dense::initialize(splitmix64& rng) {
  const float gain = act_ == kernels::activation::identity ? 1.0f : std::sqrt(2.0f);
  he_uniform(values_.first(inputs_ * outputs_), inputs_, gain, rng);
  for (auto& b : values_.subspan(inputs_ * outputs_))
    b = 0.0f;
}

const float* dense::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("dense: batch must be > 0");
  input_ = input;
  batch_ = batch;
  trained_ = training;
  pre_activation_.resize(batch * outputs_);
  output_.resize(batch * outputs_);
  kernels::gemm(checked(kernels::setup_gemm(false, false, batch, outputs_, inputs_)),
                pre_activation_.data(), input, values_.data());
  kernels::bias_activation_forward(
    checked(kernels::setup_bias_activation(batch, outputs_, act_)), output_.data(),
    pre_activation_.data(), values_.data() + inputs_ * outputs_);
  return output_.data();
}

const float* dense::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("dense: backward without a training forward");
  const float* weight = values_.data();
  grad_pre_activation_.resize(batch_ * outputs_);
  grad_input_.resize(batch_ * inputs_);
  kernels::bias_activation_backward(
    checked(kernels::setup_bias_activation(batch_, outputs_, act_)), grad_pre_activation_.data(),
    gradients_.data() + inputs_ * outputs_, grad_output, pre_activation_.data(),
    weight + inputs_ * outputs_);
  // dW [inputs, outputs] = x^T dz; dx [batch, inputs] = dz W^T.
  kernels::gemm(checked(kernels::setup_gemm(true, false, inputs_, outputs_, batch_)),
                gradients_.data(), input_, grad_pre_activation_.data());
  kernels::gemm(checked(kernels::setup_gemm(false, true, batch_, inputs_, outputs_)),
                grad_input_.data(), grad_pre_activation_.data(), weight);
  return grad_input_.data();
}

} // namespace ds::nn
