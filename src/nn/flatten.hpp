#pragma once
/// Turns [batch, channels, height, width] into [batch, channels * height * width].
///
/// NCHW images are already contiguous per sample, so this moves no data: forward returns its
/// input and backward its output gradient. It exists so that a model description states where
/// spatial layers end and dense layers begin, and so sizes are checked at that seam.

#include "nn/layer.hpp"

#include <stdexcept>

namespace ds::nn {

class flatten final : public layer {
public:
  explicit flatten(std::size_t features) noexcept : features_(features) {}

  std::string_view name() const noexcept override { return "flatten"; }
  std::size_t input_size() const noexcept override { return features_; }
  std::size_t output_size() const noexcept override { return features_; }

  const float* forward(const float* input, std::size_t batch, bool training) override {
    if (batch == 0)
      throw std::invalid_argument("flatten: batch must be > 0");
    trained_ = training;
    return input;
  }

  const float* backward(const float* grad_output) override {
    if (!trained_)
      throw std::logic_error("flatten: backward without a training forward");
    return grad_output;
  }

private:
  std::size_t features_;
  bool trained_ = false;
};

} // namespace ds::nn
