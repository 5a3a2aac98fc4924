#include "kernel_cases.hpp"

#include <cstdint>
#include <random>

#include "cpu/attention.hpp"
#include "cpu/bias_activation.hpp"
#include "cpu/conv2d.hpp"
#include "cpu/cross_entropy.hpp"
#include "cpu/embedding.hpp"
#include "cpu/gemm.hpp"
#include "cpu/layer_norm.hpp"
#include "cpu/max_pool.hpp"
#include "cpu/optimizer_update.hpp"
#include "cpu/softmax.hpp"
#include "nn/kernel_check.hpp"

namespace ds::bench {
namespace {

using kernels::backend;
using kernels::op;
using floats = std::vector<float>;
using ids = std::vector<std::int32_t>;

floats random_floats(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen{seed};
  std::uniform_real_distribution<float> dist{-1.0f, 1.0f};
  floats values(n);
  for (auto& value : values)
    value = dist(gen);
  return values;
}

ids random_ids(std::size_t n, std::size_t upper) {
  std::mt19937 gen{7};
  std::uniform_int_distribution<std::int32_t> dist{0, static_cast<std::int32_t>(upper) - 1};
  ids values(n);
  for (auto& value : values)
    value = dist(gen);
  return values;
}

std::string dims(std::initializer_list<std::size_t> sizes) {
  std::string text;
  for (auto size : sizes) {
    if (!text.empty())
      text += 'x';
    text += std::to_string(size);
  }
  return text;
}

// Dense layers call gemm as y[m,n] = x[m,k] w[k,n] in the forward.
kernel_case gemm_case(std::size_t m, std::size_t k, std::size_t n) {
  const auto shape = nn::checked(kernels::setup_gemm(false, false, m, n, k));
  return {"gemm", dims({m, k, n}) + " (m x k x n)", op::gemm, 2.0 * m * n * k,
          [=, a = random_floats(m * k, 1), b = random_floats(k * n, 2),
           c = floats(m * n)](backend on) mutable {
            kernels::gemm(shape, c.data(), a.data(), b.data(), 1.0f, 0.0f, on);
          }};
}

void add_bias_activation(std::vector<kernel_case>& cases, std::size_t rows, std::size_t cols,
                         kernels::activation act, const char* act_name) {
  const auto shape = nn::checked(kernels::setup_bias_activation(rows, cols, act));
  const auto label = dims({rows, cols}) + " " + act_name;
  cases.push_back({"bias_activation_forward", label, op::bias_activation_forward, 0,
                   [=, x = random_floats(rows * cols, 3), bias = random_floats(cols, 4),
                    y = floats(rows * cols)](backend on) mutable {
                     kernels::bias_activation_forward(shape, y.data(), x.data(), bias.data(), on);
                   }});
  cases.push_back({"bias_activation_backward", label, op::bias_activation_backward, 0,
                   [=, x = random_floats(rows * cols, 3), bias = random_floats(cols, 4),
                    dy = random_floats(rows * cols, 5), dx = floats(rows * cols),
                    dbias = floats(cols)](backend on) mutable {
                     kernels::bias_activation_backward(shape, dx.data(), dbias.data(), dy.data(),
                                                       x.data(), bias.data(), on);
                   }});
}

void add_softmax_and_cross_entropy(std::vector<kernel_case>& cases, std::size_t rows,
                                   std::size_t cols) {
  const auto softmax = nn::checked(kernels::setup_softmax(rows, cols));
  const auto loss = nn::checked(kernels::setup_cross_entropy(rows, cols));
  cases.push_back({"softmax_forward", dims({rows, cols}), op::softmax_forward, 0,
                   [=, x = random_floats(rows * cols, 6), y = floats(rows * cols)](
                     backend on) mutable { kernels::softmax_forward(softmax, y.data(), x.data(), on); }});
  cases.push_back({"cross_entropy_forward", dims({rows, cols}), op::cross_entropy_forward, 0,
                   [=, logits = random_floats(rows * cols, 6), labels = random_ids(rows, cols),
                    value = 0.0f](backend on) mutable {
                     kernels::cross_entropy_forward(loss, &value, logits.data(), labels.data(), on);
                   }});
  cases.push_back({"cross_entropy_backward", dims({rows, cols}), op::cross_entropy_backward, 0,
                   [=, logits = random_floats(rows * cols, 6), labels = random_ids(rows, cols),
                    dlogits = floats(rows * cols)](backend on) mutable {
                     kernels::cross_entropy_backward(loss, dlogits.data(), logits.data(),
                                                     labels.data(), 1.0f, on);
                   }});
}

void add_layer_norm(std::vector<kernel_case>& cases, std::size_t rows, std::size_t cols) {
  const auto shape = nn::checked(kernels::setup_layer_norm(rows, cols));
  floats x = random_floats(rows * cols, 8), gamma = random_floats(cols, 9),
         beta = random_floats(cols, 10), y(rows * cols), mean(rows), rstd(rows);
  // The backward needs the statistics of a real forward.
  kernels::layer_norm_forward(shape, y.data(), mean.data(), rstd.data(), x.data(), gamma.data(),
                              beta.data(), backend::reference);
  cases.push_back({"layer_norm_forward", dims({rows, cols}), op::layer_norm_forward, 0,
                   [=](backend on) mutable {
                     kernels::layer_norm_forward(shape, y.data(), mean.data(), rstd.data(),
                                                 x.data(), gamma.data(), beta.data(), on);
                   }});
  cases.push_back({"layer_norm_backward", dims({rows, cols}), op::layer_norm_backward, 0,
                   [=, dy = random_floats(rows * cols, 11), dx = floats(rows * cols),
                    dgamma = floats(cols), dbeta = floats(cols)](backend on) mutable {
                     kernels::layer_norm_backward(shape, dx.data(), dgamma.data(), dbeta.data(),
                                                  dy.data(), x.data(), mean.data(), rstd.data(),
                                                  gamma.data(), on);
                   }});
}

void add_embedding(std::vector<kernel_case>& cases, std::size_t vocab, std::size_t dim,
                   std::size_t count) {
  const auto shape = nn::checked(kernels::setup_embedding(vocab, dim, count));
  const auto label = dims({vocab, dim}) + " table, " + std::to_string(count) + " ids";
  cases.push_back({"embedding_forward", label, op::embedding_forward, 0,
                   [=, table = random_floats(vocab * dim, 12), tokens = random_ids(count, vocab),
                    out = floats(count * dim)](backend on) mutable {
                     kernels::embedding_forward(shape, out.data(), table.data(), tokens.data(), on);
                   }});
  // The backward accumulates into dtable; repeated calls just keep adding, which costs the same.
  cases.push_back({"embedding_backward", label, op::embedding_backward, 0,
                   [=, dout = random_floats(count * dim, 13), tokens = random_ids(count, vocab),
                    dtable = floats(vocab * dim)](backend on) mutable {
                     kernels::embedding_backward(shape, dtable.data(), dout.data(), tokens.data(),
                                                 on);
                   }});
}

void add_attention(std::vector<kernel_case>& cases, std::size_t batch, std::size_t heads,
                   std::size_t seq, std::size_t head_dim) {
  const auto shape = nn::checked(kernels::setup_attention(batch, heads, seq, head_dim));
  const std::size_t size = batch * heads * seq * head_dim;
  floats q = random_floats(size, 14), k = random_floats(size, 15), v = random_floats(size, 16),
         out(size), probs(batch * heads * seq * seq);
  kernels::attention_forward(shape, out.data(), probs.data(), q.data(), k.data(), v.data(),
                             backend::reference);
  const auto label = dims({batch, heads, seq, head_dim}) + " (B x H x T x D)";
  cases.push_back({"attention_forward", label, op::attention_forward, 0,
                   [=](backend on) mutable {
                     kernels::attention_forward(shape, out.data(), probs.data(), q.data(),
                                                k.data(), v.data(), on);
                   }});
  cases.push_back({"attention_backward", label, op::attention_backward, 0,
                   [=, dout = random_floats(size, 17), dq = floats(size), dk = floats(size),
                    dv = floats(size), scratch = floats(shape.scratch_floats)](backend on) mutable {
                     kernels::attention_backward(shape, dq.data(), dk.data(), dv.data(),
                                                 dout.data(), q.data(), k.data(), v.data(),
                                                 probs.data(), scratch.data(), on);
                   }});
}

// Same padding, stride 1, as nn::conv2d builds them.
void add_conv2d(std::vector<kernel_case>& cases, std::size_t batch, std::size_t channels,
                std::size_t side, std::size_t out_channels, std::size_t kernel) {
  kernels::conv2d_shape request;
  request.batch = batch;
  request.in_channels = channels;
  request.height = request.width = side;
  request.out_channels = out_channels;
  request.kernel_h = request.kernel_w = kernel;
  request.padding = kernel / 2;
  const auto shape = nn::checked(kernels::setup_conv2d(request));
  const std::size_t in = batch * channels * side * side;
  const std::size_t out = batch * out_channels * shape.out_height * shape.out_width;
  const std::size_t weights = out_channels * channels * kernel * kernel;
  const auto label = dims({batch, channels, side, side}) + " -> " + std::to_string(out_channels)
                     + ", " + dims({kernel, kernel});
  cases.push_back({"conv2d_forward", label, op::conv2d_forward, 0,
                   [=, x = random_floats(in, 18), w = random_floats(weights, 19),
                    bias = random_floats(out_channels, 20), y = floats(out),
                    scratch = floats(shape.scratch_floats)](backend on) mutable {
                     kernels::conv2d_forward(shape, y.data(), x.data(), w.data(), bias.data(),
                                             scratch.data(), on);
                   }});
  cases.push_back({"conv2d_backward", label, op::conv2d_backward, 0,
                   [=, x = random_floats(in, 18), w = random_floats(weights, 19),
                    dy = random_floats(out, 21), dx = floats(in), dw = floats(weights),
                    dbias = floats(out_channels),
                    scratch = floats(shape.scratch_floats)](backend on) mutable {
                     kernels::conv2d_backward(shape, dx.data(), dw.data(), dbias.data(),
                                              dy.data(), x.data(), w.data(), scratch.data(), on);
                   }});
}

void add_max_pool(std::vector<kernel_case>& cases, std::size_t batch, std::size_t channels,
                  std::size_t side) {
  const auto shape = nn::checked(kernels::setup_max_pool(batch, channels, side, side));
  const std::size_t in = batch * channels * side * side;
  const std::size_t out = batch * channels * shape.out_height * shape.out_width;
  floats x = random_floats(in, 22), y(out);
  ids argmax(out);
  kernels::max_pool_forward(shape, y.data(), argmax.data(), x.data(), backend::reference);
  const auto label = dims({batch, channels, side, side});
  cases.push_back({"max_pool_forward", label, op::max_pool_forward, 0, [=](backend on) mutable {
                     kernels::max_pool_forward(shape, y.data(), argmax.data(), x.data(), on);
                   }});
  cases.push_back({"max_pool_backward", label, op::max_pool_backward, 0,
                   [=, dy = random_floats(out, 23), dx = floats(in)](backend on) mutable {
                     kernels::max_pool_backward(shape, dx.data(), dy.data(), argmax.data(), on);
                   }});
}

// In place, call after call: the moments average a fixed gradient, so the values stay bounded
// and every call does the same work.
void add_optimizers(std::vector<kernel_case>& cases, std::size_t size) {
  const auto sgd = nn::checked(kernels::setup_sgd({size, 1e-3f, 0.9f, 0.01f}));
  const auto label = std::to_string(size) + " params";
  cases.push_back({"sgd_update", label, op::sgd_update, 0,
                   [=, p = random_floats(size, 24), g = random_floats(size, 25),
                    velocity = floats(size)](backend on) mutable {
                     kernels::sgd_update(sgd, p.data(), velocity.data(), g.data(), on);
                   }});
  const auto adam =
    nn::checked(kernels::setup_adam({size, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false, 10}));
  cases.push_back({"adam_update", label, op::adam_update, 0,
                   [=, p = random_floats(size, 24), g = random_floats(size, 25), m = floats(size),
                    v = floats(size)](backend on) mutable {
                     kernels::adam_update(adam, p.data(), m.data(), v.data(), g.data(), on);
                   }});
}

} // namespace

std::vector<kernel_case> training_kernel_cases() {
  using kernels::activation;
  std::vector<kernel_case> cases;
  cases.push_back(gemm_case(128, 784, 256));
  cases.push_back(gemm_case(128, 256, 128));
  cases.push_back(gemm_case(16384, 128, 128));
  add_bias_activation(cases, 128, 256, activation::relu, "relu");
  add_bias_activation(cases, 128, 256, activation::gelu, "gelu");
  add_softmax_and_cross_entropy(cases, 128, 10);
  add_softmax_and_cross_entropy(cases, 16384, 96);
  add_layer_norm(cases, 16384, 128);
  add_embedding(cases, 96, 128, 16384);
  add_attention(cases, 8, 4, 128, 32);
  add_conv2d(cases, 128, 1, 28, 8, 5);
  add_conv2d(cases, 128, 8, 14, 16, 5);
  add_max_pool(cases, 128, 8, 28);
  add_max_pool(cases, 128, 16, 14);
  add_optimizers(cases, std::size_t{1} << 20);
  return cases;
}

} // namespace ds::bench
