#pragma once
/// A model described by one line of text, so a config key can hold it and several stages
/// (compute, optimizer, evaluator) can build the same model from the same line:
///
///   mlp sizes=784,256,128,10 activation=relu
///   cnn conv1=8 conv2=16 kernel=5 hidden=64 [channels=1 height=28 width=28 classes=10]
///   transformer_lm vocab=98 context=128 d_model=128 heads=4 layers=4 [ffn=4]
///
/// Every kind also takes `seed=N` (initialization; default 1) and `bucket_kib=N` (gradient
/// bucket size; default 25 MiB). The same line always builds bit-identical parameters.

#include "nn/model.hpp"

#include <string>

namespace ds::nn {

/// What the model's labels are: one class per sample, or the next token at every position.
enum class model_task : unsigned char { classify, next_token };

struct model_spec {
  std::string kind;  ///< "mlp", "cnn", "transformer_lm"
  model_task task = model_task::classify;
  std::string text;  ///< the line as given
};

/// Parses and checks `text` without building; throws std::invalid_argument naming the word
/// that is wrong and what was expected.
model_spec parse_model_spec(const std::string& text);

/// Builds the model `text` describes; throws std::invalid_argument as parse_model_spec does,
/// or with the model constructor's message for sizes that do not fit together.
model build_model(const std::string& text);

} // namespace ds::nn
