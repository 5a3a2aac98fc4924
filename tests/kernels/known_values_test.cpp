// Results that are known in closed form, checked on every backend that runs here.
#define BOOST_TEST_MODULE kernel_known_values
#include <boost/test/unit_test.hpp>

#include "kernel_test_support.hpp"

#include "cpu/attention.hpp"
#include "cpu/bias_activation.hpp"
#include "cpu/cross_entropy.hpp"
#include "cpu/embedding.hpp"
#include "cpu/gemm.hpp"
#include "cpu/layer_norm.hpp"
#include "cpu/max_pool.hpp"
#include "cpu/optimizer_update.hpp"
#include "cpu/softmax.hpp"
#include "registry.hpp"

#include <cmath>

using namespace ds::kernels;
using namespace ds::kernels::testing;

namespace {

using floats = std::vector<float>;

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(gemm_multiplies_small_matrices_with_every_transpose) {
  const floats a{1, 2, 3, 4, 5, 6}; // [2,3]
  const floats b{1, 0, 0, 1, 1, 1}; // [3,2]
  const floats at{1, 4, 2, 5, 3, 6}; // a stored transposed, [3,2]
  const floats bt{1, 0, 1, 0, 1, 1}; // b stored transposed, [2,3]
  const floats want{4, 5, 10, 11};
  on_usable_backends(op::gemm, [&](backend on) {
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        floats c(4);
        gemm(ok_value(setup_gemm(ta, tb, 2, 2, 3)), c.data(), ta ? at.data() : a.data(),
             tb ? bt.data() : b.data(), 1.0f, 0.0f, on);
        check_close(c, want, 0.0, "ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
      }
  });
}

BOOST_AUTO_TEST_CASE(relu_and_gelu_have_their_textbook_values) {
  const floats x{-3.0f, -1.0f, 0.0f, 1.0f, 8.0f, 0.5f, -0.5f, 2.0f, 10.0f};
  const floats zero(9, 0.0f);
  // GELU tanh approximation values from PyTorch (approximate="tanh").
  const floats gelu{-0.0036373f, -0.1588080f, 0.0f, 0.8411920f, 8.0f,
                    0.3457140f,  -0.1542860f, 1.9545977f, 10.0f};
  const floats relu{0, 0, 0, 1, 8, 0.5f, 0, 2, 10};
  on_usable_backends(op::bias_activation_forward, [&](backend on) {
    floats y(9);
    bias_activation_forward(ok_value(setup_bias_activation(1, 9, activation::relu)), y.data(),
                            x.data(), zero.data(), on);
    check_close(y, relu, 0.0, "relu");
    bias_activation_forward(ok_value(setup_bias_activation(1, 9, activation::gelu)), y.data(),
                            x.data(), zero.data(), on);
    check_close(y, gelu, 2e-6, "gelu");
  });
}

BOOST_AUTO_TEST_CASE(softmax_of_equal_logits_is_uniform_even_when_huge) {
  for (float logit : {0.0f, 1000.0f, -1000.0f}) {
    const floats x(2 * 19, logit);
    on_usable_backends(op::softmax_forward, [&](backend on) {
      floats y(x.size());
      softmax_forward(ok_value(setup_softmax(2, 19)), y.data(), x.data(), on);
      check_close(y, floats(x.size(), 1.0f / 19.0f), 1e-6, "logit " + std::to_string(logit));
    });
  }
}

BOOST_AUTO_TEST_CASE(cross_entropy_of_a_perfect_prediction_is_zero_and_of_uniform_is_log_c) {
  const auto s = ok_value(setup_cross_entropy(3, 10));
  const std::vector<std::int32_t> labels{2, 9, 0};
  floats perfect(30, 0.0f);
  for (std::size_t r = 0; r < 3; ++r)
    perfect[r * 10 + static_cast<std::size_t>(labels[r])] = 100.0f;
  on_usable_backends(op::cross_entropy_forward, [&](backend on) {
    float loss = -1.0f;
    cross_entropy_forward(s, &loss, perfect.data(), labels.data(), on);
    BOOST_TEST(loss == 0.0f, boost::test_tools::tolerance(1e-6f));
    cross_entropy_forward(s, &loss, floats(30, 0.5f).data(), labels.data(), on);
    BOOST_TEST(loss == std::log(10.0f), boost::test_tools::tolerance(1e-6f));
  });
}

BOOST_AUTO_TEST_CASE(cross_entropy_turns_a_bad_label_into_nan_loss_and_zero_gradient) {
  const auto s = ok_value(setup_cross_entropy(2, 4));
  const std::vector<std::int32_t> labels{1, 4};
  const auto logits = random_floats(8, -1, 1, 1);
  on_usable_backends(op::cross_entropy_forward, [&](backend on) {
    float loss = 0.0f;
    cross_entropy_forward(s, &loss, logits.data(), labels.data(), on);
    BOOST_TEST(std::isnan(loss));
    floats grad(8, 7.0f);
    cross_entropy_backward(s, grad.data(), logits.data(), labels.data(), 1.0f, on);
    check_close(floats(grad.begin() + 4, grad.end()), floats(4, 0.0f), 0.0, "bad row");
  });
}

BOOST_AUTO_TEST_CASE(layer_norm_with_unit_gain_gives_zero_mean_unit_variance_rows) {
  const auto s = ok_value(setup_layer_norm(4, 33, 1e-6f));
  const auto x = random_floats(4 * 33, 100, 104, 2);
  on_usable_backends(op::layer_norm_forward, [&](backend on) {
    floats y(x.size()), mean(4), rstd(4);
    layer_norm_forward(s, y.data(), mean.data(), rstd.data(), x.data(), floats(33, 1.0f).data(),
                       floats(33, 0.0f).data(), on);
    for (std::size_t r = 0; r < 4; ++r) {
      double sum = 0.0, sq = 0.0;
      for (std::size_t c = 0; c < 33; ++c) {
        sum += y[r * 33 + c];
        sq += static_cast<double>(y[r * 33 + c]) * y[r * 33 + c];
      }
      BOOST_TEST(sum / 33 == 0.0, boost::test_tools::tolerance(1e-4));
      BOOST_TEST(sq / 33 == 1.0, boost::test_tools::tolerance(1e-3));
    }
  });
}

BOOST_AUTO_TEST_CASE(embedding_gathers_rows_and_zeroes_out_of_range_ids) {
  const floats table{0, 1, 10, 11, 20, 21}; // [3,2]
  const std::vector<std::int32_t> ids{2, 0, -1, 3, 2};
  const auto s = ok_value(setup_embedding(3, 2, 5));
  floats out(10);
  embedding_forward(s, out.data(), table.data(), ids.data());
  check_close(out, floats{20, 21, 0, 1, 0, 0, 0, 0, 20, 21}, 0.0, "gather");
  floats dtable(6, 0.0f);
  embedding_backward(s, dtable.data(), floats(10, 1.0f).data(), ids.data());
  check_close(dtable, floats{1, 1, 0, 0, 2, 2}, 0.0, "scatter-add");
}

BOOST_AUTO_TEST_CASE(max_pool_picks_each_window_maximum_and_routes_its_gradient) {
  // One 4x5 plane; the last column is dropped.
  const floats x{1, 5, 2, 0, 9, //
                 3, 4, 8, 1, 9, //
                 0, 0, 7, 7, 9, //
                 6, 0, 7, 2, 9};
  const auto s = ok_value(setup_max_pool(1, 1, 4, 5));
  floats y(4);
  std::vector<std::int32_t> argmax(4);
  max_pool_forward(s, y.data(), argmax.data(), x.data());
  check_close(y, floats{5, 8, 6, 7}, 0.0, "y");
  BOOST_TEST(argmax == (std::vector<std::int32_t>{1, 7, 15, 12}), boost::test_tools::per_element());
  floats dx(20, 3.0f);
  max_pool_backward(s, dx.data(), floats{1, 2, 3, 4}.data(), argmax.data());
  floats want(20, 0.0f);
  want[1] = 1, want[7] = 2, want[15] = 3, want[12] = 4;
  check_close(dx, want, 0.0, "dx");
}

BOOST_AUTO_TEST_CASE(attention_first_position_attends_only_to_itself) {
  const auto s = ok_value(setup_attention(1, 1, 3, 2));
  const auto q = random_floats(6, -1, 1, 3);
  const auto k = random_floats(6, -1, 1, 4);
  const floats v{1, 2, 30, 40, 500, 600};
  on_usable_backends(op::attention_forward, [&](backend on) {
    floats out(6), probs(9);
    attention_forward(s, out.data(), probs.data(), q.data(), k.data(), v.data(), on);
    check_close(floats(out.begin(), out.begin() + 2), floats{1, 2}, 1e-6, "first row");
    BOOST_TEST(probs[1] == 0.0f);
    BOOST_TEST(probs[2] == 0.0f);
    BOOST_TEST(probs[5] == 0.0f);
    BOOST_TEST(probs[6] + probs[7] + probs[8] == 1.0f, boost::test_tools::tolerance(1e-6f));
  });
}

BOOST_AUTO_TEST_CASE(sgd_with_momentum_follows_the_recurrence) {
  const auto s = ok_value(setup_sgd({1, 0.1f, 0.9f, 0.0f}));
  on_usable_backends(op::sgd_update, [&](backend on) {
    float p = 1.0f, v = 0.0f;
    const float g = 2.0f;
    sgd_update(s, &p, &v, &g, on); // v = 2, p = 1 - 0.2
    sgd_update(s, &p, &v, &g, on); // v = 3.8, p = 0.8 - 0.38
    BOOST_TEST(v == 3.8f, boost::test_tools::tolerance(1e-6f));
    BOOST_TEST(p == 0.42f, boost::test_tools::tolerance(1e-6f));
  });
}

BOOST_AUTO_TEST_CASE(adam_first_step_moves_every_weight_by_lr_against_the_gradient_sign) {
  // Bias correction makes m / sqrt(v) = g / |g| on step 1, whatever the gradient's scale.
  const std::size_t n = 21;
  const auto gradient = random_floats(n, -5, 5, 5);
  const auto start = random_floats(n, -1, 1, 6);
  on_usable_backends(op::adam_update, [&](backend on) {
    floats p = start, m(n, 0.0f), v(n, 0.0f);
    adam_update(ok_value(setup_adam({n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false, 1})),
                p.data(), m.data(), v.data(), gradient.data(), on);
    floats want(n);
    for (std::size_t i = 0; i < n; ++i)
      want[i] = start[i] - 1e-3f * (gradient[i] > 0 ? 1.0f : -1.0f);
    check_close(p, want, 1e-6, "param");
  });
}

BOOST_AUTO_TEST_CASE(adamw_decays_weights_independently_of_the_gradient) {
  // With a zero gradient, AdamW only shrinks p by lr * wd; Adam's coupled decay instead feeds
  // wd * p through the moments and so takes a full lr-sized step against sign(p).
  const std::size_t n = 19;
  const auto start = random_floats(n, 0.5f, 2, 7);
  const floats zero(n, 0.0f);
  on_usable_backends(op::adam_update, [&](backend on) {
    floats p = start, m(n, 0.0f), v(n, 0.0f);
    adam_update(ok_value(setup_adam({n, 0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 1})),
                p.data(), m.data(), v.data(), zero.data(), on);
    floats want(n);
    for (std::size_t i = 0; i < n; ++i)
      want[i] = start[i] * (1.0f - 0.1f * 0.01f);
    check_close(p, want, 1e-6, "adamw");
    p = start, m = zero, v = zero;
    adam_update(ok_value(setup_adam({n, 0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, false, 1})),
                p.data(), m.data(), v.data(), zero.data(), on);
    for (std::size_t i = 0; i < n; ++i)
      want[i] = start[i] - 0.1f;
    check_close(p, want, 1e-5, "adam with l2");
  });
}

BOOST_AUTO_TEST_SUITE_END()
