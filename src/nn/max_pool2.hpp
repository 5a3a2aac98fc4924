#pragma once
/// 2x2 max pooling with stride 2 (NCHW), on the max_pool kernel; no parameters.
///
/// Input rows are [channels, height, width]; output rows [channels, height / 2, width / 2]
/// (an odd last row or column is dropped). Keeps the kernel's per-output argmax for backward.

#include "nn/layer.hpp"

#include "cpu/max_pool.hpp"

#include <cstdint>
#include <vector>

namespace ds::nn {

class max_pool2 final : public layer {
public:
  /// Throws std::invalid_argument (from the kernel's setup) if a dimension is too small.
  max_pool2(std::size_t channels, std::size_t height, std::size_t width);

  std::string_view name() const noexcept override { return "max_pool2"; }
  std::size_t input_size() const noexcept override;
  std::size_t output_size() const noexcept override;
  const float* forward(const float* input, std::size_t batch, bool training) override;
  const float* backward(const float* grad_output) override;

  std::size_t out_height() const noexcept { return shape_.out_height; }
  std::size_t out_width() const noexcept { return shape_.out_width; }

private:
  kernels::max_pool_shape shape_;
  bool trained_ = false;
  std::vector<float> output_;
  std::vector<std::int32_t> argmax_;
  std::vector<float> grad_input_;
};

} // namespace ds::nn
