#pragma once
/// A character-level decoder-only transformer language model (GPT-2 shape, pre-LN).
///
/// Layers: token_embedding (token table [vocab, d_model] + learned positions [context,
/// d_model]), `layers` transformer_blocks, and lm_head (final layer norm, logits through the
/// tied token table). A sample is `context` token ids stored as floats; its labels are the
/// `context` next tokens, so forward_loss takes batch * context labels and the loss is the mean
/// next-token cross-entropy over all of them. Layer 0 holds the tied table, so its bucket is
/// reported last, once both the head and the embedding have written its gradient.

#include "nn/model.hpp"

#include <cstdint>

namespace ds::nn {

/// The defaults are the 4-layer, 128-wide, 4-head model with a 128-token context; set `vocab`
/// to the data's alphabet (its default covers every byte).
struct transformer_lm_description {
  std::size_t vocab = 256;
  std::size_t context = 128;
  std::size_t d_model = 128;
  std::size_t heads = 4;
  std::size_t layers = 4;
  std::size_t ffn_multiplier = 4;
  std::uint64_t seed = 1;
  std::size_t bucket_bytes = default_bucket_bytes;
};

/// Throws std::invalid_argument naming the field on a zero size, `d_model` not divisible by
/// `heads`, or `vocab` above 2^24.
model make_transformer_lm(const transformer_lm_description& description);

} // namespace ds::nn
