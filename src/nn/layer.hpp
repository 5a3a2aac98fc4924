#pragma once
/// The layer interface: explicit forward and backward, no autograd.
///
/// Tensors are float32, batch-major: a layer reads `batch` rows of `input_size()` floats and
/// writes `batch` rows of `output_size()` floats (an NCHW image is one row of C*H*W floats, a
/// sequence of T tokens one row of T floats holding the token ids; see token_embedding).
/// A layer owns its output, its input gradient and whatever it keeps for backward; it holds a
/// pointer to the caller's input, which must stay valid and unchanged until backward returns.
/// Its parameters and gradients live in a model's flat buffers (see parameter_store) and are
/// handed to it by `bind`. One layer object serves one thread at a time.

#include "nn/init.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace ds::nn {

class layer {
public:
  virtual ~layer() = default;

  /// "dense", "conv2d", ... for error messages and summaries.
  virtual std::string_view name() const noexcept = 0;

  /// Floats per sample read by forward.
  virtual std::size_t input_size() const noexcept = 0;

  /// Floats per sample written by forward.
  virtual std::size_t output_size() const noexcept = 0;

  /// Positions per sample in the output, each `output_size() / output_positions()` floats. A
  /// model reads it from its last layer: a classifier predicts once per sample (1), a language
  /// model once per token.
  virtual std::size_t output_positions() const noexcept { return 1; }

  /// Floats of parameters this layer needs in the flat buffers; 0 for none.
  virtual std::size_t parameter_count() const noexcept { return 0; }

  /// Points the layer at its slices (each `parameter_count()` floats) of the flat value and
  /// gradient buffers, which outlive it.
  virtual void bind(std::span<float> values, std::span<float> gradients) {
    static_cast<void>(values);
    static_cast<void>(gradients);
  }

  /// Fills the bound values (He uniform weights, zero biases) from `rng`.
  virtual void initialize(splitmix64& rng) { static_cast<void>(rng); }

  /// Computes the output for `batch` rows of `input`; valid until the next forward. With
  /// `training` false the layer may skip keeping state, and backward is then refused.
  /// Throws std::invalid_argument if `batch` is 0.
  virtual const float* forward(const float* input, std::size_t batch, bool training) = 0;

  /// From the loss gradient w.r.t. the last training forward's output (`batch` rows), writes
  /// (overwrites, never accumulates) this layer's parameter gradients and returns the loss
  /// gradient w.r.t. its input, valid until the next call. Throws std::logic_error if the last
  /// forward was not a training forward.
  ///
  /// The one exception is a parameter shared by two layers (a tied embedding): the later layer
  /// reads it through the earlier one, which owns its slice. Backward runs the later layer
  /// first, so that layer overwrites the shared gradient and the owner then accumulates into
  /// it; the owner's bucket is reported after the owner's backward, when both have written.
  /// See token_embedding and lm_head.
  virtual const float* backward(const float* grad_output) = 0;
};

} // namespace ds::nn
