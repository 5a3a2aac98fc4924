// Whole models: gradients against finite differences, bucket callbacks, seeded
// initialization, and an MLP learning a small separable problem.
#define BOOST_TEST_MODULE nn_model
#include <boost/test/unit_test.hpp>

#include "nn_test_support.hpp"

#include "nn/models.hpp"
#include "nn/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

using namespace ds::nn;
using namespace ds::nn::testing;
using ds::kernels::activation;

namespace {

// Cross-entropy is a mean over the batch, so gradients are ~1e-2: a smaller absolute floor.
constexpr double atol = 2e-4;

void check_model_gradient(model& m, std::size_t batch, const std::string& what) {
  const auto x = random_floats(batch * m.input_size(), -1, 1, 11);
  const auto labels = random_labels(batch, static_cast<std::int32_t>(m.classes()), 12);
  m.forward_loss(x.data(), labels.data(), batch);
  m.backward();
  const std::vector<float> analytic(m.gradients().begin(), m.gradients().end());
  check_gradient(m.parameters(), analytic,
                 [&] { return static_cast<double>(m.forward_loss(x.data(), labels.data(), batch)); },
                 atol, what);
}

cnn_description tiny_cnn() {
  cnn_description d;
  d.height = 8;
  d.width = 8;
  d.classes = 3;
  d.conv1_channels = 2;
  d.conv2_channels = 3;
  d.kernel = 3;
  d.hidden = 5;
  return d;
}

// Four Gaussian blobs (sigma 0.5) centred at (+-2, +-2); the label is the quadrant.
void make_blobs(std::size_t n, std::uint64_t seed, std::vector<float>& x,
                std::vector<std::int32_t>& labels) {
  splitmix64 rng{seed};
  x.resize(2 * n);
  labels.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::int32_t>(rng.next() % 4);
    for (std::size_t d = 0; d < 2; ++d) {
      // Box-Muller from two uniforms in (0, 1].
      const double u1 = 1.0 - rng.uniform(0, 1), u2 = rng.uniform(0, 1);
      const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double centre = ((label >> d) & 1) ? 2.0 : -2.0;
      x[2 * i + d] = static_cast<float>(centre + 0.5 * normal);
    }
    labels[i] = label;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(mlp_gradients_match_finite_differences) {
  for (auto act : {activation::relu, activation::gelu}) {
    auto m = make_mlp({{6, 8, 5, 3}, act, 3, default_bucket_bytes});
    check_model_gradient(m, 4, act == activation::relu ? "mlp relu" : "mlp gelu");
  }
}

BOOST_AUTO_TEST_CASE(cnn_gradients_match_finite_differences) {
  auto m = make_cnn(tiny_cnn());
  check_model_gradient(m, 3, "cnn");
}

BOOST_AUTO_TEST_CASE(bucket_callbacks_fire_once_each_in_reverse_layer_order_when_final) {
  // Dense layers of 220, 420, 420 and 63 floats in 1000-byte buckets: {3, 2}, {1}, {0}.
  auto m = make_mlp({{10, 20, 20, 20, 3}, activation::relu, 5, 1000});
  const auto buckets = m.store().buckets();
  BOOST_TEST_REQUIRE(buckets.size() == 3u);
  const auto x = random_floats(4 * 10, -1, 1, 1);
  const auto labels = random_labels(4, 3, 2);
  for (int step = 0; step < 2; ++step) {
    m.forward_loss(x.data(), labels.data(), 4);
    auto grads = m.gradients();
    std::fill(grads.begin(), grads.end(), std::numeric_limits<float>::quiet_NaN());
    std::vector<std::size_t> order;
    std::vector<std::vector<float>> seen;
    m.backward([&](std::size_t b) {
      order.push_back(b);
      const auto range = buckets[b].range;
      seen.emplace_back(grads.begin() + range.offset, grads.begin() + range.offset + range.size);
      for (float g : seen.back())
        BOOST_TEST_REQUIRE(std::isfinite(g));
      // Reported as soon as final: later buckets are not written yet.
      for (std::size_t later = b + 1; later < buckets.size(); ++later)
        BOOST_TEST(std::isnan(grads[buckets[later].range.offset]));
    });
    BOOST_TEST(order == (std::vector<std::size_t>{0, 1, 2}), boost::test_tools::per_element());
    // Nothing written after the callback: what it saw is the final gradient.
    for (std::size_t b = 0; b < order.size(); ++b) {
      const auto range = buckets[order[b]].range;
      BOOST_TEST(std::equal(seen[b].begin(), seen[b].end(), grads.begin() + range.offset));
    }
  }
}

BOOST_AUTO_TEST_CASE(cnn_buckets_skip_parameterless_layers) {
  auto d = tiny_cnn();
  d.bucket_bytes = 4;
  auto m = make_cnn(d);
  BOOST_TEST(m.store().buckets().size() == 4u);
  const auto x = random_floats(2 * m.input_size(), -1, 1, 1);
  const auto labels = random_labels(2, 3, 2);
  m.forward_loss(x.data(), labels.data(), 2);
  std::vector<std::size_t> order;
  m.backward([&](std::size_t b) { order.push_back(b); });
  BOOST_TEST(order == (std::vector<std::size_t>{0, 1, 2, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(same_seed_gives_identical_weights_and_another_seed_different_ones) {
  auto a = make_mlp({{784, 256, 128, 10}, activation::relu, 9, default_bucket_bytes});
  auto b = make_mlp({{784, 256, 128, 10}, activation::relu, 9, default_bucket_bytes});
  auto c = make_mlp({{784, 256, 128, 10}, activation::relu, 10, default_bucket_bytes});
  BOOST_TEST(std::ranges::equal(a.parameters(), b.parameters()));
  BOOST_TEST(!std::ranges::equal(a.parameters(), c.parameters()));
  auto d = make_cnn(small_cnn()), e = make_cnn(small_cnn());
  BOOST_TEST(d.parameters().size() == 54314u);
  BOOST_TEST(std::ranges::equal(d.parameters(), e.parameters()));
}

BOOST_AUTO_TEST_CASE(weights_follow_he_uniform_bounds_and_biases_start_at_zero) {
  auto m = make_mlp({{50, 40, 3}, activation::relu, 1, default_bucket_bytes});
  // Layer 0's slice: W [50, 40] then b [40]; bound sqrt(2) sqrt(3 / 50) = sqrt(6 / 50).
  const auto where = m.store().layer_slice(0);
  const auto values = m.parameters().subspan(where.offset, where.size);
  const float bound = std::sqrt(6.0f / 50.0f);
  float largest = 0.0f;
  for (float w : values.first(2000))
    largest = std::max(largest, std::fabs(w));
  BOOST_TEST(largest <= bound);
  BOOST_TEST(largest > 0.9f * bound);
  BOOST_TEST(std::ranges::all_of(values.subspan(2000), [](float v) { return v == 0.0f; }));
}

BOOST_AUTO_TEST_CASE(full_size_cnn_has_the_lenet_parameter_count) {
  BOOST_TEST(make_cnn(cnn_description{}).parameters().size() == 857738u);
}

BOOST_AUTO_TEST_CASE(mlp_learns_four_gaussian_blobs) {
  std::vector<float> train_x, test_x;
  std::vector<std::int32_t> train_y, test_y;
  make_blobs(512, 1, train_x, train_y);
  make_blobs(400, 2, test_x, test_y);
  auto m = make_mlp({{2, 16, 16, 4}, activation::relu, 4, default_bucket_bytes});
  optimizer_config config;
  config.max_grad_norm = 5.0f;
  optimizer opt{config, m.parameters().size()};
  const lr_schedule schedule{0.05f, 0.0f, 20, 300};
  const std::size_t batch = 32;
  float first_loss = 0.0f, loss = 0.0f;
  for (std::size_t step = 0; step < 300; ++step) {
    const auto row = (step * batch) % 512;
    loss = m.forward_loss(train_x.data() + 2 * row, train_y.data() + row, batch);
    if (step == 0)
      first_loss = loss;
    m.backward();
    opt.step(m.parameters(), m.gradients(), learning_rate_at(schedule, step));
  }
  BOOST_TEST(loss < 0.5f * first_loss);
  BOOST_TEST(m.accuracy(test_x.data(), test_y.data(), test_y.size()) >= 0.95);
}

BOOST_AUTO_TEST_CASE(classifiers_predict_once_per_sample_and_evaluate_without_backward_state) {
  auto m = make_mlp({{6, 8, 3}, activation::relu, 2, default_bucket_bytes});
  BOOST_TEST(m.positions_per_sample() == 1u);
  BOOST_TEST(m.labels_per_sample() == 1u);
  BOOST_TEST(m.classes() == 3u);
  const auto x = random_floats(4 * 6, -1, 1, 1);
  const auto labels = random_labels(4, 3, 2);
  const double evaluated = m.evaluate_loss(x.data(), labels.data(), 4);
  BOOST_CHECK_THROW(m.backward(), std::logic_error);
  BOOST_TEST(evaluated == m.forward_loss(x.data(), labels.data(), 4));
}

// Claims more positions than its output holds rows for.
class ragged_output final : public layer {
public:
  std::string_view name() const noexcept override { return "ragged_output"; }
  std::size_t input_size() const noexcept override { return 5; }
  std::size_t output_size() const noexcept override { return 5; }
  std::size_t output_positions() const noexcept override { return 2; }
  std::size_t parameter_count() const noexcept override { return 1; }
  const float* forward(const float* input, std::size_t, bool) override { return input; }
  const float* backward(const float* grad_output) override { return grad_output; }
};

BOOST_AUTO_TEST_CASE(a_last_layer_without_whole_rows_per_position_is_refused) {
  std::vector<std::unique_ptr<layer>> layers;
  layers.push_back(std::make_unique<ragged_output>());
  BOOST_CHECK_THROW((model{std::move(layers), 1}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(misuse_is_reported) {
  BOOST_CHECK_THROW(make_mlp({{5}, activation::relu, 1, default_bucket_bytes}),
                    std::invalid_argument);
  auto d = tiny_cnn();
  d.kernel = 4;
  BOOST_CHECK_THROW(make_cnn(d), std::invalid_argument);
  auto m = make_mlp({{2, 3}, activation::relu, 1, default_bucket_bytes});
  BOOST_CHECK_THROW(m.backward(), std::logic_error);
  const std::vector<float> x{1, 2};
  m.logits(x.data(), 1);
  BOOST_CHECK_THROW(m.backward(), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
