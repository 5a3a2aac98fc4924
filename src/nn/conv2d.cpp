#include "nn/conv2d.hpp"

#include "nn/kernel_check.hpp"

#include <cmath>
#include <stdexcept>

namespace ds::nn {

namespace {

kernels::conv2d_shape make_shape(const conv2d_description& d, std::size_t batch) {
  kernels::conv2d_shape shape;
  shape.batch = batch;
  shape.in_channels = d.channels;
  shape.height = d.height;
  shape.width = d.width;
  shape.out_channels = d.out_channels;
  shape.kernel_h = d.kernel;
  shape.kernel_w = d.kernel;
  shape.stride = 1;
  shape.padding = d.kernel / 2;
  return checked(kernels::setup_conv2d(shape));
}

} // namespace

conv2d::conv2d(const conv2d_description& description)
  : shape_(make_shape(description, 1)), relu_(description.relu) {
}

std::size_t conv2d::input_size() const noexcept {
  return shape_.in_channels * shape_.height * shape_.width;
}

std::size_t conv2d::output_size() const noexcept {
  return shape_.out_channels * shape_.out_height * shape_.out_width;
}

std::size_t conv2d::weight_count() const noexcept {
  return shape_.out_channels * shape_.in_channels * shape_.kernel_h * shape_.kernel_w;
}

std::size_t conv2d::parameter_count() const noexcept {
  return weight_count() + shape_.out_channels;
}

void conv2d::bind(std::span<float> values, std::span<float> gradients) {
  values_ = values;
  gradients_ = gradients;
}

void conv2d::initialize(splitmix64& rng) {
  const float gain = relu_ ? std::sqrt(2.0f) : 1.0f;
  he_uniform(values_.first(weight_count()),
             shape_.in_channels * shape_.kernel_h * shape_.kernel_w, gain, rng);
  for (auto& b : values_.subspan(weight_count()))
    b = 0.0f;
}

const float* conv2d::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("conv2d: batch must be > 0");
  if (batch != shape_.batch) {
    shape_.batch = batch;
    shape_ = checked(kernels::setup_conv2d(shape_));
  }
  input_ = input;
  trained_ = training;
  scratch_.resize(shape_.scratch_floats);
  output_.resize(batch * output_size());
  kernels::conv2d_forward(shape_, output_.data(), input, values_.data(),
                          values_.data() + weight_count(), scratch_.data());
  if (relu_)
    for (auto& y : output_)
      y = y > 0.0f ? y : 0.0f;
  return output_.data();
}

const float* conv2d::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("conv2d: backward without a training forward");
  const float* grad_pre = grad_output;
  if (relu_) {
    grad_pre_activation_.resize(output_.size());
    for (std::size_t i = 0; i < output_.size(); ++i)
      grad_pre_activation_[i] = output_[i] > 0.0f ? grad_output[i] : 0.0f;
    grad_pre = grad_pre_activation_.data();
  }
  grad_input_.resize(shape_.batch * input_size());
  kernels::conv2d_backward(shape_, grad_input_.data(), gradients_.data(),
                           gradients_.data() + weight_count(), grad_pre, input_, values_.data(),
                           scratch_.data());
  return grad_input_.data();
}

} // namespace ds::nn
