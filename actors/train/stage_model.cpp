#include "train/stage_model.hpp"

#include <cstring>
#include <stdexcept>

namespace ds::actors {

stage_model model_of(const context& ctx) {
  const auto& text = ctx.config().get_string("model");
  try {
    auto task = nn::parse_model_spec(text).task;
    return {nn::build_model(text), task};
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error("stages." + ctx.stage_name() + ".model: " + e.what());
  }
}

tensor copy_to_tensor(memory_pool& pool, std::span<const float> values) {
  auto storage = pool.allocate(values.size() * sizeof(float));
  std::memcpy(storage.data(), values.data(), values.size() * sizeof(float));
  return tensor{std::move(storage), dtype::f32, {static_cast<std::int64_t>(values.size())}};
}

} // namespace ds::actors
