#include "nn/parameters.hpp"

#include <stdexcept>
#include <string>

namespace ds::nn {

parameter_store::parameter_store(std::span<const std::size_t> layer_sizes,
                                 std::size_t bucket_bytes)
  : layers_(layer_sizes.size()), bucket_of_(layer_sizes.size(), no_bucket) {
  if (bucket_bytes == 0)
    throw std::invalid_argument("parameter_store: bucket_bytes must be > 0");
  std::size_t offset = 0;
  bool open = false;
  for (std::size_t l = layer_sizes.size(); l-- > 0;) {
    if (layer_sizes[l] == 0)
      continue;
    layers_[l] = slice{offset, layer_sizes[l]};
    offset += layer_sizes[l];
    if (!open) {
      buckets_.push_back(bucket{slice{layers_[l].offset, 0}, l, l});
      open = true;
    }
    auto& current = buckets_.back();
    current.range.size += layer_sizes[l];
    current.first_layer = l;
    bucket_of_[l] = buckets_.size() - 1;
    if (current.range.size * sizeof(float) >= bucket_bytes)
      open = false;
  }
  if (offset == 0)
    throw std::invalid_argument("parameter_store: no layer has parameters ("
                                + std::to_string(layer_sizes.size()) + " layers)");
  values_.assign(offset, 0.0f);
  gradients_.assign(offset, 0.0f);
}

std::size_t parameter_store::bucket_completed_by(std::size_t layer) const {
  const auto b = bucket_of(layer);
  return b != no_bucket && buckets_[b].first_layer == layer ? b : no_bucket;
}

} // namespace ds::nn
