#pragma once
/// What the training stages share: the model their `model` key names, and float tensors.

#include <span>

#include "dsflow/memory.hpp"
#include "dsflow/stage.hpp"
#include "dsflow/tensor.hpp"
#include "nn/model_spec.hpp"

namespace ds::actors {

/// The model a stage's `model` key describes, and what its labels are.
struct stage_model {
  nn::model model;
  nn::model_task task;
};

/// Builds the model of `ctx.config().get_string("model")`; a bad description is a
/// stage_fatal_error naming `stages.NAME.model` and the word that is wrong.
stage_model model_of(const context& ctx);

/// A 1-D f32 tensor in a new block of `pool` holding a copy of `values` (gradients and
/// parameters leave a stage this way: the stage's own buffers change on the next step).
tensor copy_to_tensor(memory_pool& pool, std::span<const float> values);

} // namespace ds::actors
