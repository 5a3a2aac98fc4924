#pragma once
/// A 2-D convolution layer with bias and optional ReLU, on the conv2d kernel (NCHW).
///
/// Input rows are [channels, height, width] images; output rows are [out_channels, out_height,
/// out_width] with "same" padding `kernel / 2` (odd kernels keep the size at stride 1).
/// Parameter slice layout: weight [out_channels, channels, kernel, kernel], then bias
/// [out_channels]. The layer owns the im2col scratch the kernel needs. ReLU is applied in
/// place on the output, and its derivative is read back from that output (y > 0 iff the
/// pre-activation was > 0), so no pre-activation copy is kept.

#include "nn/layer.hpp"

#include "cpu/conv2d.hpp"

#include <vector>

namespace ds::nn {

struct conv2d_description {
  std::size_t channels = 1;
  std::size_t height = 28;
  std::size_t width = 28;
  std::size_t out_channels = 32;
  std::size_t kernel = 5;
  bool relu = true;
};

class conv2d final : public layer {
public:
  /// Throws std::invalid_argument (from the kernel's setup, naming the dimension) on a zero
  /// dimension or a kernel larger than the padded input.
  explicit conv2d(const conv2d_description& description);

  std::string_view name() const noexcept override { return "conv2d"; }
  std::size_t input_size() const noexcept override;
  std::size_t output_size() const noexcept override;
  std::size_t parameter_count() const noexcept override;
  void bind(std::span<float> values, std::span<float> gradients) override;
  void initialize(splitmix64& rng) override;
  const float* forward(const float* input, std::size_t batch, bool training) override;
  const float* backward(const float* grad_output) override;

  std::size_t out_height() const noexcept { return shape_.out_height; }
  std::size_t out_width() const noexcept { return shape_.out_width; }

private:
  std::size_t weight_count() const noexcept;

  kernels::conv2d_shape shape_;
  bool relu_;
  std::span<float> values_;
  std::span<float> gradients_;
  const float* input_ = nullptr;
  bool trained_ = false;
  std::vector<float> scratch_;
  std::vector<float> output_;
  std::vector<float> grad_pre_activation_;
  std::vector<float> grad_input_;
};

} // namespace ds::nn
