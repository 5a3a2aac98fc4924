#include "nn/max_pool2.hpp"

#include "nn/kernel_check.hpp"

#include <stdexcept>

namespace ds::nn {

max_pool2::max_pool2(std::size_t channels, std::size_t height, std::size_t width)
  : shape_(checked(kernels::setup_max_pool(1, channels, height, width))) {
}

std::size_t max_pool2::input_size() const noexcept {
  return shape_.channels * shape_.height * shape_.width;
}

std::size_t max_pool2::output_size() const noexcept {
  return shape_.channels * shape_.out_height * shape_.out_width;
}

const float* max_pool2::forward(const float* input, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("max_pool2: batch must be > 0");
  if (batch != shape_.batch)
    shape_ = checked(kernels::setup_max_pool(batch, shape_.channels, shape_.height, shape_.width));
  trained_ = training;
  output_.resize(batch * output_size());
  argmax_.resize(output_.size());
  kernels::max_pool_forward(shape_, output_.data(), argmax_.data(), input);
  return output_.data();
}

const float* max_pool2::backward(const float* grad_output) {
  if (!trained_)
    throw std::logic_error("max_pool2: backward without a training forward");
  grad_input_.resize(shape_.batch * input_size());
  kernels::max_pool_backward(shape_, grad_input_.data(), grad_output, argmax_.data());
  return grad_input_.data();
}

} // namespace ds::nn
