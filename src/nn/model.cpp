#include "nn/model.hpp"

#include "cpu/cross_entropy.hpp"
#include "nn/kernel_check.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ds::nn {

namespace {

std::vector<std::size_t> checked_sizes(const std::vector<std::unique_ptr<layer>>& layers) {
  if (layers.empty())
    throw std::invalid_argument("model: no layers");
  std::vector<std::size_t> sizes;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (l > 0 && layers[l - 1]->output_size() != layers[l]->input_size())
      throw std::invalid_argument(
        "model: layer " + std::to_string(l) + " (" + std::string(layers[l]->name())
        + ") takes " + std::to_string(layers[l]->input_size()) + " floats per sample but layer "
        + std::to_string(l - 1) + " gives " + std::to_string(layers[l - 1]->output_size()));
    sizes.push_back(layers[l]->parameter_count());
  }
  const auto& last = *layers.back();
  if (last.output_positions() == 0 || last.output_size() % last.output_positions() != 0)
    throw std::invalid_argument("model: last layer (" + std::string(last.name()) + ") gives "
                                + std::to_string(last.output_size()) + " floats per sample, not "
                                + "a whole number of rows for its "
                                + std::to_string(last.output_positions()) + " positions");
  return sizes;
}

} // namespace

model::model(std::vector<std::unique_ptr<layer>> layers, std::uint64_t seed,
             std::size_t bucket_bytes)
  : layers_(std::move(layers)), store_(checked_sizes(layers_), bucket_bytes) {
  splitmix64 rng{seed};
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto where = store_.layer_slice(l);
    layers_[l]->bind(store_.values().subspan(where.offset, where.size),
                     store_.gradients().subspan(where.offset, where.size));
    layers_[l]->initialize(rng);
  }
}

const float* model::run_forward(const float* x, std::size_t batch, bool training) {
  if (batch == 0)
    throw std::invalid_argument("model: batch must be > 0");
  const float* activations = x;
  for (auto& l : layers_)
    activations = l->forward(activations, batch, training);
  return activations;
}

float model::forward_loss(const float* x, const std::int32_t* labels, std::size_t batch) {
  logits_ = run_forward(x, batch, true);
  labels_.assign(labels, labels + prediction_rows(batch));
  float loss = 0.0f;
  kernels::cross_entropy_forward(
    checked(kernels::setup_cross_entropy(labels_.size(), classes())), &loss, logits_,
    labels_.data());
  return loss;
}

void model::backward(const bucket_callback& on_bucket_ready) {
  if (logits_ == nullptr)
    throw std::logic_error("model: backward without a forward_loss");
  const auto rows = labels_.size();
  grad_logits_.resize(rows * classes());
  kernels::cross_entropy_backward(checked(kernels::setup_cross_entropy(rows, classes())),
                                  grad_logits_.data(), logits_, labels_.data(), 1.0f);
  const float* grad = grad_logits_.data();
  for (std::size_t l = layers_.size(); l-- > 0;) {
    grad = layers_[l]->backward(grad);
    const auto ready = store_.bucket_completed_by(l);
    if (ready != parameter_store::no_bucket && on_bucket_ready)
      on_bucket_ready(ready);
  }
  logits_ = nullptr;
}

const float* model::logits(const float* x, std::size_t batch) {
  logits_ = nullptr;
  return run_forward(x, batch, false);
}

void model::predict(const float* x, std::size_t batch, std::int32_t* classes_out) {
  const float* out = logits(x, batch);
  const auto n = classes();
  for (std::size_t r = 0; r < prediction_rows(batch); ++r) {
    const float* row = out + r * n;
    classes_out[r] = static_cast<std::int32_t>(std::max_element(row, row + n) - row);
  }
}

double model::accuracy(const float* x, const std::int32_t* labels, std::size_t batch) {
  predictions_.resize(prediction_rows(batch));
  predict(x, batch, predictions_.data());
  std::size_t correct = 0;
  for (std::size_t r = 0; r < predictions_.size(); ++r)
    correct += predictions_[r] == labels[r] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(predictions_.size());
}

double model::evaluate_loss(const float* x, const std::int32_t* labels, std::size_t batch) {
  const float* out = logits(x, batch);
  const auto shape = checked(kernels::setup_cross_entropy(prediction_rows(batch), classes()));
  float loss = 0.0f;
  kernels::cross_entropy_forward(shape, &loss, out, labels);
  return loss;
}

} // namespace ds::nn
