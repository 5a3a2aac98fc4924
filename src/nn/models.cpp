#include "nn/models.hpp"

#include "nn/conv2d.hpp"
#include "nn/dense.hpp"
#include "nn/flatten.hpp"
#include "nn/max_pool2.hpp"

#include <stdexcept>
#include <string>

namespace ds::nn {

model make_mlp(const mlp_description& description) {
  const auto& sizes = description.layer_sizes;
  if (sizes.size() < 2)
    throw std::invalid_argument("make_mlp: layer_sizes needs at least input and output sizes");
  std::vector<std::unique_ptr<layer>> layers;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const bool last = i + 2 == sizes.size();
    layers.push_back(std::make_unique<dense>(
      sizes[i], sizes[i + 1],
      last ? kernels::activation::identity : description.hidden_activation));
  }
  return model{std::move(layers), description.seed, description.bucket_bytes};
}

cnn_description small_cnn() {
  cnn_description description;
  description.conv1_channels = 8;
  description.conv2_channels = 16;
  description.hidden = 64;
  return description;
}

model make_cnn(const cnn_description& d) {
  if (d.kernel % 2 == 0)
    throw std::invalid_argument("make_cnn: kernel must be odd for same padding (got "
                                + std::to_string(d.kernel) + ")");
  if (d.classes == 0 || d.hidden == 0)
    throw std::invalid_argument("make_cnn: classes and hidden must be > 0");
  std::vector<std::unique_ptr<layer>> layers;
  auto conv1 = std::make_unique<conv2d>(
    conv2d_description{d.channels, d.height, d.width, d.conv1_channels, d.kernel, true});
  auto pool1 = std::make_unique<max_pool2>(d.conv1_channels, conv1->out_height(),
                                           conv1->out_width());
  auto conv2 = std::make_unique<conv2d>(conv2d_description{
    d.conv1_channels, pool1->out_height(), pool1->out_width(), d.conv2_channels, d.kernel, true});
  auto pool2 = std::make_unique<max_pool2>(d.conv2_channels, conv2->out_height(),
                                           conv2->out_width());
  const auto features = pool2->output_size();
  layers.push_back(std::move(conv1));
  layers.push_back(std::move(pool1));
  layers.push_back(std::move(conv2));
  layers.push_back(std::move(pool2));
  layers.push_back(std::make_unique<flatten>(features));
  layers.push_back(std::make_unique<dense>(features, d.hidden, kernels::activation::relu));
  layers.push_back(std::make_unique<dense>(d.hidden, d.classes, kernels::activation::identity));
  return model{std::move(layers), d.seed, d.bucket_bytes};
}

} // namespace ds::nn
