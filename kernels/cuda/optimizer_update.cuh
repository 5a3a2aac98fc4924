#pragma once
/// Fused SGD-with-momentum and Adam/AdamW updates on device memory: the CUDA twin of
/// cpu/optimizer_update.hpp (same formulas; the Adam per-step scalars come from the shared
/// `adam_constants_of`). One thread per element, each element read and written once.
/// Calling convention: cuda/context.hpp.

#include "cpu/optimizer_update.hpp"
#include "cuda/context.hpp"

namespace ds::kernels::cuda {

/// Updates param and velocity in place from gradient.
status sgd_update(const sgd_step& step, float* param, float* velocity, const float* gradient,
                  const stream_context& on);

/// Updates param and both moments in place from gradient (Adam or AdamW per `step`).
status adam_update(const adam_step& step, float* param, float* first_moment,
                   float* second_moment, const float* gradient, const stream_context& on);

} // namespace ds::kernels::cuda
