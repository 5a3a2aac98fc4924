#pragma once
/// Fused single-pass optimizer updates over flat float32 arrays of `size` elements: each
/// element of param, gradient and moments is read and written exactly once per step.
///
/// SGD with momentum (PyTorch semantics, L2 weight decay folded into the gradient):
///   g' = g + wd p;  v = mu v + g';  p -= lr v
/// Adam (L2 weight decay, coupled) and AdamW (decoupled weight decay, Loshchilov & Hutter):
///   AdamW: p -= lr wd p  first;  Adam: g' = g + wd p
///   m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
///   p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)     (t = 1-based step)
/// The caller owns all arrays and zeroes the moments before step 1. Single-threaded and
/// reentrant: partition a large parameter set across threads by handing each a disjoint range.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>

namespace ds::kernels {

struct sgd_step {
  std::size_t size = 0;
  float learning_rate = 0.0f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
};

struct adam_step {
  std::size_t size = 0;
  float learning_rate = 0.0f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.0f;
  bool decoupled_weight_decay = false; ///< true: AdamW.
  long step = 1;                       ///< 1-based; drives the bias correction.
};

/// The per-step scalars of an Adam/AdamW update, computed once on the host and shared by every
/// backend (CPU and CUDA) so that they cannot disagree on the formula.
struct adam_constants {
  float lr;
  float b1;
  float b2;
  float eps;
  float l2;        ///< coupled weight decay added to the gradient (Adam), else 0
  float shrink;    ///< decoupled decay: p *= shrink (AdamW), else 1
  float inv_corr1; ///< 1 / (1 - b1^t)
  float inv_corr2; ///< 1 / (1 - b2^t)
};

/// The constants of `step` (bias corrections in float64, then rounded).
adam_constants adam_constants_of(const adam_step& step) noexcept;

/// Validates sizes and hyperparameters: the step, or an invalid_argument status naming
/// "sgd_update" and the bad field.
result<sgd_step> setup_sgd(const sgd_step& step);

/// Validates sizes and hyperparameters: the step, or an invalid_argument status naming
/// "adam_update" and the bad field (e.g. step must be >= 1).
result<adam_step> setup_adam(const adam_step& step);

/// Updates param and velocity in place from gradient.
void sgd_update(const sgd_step& step, float* param, float* velocity, const float* gradient,
                backend on = dispatch(op::sgd_update)) noexcept;

/// Updates param and both moments in place from gradient (Adam or AdamW per `step`).
void adam_update(const adam_step& step, float* param, float* first_moment, float* second_moment,
                 const float* gradient, backend on = dispatch(op::adam_update)) noexcept;

} // namespace ds::kernels
