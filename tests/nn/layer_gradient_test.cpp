// Every layer's backward against central finite differences of its own forward, on a
// loss = sum(w * forward(x)) accumulated in float64, so dloss/dy = w.
#define BOOST_TEST_MODULE nn_layer_gradients
#include <boost/test/unit_test.hpp>

#include "nn_test_support.hpp"

#include "nn/conv2d.hpp"
#include "nn/dense.hpp"
#include "nn/flatten.hpp"
#include "nn/max_pool2.hpp"

#include <numeric>
#include <stdexcept>

using namespace ds::nn;
using namespace ds::nn::testing;

namespace {

constexpr double atol = 2e-3;
// A conv weight reaches every output of its channel, so at h = 1e-2 too many of them would sit
// near a ReLU kink; at 2e-3 float rounding of these O(1) sums still stays under atol.
constexpr float step = 2e-3f;

// Binds `l` to fresh buffers, initializes it, and checks parameter and input gradients.
void check_layer(layer& l, std::vector<float> x, std::size_t batch, const std::string& what) {
  std::vector<float> values(l.parameter_count()), gradients(l.parameter_count());
  l.bind(values, gradients);
  splitmix64 rng{42};
  l.initialize(rng);
  // Non-zero biases, so the bias path is exercised.
  for (auto& v : values)
    v += rng.uniform(-0.1f, 0.1f);
  const auto w = random_floats(batch * l.output_size(), -1, 1, 7);
  auto loss = [&] { return weighted_sum(l.forward(x.data(), batch, true), w); };
  loss();
  const float* grad_input = l.backward(w.data());
  const std::vector<float> want_dx(grad_input, grad_input + x.size());
  const std::vector<float> want_dp = gradients;
  check_gradient(x, want_dx, loss, atol, what + " input", step);
  check_gradient(values, want_dp, loss, atol, what + " parameters", step);
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(dense_backward_matches_finite_differences_for_every_activation) {
  using ds::kernels::activation;
  for (auto act : {activation::identity, activation::relu, activation::gelu}) {
    dense l{6, 5, act};
    check_layer(l, random_floats(3 * 6, -1, 1, 1), 3,
                "dense act " + std::to_string(static_cast<int>(act)));
  }
}

BOOST_AUTO_TEST_CASE(conv2d_backward_matches_finite_differences_with_and_without_relu) {
  for (bool relu : {false, true}) {
    conv2d l{conv2d_description{2, 5, 6, 3, 3, relu}};
    BOOST_TEST(l.output_size() == 3u * 5 * 6);
    check_layer(l, random_floats(2 * l.input_size(), -1, 1, 2), 2,
                relu ? "conv2d relu" : "conv2d");
  }
}

BOOST_AUTO_TEST_CASE(max_pool2_backward_matches_finite_differences) {
  max_pool2 l{2, 5, 4};
  BOOST_TEST(l.output_size() == 2u * 2 * 2);
  // Distinct values 0.05 apart: no step of h moves a winner, so no entry is near a kink.
  std::vector<float> x(2 * l.input_size());
  std::iota(x.begin(), x.end(), 0.0f);
  splitmix64 rng{3};
  for (std::size_t i = x.size(); i > 1; --i)
    std::swap(x[i - 1], x[rng.next() % i]);
  for (auto& v : x)
    v *= 0.05f;
  check_layer(l, x, 2, "max_pool2");
}

BOOST_AUTO_TEST_CASE(flatten_passes_data_and_gradients_through) {
  flatten l{12};
  const auto x = random_floats(24, -1, 1, 4);
  BOOST_TEST(l.forward(x.data(), 2, true) == x.data());
  BOOST_TEST(l.backward(x.data()) == x.data());
}

BOOST_AUTO_TEST_CASE(backward_after_an_inference_forward_is_refused) {
  dense l{2, 2, ds::kernels::activation::relu};
  std::vector<float> values(l.parameter_count()), gradients(l.parameter_count());
  l.bind(values, gradients);
  const std::vector<float> x{1, 2};
  l.forward(x.data(), 1, false);
  BOOST_CHECK_THROW(l.backward(x.data()), std::logic_error);
  BOOST_CHECK_THROW(l.forward(x.data(), 0, true), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
