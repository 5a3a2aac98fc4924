#pragma once
/// The built-in models, built from plain descriptions: an MLP and a LeNet-style CNN
/// classifier here, and the transformer language model from transformer_lm.hpp.

#include "nn/model.hpp"
#include "nn/transformer_lm.hpp"

#include "cpu/bias_activation.hpp"

#include <cstdint>
#include <vector>

namespace ds::nn {

/// Dense layers of the given widths: sizes {784, 256, 128, 10} make 784→256→128→10 with
/// `hidden_activation` after every layer but the last, which gives logits.
struct mlp_description {
  std::vector<std::size_t> layer_sizes{784, 256, 128, 10};
  kernels::activation hidden_activation = kernels::activation::relu;
  std::uint64_t seed = 1;
  std::size_t bucket_bytes = default_bucket_bytes;
};

/// Throws std::invalid_argument if fewer than two sizes are given or one is 0.
model make_mlp(const mlp_description& description);

/// conv(channels→conv1_channels, kernel, same padding) + ReLU + max_pool2,
/// conv(conv1→conv2_channels) + ReLU + max_pool2, flatten,
/// dense(conv2_channels * (height/4) * (width/4) → hidden) + ReLU, dense(hidden → classes).
/// The defaults are the classic 28×28 LeNet-style net (dense 3136→256, 857,738 parameters);
/// `small_cnn()` is the variant that trains in seconds on two cores.
struct cnn_description {
  std::size_t channels = 1;
  std::size_t height = 28;
  std::size_t width = 28;
  std::size_t classes = 10;
  std::size_t conv1_channels = 32;
  std::size_t conv2_channels = 64;
  std::size_t kernel = 5;
  std::size_t hidden = 256;
  std::uint64_t seed = 1;
  std::size_t bucket_bytes = default_bucket_bytes;
};

/// 28×28 input, conv 1→8, conv 8→16, dense 784→64→10 (about 54k parameters).
cnn_description small_cnn();

/// Throws std::invalid_argument on a zero size, an even kernel (same padding needs an odd
/// one), or an image too small to pool twice.
model make_cnn(const cnn_description& description);

} // namespace ds::nn
