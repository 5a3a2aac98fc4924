#include "nn/optimizer.hpp"

#include "cpu/optimizer_update.hpp"
#include "nn/kernel_check.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace ds::nn {

float learning_rate_at(const lr_schedule& s, std::size_t step) noexcept {
  if (step < s.warmup_steps)
    return s.peak * static_cast<float>(step + 1) / static_cast<float>(s.warmup_steps);
  const auto decay_steps = std::max<std::size_t>(
    1, s.total_steps - std::min(s.total_steps, s.warmup_steps));
  const double progress = std::min(
    1.0, static_cast<double>(step - s.warmup_steps) / static_cast<double>(decay_steps));
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return static_cast<float>(s.min_lr + (s.peak - s.min_lr) * cosine);
}

double global_norm(std::span<const float> gradients) noexcept {
  double sum = 0.0;
  for (const float g : gradients)
    sum += static_cast<double>(g) * g;
  return std::sqrt(sum);
}

double clip_global_norm(std::span<float> gradients, float max_norm) noexcept {
  const double norm = global_norm(gradients);
  if (std::isfinite(norm) && norm > max_norm) {
    const auto scale = static_cast<float>(max_norm / norm);
    for (auto& g : gradients)
      g *= scale;
  }
  return norm;
}

optimizer::optimizer(const optimizer_config& config, std::size_t size)
  : config_(config), size_(size) {
  // Validate the hyperparameters once here, so step() can only fail on its arguments.
  if (config.kind == optimizer_kind::sgd) {
    checked(kernels::setup_sgd({size, 0.0f, config.momentum, config.weight_decay}));
  } else {
    checked(kernels::setup_adam({size, 0.0f, config.beta1, config.beta2, config.epsilon,
                                 config.weight_decay, config.kind == optimizer_kind::adamw, 1}));
    second_moment_.assign(size, 0.0f);
  }
  if (config.max_grad_norm < 0.0f || !std::isfinite(config.max_grad_norm))
    throw std::invalid_argument("optimizer: max_grad_norm must be finite and >= 0");
  first_moment_.assign(size, 0.0f);
}

double optimizer::step(std::span<float> parameters, std::span<float> gradients,
                       float learning_rate) {
  if (parameters.size() != size_ || gradients.size() != size_)
    throw std::invalid_argument("optimizer: expected " + std::to_string(size_)
                                + " parameters and gradients, got "
                                + std::to_string(parameters.size()) + " and "
                                + std::to_string(gradients.size()));
  // Validate learning_rate before clipping touches the gradients.
  if (config_.kind == optimizer_kind::sgd)
    checked(kernels::setup_sgd({size_, learning_rate, config_.momentum, config_.weight_decay}));
  else
    checked(kernels::setup_adam({size_, learning_rate, config_.beta1, config_.beta2,
                                 config_.epsilon, config_.weight_decay,
                                 config_.kind == optimizer_kind::adamw, steps_ + 1}));
  const double norm = config_.max_grad_norm > 0.0f
                        ? clip_global_norm(gradients, config_.max_grad_norm)
                        : 0.0;
  update_range(0, parameters, gradients, learning_rate);
  end_step();
  return norm;
}

void optimizer::update_range(std::size_t offset, std::span<float> parameters,
                             std::span<const float> gradients, float learning_rate) {
  const auto n = parameters.size();
  if (gradients.size() != n || offset > size_ || n > size_ - offset)
    throw std::invalid_argument("optimizer: range [" + std::to_string(offset) + ", "
                                + std::to_string(offset + n) + ") with "
                                + std::to_string(gradients.size())
                                + " gradients does not fit " + std::to_string(size_)
                                + " parameters");
  if (n == 0)
    return;
  if (config_.kind == optimizer_kind::sgd) {
    auto sgd =
      checked(kernels::setup_sgd({n, learning_rate, config_.momentum, config_.weight_decay}));
    kernels::sgd_update(sgd, parameters.data(), first_moment_.data() + offset, gradients.data());
  } else {
    auto adam = checked(kernels::setup_adam({n, learning_rate, config_.beta1, config_.beta2,
                                             config_.epsilon, config_.weight_decay,
                                             config_.kind == optimizer_kind::adamw, steps_ + 1}));
    kernels::adam_update(adam, parameters.data(), first_moment_.data() + offset,
                         second_moment_.data() + offset, gradients.data());
  }
}

std::vector<std::span<float>> optimizer::moments() noexcept {
  if (config_.kind == optimizer_kind::sgd)
    return {first_moment_};
  return {first_moment_, second_moment_};
}

void optimizer::restore(std::span<const std::span<const float>> saved, long steps) {
  auto mine = moments();
  if (saved.size() != mine.size())
    throw std::invalid_argument("optimizer: the saved state has " + std::to_string(saved.size())
                                + " moment buffers, this optimizer keeps "
                                + std::to_string(mine.size()));
  for (std::size_t i = 0; i < mine.size(); ++i)
    if (saved[i].size() != mine[i].size())
      throw std::invalid_argument("optimizer: saved moment " + std::to_string(i) + " has "
                                  + std::to_string(saved[i].size()) + " values, expected "
                                  + std::to_string(mine[i].size()));
  if (steps < 0)
    throw std::invalid_argument("optimizer: saved step count is negative");
  for (std::size_t i = 0; i < mine.size(); ++i)
    std::copy(saved[i].begin(), saved[i].end(), mine[i].begin());
  steps_ = steps;
}

} // namespace ds::nn
