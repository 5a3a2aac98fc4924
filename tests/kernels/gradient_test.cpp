// Every backward op, on every backend that runs here, against central finite differences of
// the reference forward: loss = sum(forward(x) * w) in float64, so dloss/dy = w.
#define BOOST_TEST_MODULE kernel_gradients
#include <boost/test/unit_test.hpp>

#include "kernel_test_support.hpp"

#include "cpu/attention.hpp"
#include "cpu/bias_activation.hpp"
#include "cpu/conv2d.hpp"
#include "cpu/cross_entropy.hpp"
#include "cpu/embedding.hpp"
#include "cpu/layer_norm.hpp"
#include "cpu/max_pool.hpp"
#include "registry.hpp"

#include <numeric>
#include <string>

using namespace ds::kernels;
using namespace ds::kernels::testing;

namespace {

using floats = std::vector<float>;

// h = 1e-2 keeps float rounding in the forward (~1e-7 relative) well below the difference,
// and the O(h^2) truncation error stays under the 2e-3 tolerance for these smooth ops.
constexpr float step = 1e-2f;
constexpr double tolerance = 2e-3;

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(bias_activation_backward_matches_finite_differences) {
  const std::size_t rows = 4, cols = 11;
  for (auto act : {activation::identity, activation::relu, activation::gelu}) {
    const auto s = ok_value(setup_bias_activation(rows, cols, act));
    auto x = random_floats(rows * cols, -3, 3, 1);
    auto bias = random_floats(cols, -0.5f, 0.5f, 2);
    // Keep pre-activations away from the ReLU kink, where differences are meaningless.
    for (std::size_t i = 0; i < x.size(); ++i)
      if (std::fabs(x[i] + bias[i % cols]) < 0.05f)
        x[i] += 0.2f;
    const auto w = random_floats(rows * cols, -1, 1, 3);
    auto loss = [&] {
      floats y(x.size());
      bias_activation_forward(s, y.data(), x.data(), bias.data(), backend::reference);
      return weighted_sum(y, w);
    };
    const auto want_dx = numeric_gradient(x, loss, step);
    const auto want_db = numeric_gradient(bias, loss, step);
    on_usable_backends(op::bias_activation_backward, [&](backend b) {
      floats dx(x.size()), db(cols);
      bias_activation_backward(s, dx.data(), db.data(), w.data(), x.data(), bias.data(), b);
      const std::string what = "activation " + std::to_string(static_cast<int>(act));
      check_close(dx, want_dx, tolerance, what + " dx");
      check_close(db, want_db, tolerance, what + " dbias");
    });
  }
}

BOOST_AUTO_TEST_CASE(cross_entropy_backward_matches_finite_differences) {
  const auto s = ok_value(setup_cross_entropy(5, 7));
  auto logits = random_floats(5 * 7, -3, 3, 4);
  const auto labels = random_ids(5, 7, 5);
  auto loss = [&] {
    float value = 0.0f;
    cross_entropy_forward(s, &value, logits.data(), labels.data(), backend::reference);
    return static_cast<double>(value);
  };
  const auto want = numeric_gradient(logits, loss, step);
  on_usable_backends(op::cross_entropy_backward, [&](backend b) {
    floats got(logits.size());
    cross_entropy_backward(s, got.data(), logits.data(), labels.data(), 1.0f, b);
    check_close(got, want, tolerance, "dlogits");
  });
}

BOOST_AUTO_TEST_CASE(layer_norm_backward_matches_finite_differences) {
  const std::size_t rows = 3, cols = 10;
  const auto s = ok_value(setup_layer_norm(rows, cols));
  auto x = random_floats(rows * cols, -2, 2, 6);
  auto gamma = random_floats(cols, 0.5f, 1.5f, 7);
  auto beta = random_floats(cols, -1, 1, 8);
  const auto w = random_floats(rows * cols, -1, 1, 9);
  auto loss = [&] {
    floats y(x.size()), mean(rows), rstd(rows);
    layer_norm_forward(s, y.data(), mean.data(), rstd.data(), x.data(), gamma.data(),
                       beta.data(), backend::reference);
    return weighted_sum(y, w);
  };
  const auto want_dx = numeric_gradient(x, loss, step);
  const auto want_dg = numeric_gradient(gamma, loss, step);
  const auto want_db = numeric_gradient(beta, loss, step);
  floats y(x.size()), mean(rows), rstd(rows);
  layer_norm_forward(s, y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                     backend::reference);
  on_usable_backends(op::layer_norm_backward, [&](backend b) {
    floats dx(x.size()), dg(cols), db(cols);
    layer_norm_backward(s, dx.data(), dg.data(), db.data(), w.data(), x.data(), mean.data(),
                        rstd.data(), gamma.data(), b);
    check_close(dx, want_dx, tolerance, "dx");
    check_close(dg, want_dg, tolerance, "dgamma");
    check_close(db, want_db, tolerance, "dbeta");
  });
}

BOOST_AUTO_TEST_CASE(embedding_backward_matches_finite_differences) {
  const auto s = ok_value(setup_embedding(6, 4, 9));
  auto table = random_floats(6 * 4, -1, 1, 10);
  const std::vector<std::int32_t> ids{0, 3, 3, 5, 1, 3, 0, 2, 5}; // repeats must add up
  const auto w = random_floats(9 * 4, -1, 1, 11);
  auto loss = [&] {
    floats out(9 * 4);
    embedding_forward(s, out.data(), table.data(), ids.data(), backend::reference);
    return weighted_sum(out, w);
  };
  const auto want = numeric_gradient(table, loss, step);
  on_usable_backends(op::embedding_backward, [&](backend b) {
    floats got(table.size(), 0.0f);
    embedding_backward(s, got.data(), w.data(), ids.data(), b);
    check_close(got, want, tolerance, "dtable");
  });
}

BOOST_AUTO_TEST_CASE(attention_backward_matches_finite_differences) {
  const auto s = ok_value(setup_attention(1, 2, 5, 4));
  const std::size_t n = 2 * 5 * 4;
  auto q = random_floats(n, -1, 1, 12);
  auto k = random_floats(n, -1, 1, 13);
  auto v = random_floats(n, -1, 1, 14);
  const auto w = random_floats(n, -1, 1, 15);
  auto loss = [&] {
    floats out(n), probs(2 * 5 * 5);
    attention_forward(s, out.data(), probs.data(), q.data(), k.data(), v.data(),
                      backend::reference);
    return weighted_sum(out, w);
  };
  const auto want_dq = numeric_gradient(q, loss, step);
  const auto want_dk = numeric_gradient(k, loss, step);
  const auto want_dv = numeric_gradient(v, loss, step);
  floats out(n), probs(2 * 5 * 5), scratch(s.scratch_floats);
  attention_forward(s, out.data(), probs.data(), q.data(), k.data(), v.data(),
                    backend::reference);
  on_usable_backends(op::attention_backward, [&](backend b) {
    floats dq(n), dk(n), dv(n);
    attention_backward(s, dq.data(), dk.data(), dv.data(), w.data(), q.data(), k.data(),
                       v.data(), probs.data(), scratch.data(), b);
    check_close(dq, want_dq, tolerance, "dq");
    check_close(dk, want_dk, tolerance, "dk");
    check_close(dv, want_dv, tolerance, "dv");
  });
}

BOOST_AUTO_TEST_CASE(conv2d_backward_matches_finite_differences) {
  const auto s = ok_value(setup_conv2d({2, 2, 5, 5, 3, 3, 3, 2, 1}));
  const std::size_t yn = 2 * 3 * s.out_height * s.out_width;
  auto x = random_floats(2 * 2 * 5 * 5, -1, 1, 16);
  auto weight = random_floats(3 * 2 * 3 * 3, -1, 1, 17);
  auto bias = random_floats(3, -1, 1, 18);
  const auto w = random_floats(yn, -1, 1, 19);
  floats scratch(s.scratch_floats);
  auto loss = [&] {
    floats y(yn);
    conv2d_forward(s, y.data(), x.data(), weight.data(), bias.data(), nullptr,
                   backend::reference);
    return weighted_sum(y, w);
  };
  const auto want_dx = numeric_gradient(x, loss, step);
  const auto want_dw = numeric_gradient(weight, loss, step);
  const auto want_db = numeric_gradient(bias, loss, step);
  on_usable_backends(op::conv2d_backward, [&](backend b) {
    floats dx(x.size()), dw(weight.size()), db(3);
    conv2d_backward(s, dx.data(), dw.data(), db.data(), w.data(), x.data(), weight.data(),
                    scratch.data(), b);
    check_close(dx, want_dx, tolerance, "dx");
    check_close(dw, want_dw, tolerance, "dweight");
    check_close(db, want_db, tolerance, "dbias");
  });
}

BOOST_AUTO_TEST_CASE(max_pool_backward_matches_finite_differences) {
  const auto s = ok_value(setup_max_pool(1, 2, 5, 4));
  // Distinct values 0.1 apart, shuffled, so a step of 1e-2 never changes a window's winner.
  floats x(2 * 5 * 4);
  std::iota(x.begin(), x.end(), 0.0f);
  for (auto& value : x)
    value *= 0.1f;
  std::shuffle(x.begin(), x.end(), std::mt19937{20});
  const std::size_t yn = 2 * 2 * 2;
  const auto w = random_floats(yn, -1, 1, 21);
  auto loss = [&] {
    floats y(yn);
    std::vector<std::int32_t> argmax(yn);
    max_pool_forward(s, y.data(), argmax.data(), x.data(), backend::reference);
    return weighted_sum(y, w);
  };
  const auto want = numeric_gradient(x, loss, step);
  floats y(yn);
  std::vector<std::int32_t> argmax(yn);
  max_pool_forward(s, y.data(), argmax.data(), x.data(), backend::reference);
  on_usable_backends(op::max_pool_backward, [&](backend b) {
    floats got(x.size());
    max_pool_backward(s, got.data(), w.data(), argmax.data(), b);
    check_close(got, want, tolerance, "dx");
  });
}

BOOST_AUTO_TEST_SUITE_END()
