#include "nn/transformer_lm.hpp"

#include "nn/lm_head.hpp"
#include "nn/token_embedding.hpp"
#include "nn/transformer_block.hpp"

#include <stdexcept>
#include <string>

namespace ds::nn {

namespace {

void require_positive(std::size_t value, const char* field) {
  if (value == 0)
    throw std::invalid_argument(std::string("make_transformer_lm: ") + field + " must be > 0");
}

} // namespace

model make_transformer_lm(const transformer_lm_description& d) {
  require_positive(d.vocab, "vocab");
  require_positive(d.context, "context");
  require_positive(d.d_model, "d_model");
  require_positive(d.heads, "heads");
  require_positive(d.layers, "layers");
  require_positive(d.ffn_multiplier, "ffn_multiplier");
  if (d.d_model % d.heads != 0)
    throw std::invalid_argument("make_transformer_lm: d_model " + std::to_string(d.d_model)
                                + " is not divisible by heads " + std::to_string(d.heads));
  std::vector<std::unique_ptr<layer>> layers;
  auto embedding = std::make_unique<token_embedding>(d.vocab, d.context, d.d_model);
  // The head keeps a pointer to the embedding; both are owned by the model, so it stays valid.
  auto head = std::make_unique<lm_head>(*embedding, d.context);
  layers.push_back(std::move(embedding));
  for (std::size_t b = 0; b < d.layers; ++b)
    layers.push_back(std::make_unique<transformer_block>(transformer_block_description{
      d.context, d.d_model, d.heads, d.ffn_multiplier, d.layers}));
  layers.push_back(std::move(head));
  return model{std::move(layers), d.seed, d.bucket_bytes};
}

} // namespace ds::nn
