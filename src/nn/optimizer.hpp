#pragma once
/// Optimizer steps over a model's flat parameter and gradient buffers, on the kernels' fused
/// updates, plus the learning-rate schedule and global-norm gradient clipping.
///
/// The moments live in flat buffers of the same layout as the parameters, so a step is one
/// pass over contiguous memory. Not thread-safe: one optimizer per parameter set.

#include <cstddef>
#include <span>
#include <vector>

namespace ds::nn {

enum class optimizer_kind : unsigned char { sgd, adam, adamw };

/// Hyperparameters; semantics are those of `kernels/cpu/optimizer_update.hpp` (SGD: PyTorch
/// momentum with coupled L2 decay; Adam: coupled L2; AdamW: decoupled decay).
struct optimizer_config {
  optimizer_kind kind = optimizer_kind::sgd;
  float momentum = 0.9f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.0f;
  /// Clip the gradients to this global L2 norm before each step; 0 disables clipping.
  float max_grad_norm = 0.0f;
};

/// Linear warm-up then cosine decay, with `step` counted from 0:
///   step <  warmup_steps:  lr = peak * (step + 1) / warmup_steps
///   otherwise:             p  = min(1, (step - warmup_steps) / max(1, total_steps - warmup_steps))
///                          lr = min_lr + (peak - min_lr) * (1 + cos(pi p)) / 2
/// so the first step already trains, the peak is reached at the end of warm-up, and every step
/// from total_steps on stays at min_lr.
struct lr_schedule {
  float peak = 1e-3f;
  float min_lr = 0.0f;
  std::size_t warmup_steps = 0;
  std::size_t total_steps = 1;
};

float learning_rate_at(const lr_schedule& schedule, std::size_t step) noexcept;

/// sqrt(sum g^2), accumulated in float64.
double global_norm(std::span<const float> gradients) noexcept;

/// Scales `gradients` in place by max_norm / norm when their global norm exceeds `max_norm`
/// (> 0), leaving direction unchanged; returns the norm before clipping. Non-finite norms are
/// returned without scaling so the caller can see and skip the step.
double clip_global_norm(std::span<float> gradients, float max_norm) noexcept;

class optimizer {
public:
  /// Moments for `size` parameters, zeroed. Throws std::invalid_argument (from the kernel's
  /// setup, naming the field) on bad hyperparameters or a zero size.
  optimizer(const optimizer_config& config, std::size_t size);

  /// One step at `learning_rate`: clips `gradients` in place if configured, then updates
  /// `parameters` and the moments. Both spans must have the size given at construction
  /// (std::invalid_argument otherwise). Returns the gradient norm before clipping (0 when
  /// clipping is off, so the norm pass is skipped).
  double step(std::span<float> parameters, std::span<float> gradients, float learning_rate);

  /// Part of step `steps_taken() + 1`: updates parameters [offset, offset + parameters.size())
  /// from the gradients of the same range, without clipping. Calls on disjoint ranges may run
  /// concurrently (each touches only its own range of the moments), so a caller can update
  /// each gradient bucket as it arrives or split the space across threads; `end_step` then
  /// counts the step. Throws std::invalid_argument on a size mismatch or a range past the end.
  void update_range(std::size_t offset, std::span<float> parameters,
                    std::span<const float> gradients, float learning_rate);

  /// Counts the step whose ranges `update_range` updated.
  void end_step() noexcept { ++steps_; }

  /// Steps taken so far; Adam's bias correction uses steps_taken() + 1 for the next one.
  long steps_taken() const noexcept { return steps_; }

  /// The moment buffers a checkpoint saves: SGD has one (velocity), Adam and AdamW two.
  std::vector<std::span<float>> moments() noexcept;

  /// Continues from saved moments (same count and sizes as `moments()`) after `steps` steps.
  /// Throws std::invalid_argument naming the moment that does not fit.
  void restore(std::span<const std::span<const float>> saved, long steps);

private:
  optimizer_config config_;
  std::size_t size_;
  long steps_ = 0;
  std::vector<float> first_moment_;
  std::vector<float> second_moment_;
};

} // namespace ds::nn
