#include "nn/model_spec.hpp"

#include "nn/models.hpp"

#include <charconv>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ds::nn {
namespace {

/// The words after the kind, as key=value pairs, each checked against the keys the kind takes.
class spec_words {
public:
  spec_words(const std::string& text, std::string& kind) {
    std::istringstream words(text);
    if (!(words >> kind))
      throw std::invalid_argument("model: empty description (expected e.g. 'mlp sizes=784,256,10')");
    for (std::string word; words >> word;) {
      auto eq = word.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == word.size())
        throw std::invalid_argument("model '" + text + "': expected key=value, got '" + word + "'");
      if (!values_.emplace(word.substr(0, eq), word.substr(eq + 1)).second)
        throw std::invalid_argument("model '" + text + "': '" + word.substr(0, eq)
                                    + "' is given twice");
    }
    text_ = text;
  }

  /// Refuses any key not in `known`.
  void allow_only(const std::vector<std::string>& known) const {
    for (const auto& [key, value] : values_) {
      bool found = false;
      for (const auto& k : known)
        found = found || k == key;
      if (!found) {
        std::string list;
        for (const auto& k : known)
          list += (list.empty() ? "" : ", ") + k;
        throw std::invalid_argument("model '" + text_ + "': unknown key '" + key + "' (takes "
                                    + list + ")");
      }
    }
  }

  std::uint64_t number(const std::string& key, std::uint64_t fallback) const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : parse(key, it->second);
  }

  std::vector<std::size_t> numbers(const std::string& key, std::vector<std::size_t> fallback) const {
    auto it = values_.find(key);
    if (it == values_.end())
      return fallback;
    std::vector<std::size_t> list;
    std::istringstream parts(it->second);
    for (std::string part; std::getline(parts, part, ',');)
      list.push_back(parse(key, part));
    return list;
  }

  std::string word(const std::string& key, std::string fallback) const {
    auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
  }

private:
  std::uint64_t parse(const std::string& key, const std::string& value) const {
    std::uint64_t n = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (error != std::errc{} || end != value.data() + value.size())
      throw std::invalid_argument("model '" + text_ + "': " + key + " expects a whole number, got '"
                                  + value + "'");
    return n;
  }

  std::map<std::string, std::string> values_;
  std::string text_;
};

const std::vector<std::string> common_keys{"seed", "bucket_kib"};

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.end(), common_keys.begin(), common_keys.end());
  return keys;
}

std::size_t bucket_bytes(const spec_words& words) {
  const auto kib = words.number("bucket_kib", default_bucket_bytes >> 10);
  if (kib == 0)
    throw std::invalid_argument("model: bucket_kib must be > 0");
  return static_cast<std::size_t>(kib) << 10;
}

kernels::activation activation_named(const std::string& name) {
  if (name == "relu")
    return kernels::activation::relu;
  if (name == "gelu")
    return kernels::activation::gelu;
  throw std::invalid_argument("model: activation must be relu or gelu, got '" + name + "'");
}

mlp_description mlp_of(const spec_words& words) {
  words.allow_only(with_common({"sizes", "activation"}));
  mlp_description d;
  d.layer_sizes = words.numbers("sizes", d.layer_sizes);
  d.hidden_activation = activation_named(words.word("activation", "relu"));
  d.seed = words.number("seed", 1);
  d.bucket_bytes = bucket_bytes(words);
  return d;
}

cnn_description cnn_of(const spec_words& words) {
  words.allow_only(with_common({"channels", "height", "width", "classes", "conv1", "conv2",
                                "kernel", "hidden"}));
  auto d = small_cnn();
  d.channels = words.number("channels", d.channels);
  d.height = words.number("height", d.height);
  d.width = words.number("width", d.width);
  d.classes = words.number("classes", d.classes);
  d.conv1_channels = words.number("conv1", d.conv1_channels);
  d.conv2_channels = words.number("conv2", d.conv2_channels);
  d.kernel = words.number("kernel", d.kernel);
  d.hidden = words.number("hidden", d.hidden);
  d.seed = words.number("seed", 1);
  d.bucket_bytes = bucket_bytes(words);
  return d;
}

transformer_lm_description transformer_of(const spec_words& words) {
  words.allow_only(with_common({"vocab", "context", "d_model", "heads", "layers", "ffn"}));
  transformer_lm_description d;
  d.vocab = words.number("vocab", d.vocab);
  d.context = words.number("context", d.context);
  d.d_model = words.number("d_model", d.d_model);
  d.heads = words.number("heads", d.heads);
  d.layers = words.number("layers", d.layers);
  d.ffn_multiplier = words.number("ffn", d.ffn_multiplier);
  d.seed = words.number("seed", 1);
  d.bucket_bytes = bucket_bytes(words);
  return d;
}

const char* const known_kinds = "mlp, cnn, transformer_lm";

} // namespace

model_spec parse_model_spec(const std::string& text) {
  model_spec spec;
  spec.text = text;
  spec_words words(text, spec.kind);
  if (spec.kind == "mlp")
    mlp_of(words);
  else if (spec.kind == "cnn")
    cnn_of(words);
  else if (spec.kind == "transformer_lm") {
    transformer_of(words);
    spec.task = model_task::next_token;
  } else
    throw std::invalid_argument("model: unknown kind '" + spec.kind + "' (known: "
                                + known_kinds + ")");
  return spec;
}

model build_model(const std::string& text) {
  std::string kind;
  spec_words words(text, kind);
  if (kind == "mlp")
    return make_mlp(mlp_of(words));
  if (kind == "cnn")
    return make_cnn(cnn_of(words));
  if (kind == "transformer_lm")
    return make_transformer_lm(transformer_of(words));
  throw std::invalid_argument("model: unknown kind '" + kind + "' (known: " + known_kinds + ")");
}

} // namespace ds::nn
