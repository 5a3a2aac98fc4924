// Every registered op on every host backend that implements it, against the reference on
// seeded random inputs (ggml's test-backend-ops). Cases are generated from the registry, so a
// new host backend listed there is tested here without edits; a backend this host cannot run
// (no AVX2) is reported as skipped, never as passed. Device backends (`cuda`) take device
// pointers and are tested the same way by cuda_ops_test (suite gpu), which stages the same
// kind of inputs through device memory.
#define BOOST_TEST_MODULE kernel_backend_ops
#include <boost/test/unit_test.hpp>

#include "kernel_test_support.hpp"

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
#include "registry.hpp"

#include <string>

using namespace ds::kernels;
using namespace ds::kernels::testing;

namespace {

using floats = std::vector<float>;

void gemm_case(backend on) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const auto s = ok_value(setup_gemm(ta, tb, 37, 29, 41));
      const auto a = random_floats(37 * 41, -1, 1, 1);
      const auto b = random_floats(41 * 29, -1, 1, 2);
      floats want = random_floats(37 * 29, -1, 1, 3);
      floats got = want;
      gemm(s, want.data(), a.data(), b.data(), 0.7f, 0.3f, backend::reference);
      gemm(s, got.data(), a.data(), b.data(), 0.7f, 0.3f, on);
      check_close(got, want, 1e-5, "gemm ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
    }
}

void bias_activation_case(backend on, bool backward) {
  for (auto act : {activation::identity, activation::relu, activation::gelu}) {
    const auto s = ok_value(setup_bias_activation(7, 45, act));
    const auto x = random_floats(7 * 45, -4, 4, 4);
    const auto bias = random_floats(45, -1, 1, 5);
    const auto dy = random_floats(7 * 45, -1, 1, 6);
    const std::string what = "activation " + std::to_string(static_cast<int>(act));
    if (!backward) {
      floats want(x.size()), got(x.size());
      bias_activation_forward(s, want.data(), x.data(), bias.data(), backend::reference);
      bias_activation_forward(s, got.data(), x.data(), bias.data(), on);
      check_close(got, want, 1e-5, what);
      continue;
    }
    floats want_dx(x.size()), got_dx(x.size()), want_db(45), got_db(45);
    bias_activation_backward(s, want_dx.data(), want_db.data(), dy.data(), x.data(), bias.data(),
                             backend::reference);
    bias_activation_backward(s, got_dx.data(), got_db.data(), dy.data(), x.data(), bias.data(),
                             on);
    check_close(got_dx, want_dx, 1e-5, what + " dx");
    check_close(got_db, want_db, 1e-5, what + " dbias");
  }
}

void softmax_case(backend on) {
  const auto s = ok_value(setup_softmax(9, 77));
  const auto x = random_floats(9 * 77, -20, 20, 7);
  floats want(x.size()), got(x.size());
  softmax_forward(s, want.data(), x.data(), backend::reference);
  softmax_forward(s, got.data(), x.data(), on);
  check_close(got, want, 1e-6, "softmax");
}

void cross_entropy_case(backend on, bool backward) {
  const auto s = ok_value(setup_cross_entropy(13, 37));
  const auto logits = random_floats(13 * 37, -8, 8, 8);
  const auto labels = random_ids(13, 37, 9);
  if (!backward) {
    floats want(1), got(1);
    cross_entropy_forward(s, want.data(), logits.data(), labels.data(), backend::reference);
    cross_entropy_forward(s, got.data(), logits.data(), labels.data(), on);
    check_close(got, want, 1e-5, "loss");
    return;
  }
  floats want(logits.size()), got(logits.size());
  cross_entropy_backward(s, want.data(), logits.data(), labels.data(), 1.5f, backend::reference);
  cross_entropy_backward(s, got.data(), logits.data(), labels.data(), 1.5f, on);
  check_close(got, want, 1e-6, "dlogits");
}

void layer_norm_case(backend on, bool backward) {
  const std::size_t rows = 6, cols = 67;
  const auto s = ok_value(setup_layer_norm(rows, cols));
  const auto x = random_floats(rows * cols, 2, 5, 10);
  const auto gamma = random_floats(cols, 0.5f, 1.5f, 11);
  const auto beta = random_floats(cols, -1, 1, 12);
  floats y(x.size()), mean(rows), rstd(rows);
  layer_norm_forward(s, y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                     backend::reference);
  if (!backward) {
    floats got(x.size()), got_mean(rows), got_rstd(rows);
    layer_norm_forward(s, got.data(), got_mean.data(), got_rstd.data(), x.data(), gamma.data(),
                       beta.data(), on);
    check_close(got, y, 1e-5, "y");
    check_close(got_mean, mean, 1e-6, "mean");
    check_close(got_rstd, rstd, 1e-5, "rstd");
    return;
  }
  const auto dy = random_floats(x.size(), -1, 1, 13);
  floats want_dx(x.size()), want_dg(cols), want_db(cols);
  floats got_dx(x.size()), got_dg(cols), got_db(cols);
  layer_norm_backward(s, want_dx.data(), want_dg.data(), want_db.data(), dy.data(), x.data(),
                      mean.data(), rstd.data(), gamma.data(), backend::reference);
  layer_norm_backward(s, got_dx.data(), got_dg.data(), got_db.data(), dy.data(), x.data(),
                      mean.data(), rstd.data(), gamma.data(), on);
  check_close(got_dx, want_dx, 1e-5, "dx");
  check_close(got_dg, want_dg, 1e-5, "dgamma");
  check_close(got_db, want_db, 1e-5, "dbeta");
}

void embedding_case(backend on, bool backward) {
  const auto s = ok_value(setup_embedding(50, 13, 40));
  const auto table = random_floats(50 * 13, -1, 1, 14);
  const auto ids = random_ids(40, 50, 15);
  if (!backward) {
    floats want(40 * 13), got(40 * 13);
    embedding_forward(s, want.data(), table.data(), ids.data(), backend::reference);
    embedding_forward(s, got.data(), table.data(), ids.data(), on);
    check_close(got, want, 0.0, "gather");
    return;
  }
  const auto dout = random_floats(40 * 13, -1, 1, 16);
  floats want(table.size()), got(table.size());
  embedding_backward(s, want.data(), dout.data(), ids.data(), backend::reference);
  embedding_backward(s, got.data(), dout.data(), ids.data(), on);
  check_close(got, want, 1e-6, "scatter-add");
}

void attention_case(backend on, bool backward) {
  const auto s = ok_value(setup_attention(2, 3, 11, 8));
  const std::size_t n = 2 * 3 * 11 * 8;
  const auto q = random_floats(n, -1, 1, 17);
  const auto k = random_floats(n, -1, 1, 18);
  const auto v = random_floats(n, -1, 1, 19);
  floats out(n), probs(2 * 3 * 11 * 11);
  attention_forward(s, out.data(), probs.data(), q.data(), k.data(), v.data(),
                    backend::reference);
  if (!backward) {
    floats got(n), got_probs(probs.size());
    attention_forward(s, got.data(), got_probs.data(), q.data(), k.data(), v.data(), on);
    check_close(got, out, 1e-5, "out");
    check_close(got_probs, probs, 1e-5, "probs");
    return;
  }
  const auto dout = random_floats(n, -1, 1, 20);
  floats scratch(s.scratch_floats);
  floats want_dq(n), want_dk(n), want_dv(n), got_dq(n), got_dk(n), got_dv(n);
  attention_backward(s, want_dq.data(), want_dk.data(), want_dv.data(), dout.data(), q.data(),
                     k.data(), v.data(), probs.data(), scratch.data(), backend::reference);
  attention_backward(s, got_dq.data(), got_dk.data(), got_dv.data(), dout.data(), q.data(),
                     k.data(), v.data(), probs.data(), scratch.data(), on);
  check_close(got_dq, want_dq, 1e-5, "dq");
  check_close(got_dk, want_dk, 1e-5, "dk");
  check_close(got_dv, want_dv, 1e-5, "dv");
}

void conv2d_case(backend on, bool backward) {
  // Strided and padded, then a plain 1x1 convolution.
  for (auto shape : {conv2d_shape{2, 3, 9, 8, 4, 3, 3, 2, 1}, conv2d_shape{1, 5, 4, 6, 3, 1, 1}}) {
    const auto s = ok_value(setup_conv2d(shape));
    const std::string what = "conv " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w);
    const std::size_t xn = s.batch * s.in_channels * s.height * s.width;
    const std::size_t wn = s.out_channels * s.in_channels * s.kernel_h * s.kernel_w;
    const std::size_t yn = s.batch * s.out_channels * s.out_height * s.out_width;
    const auto x = random_floats(xn, -1, 1, 21);
    const auto w = random_floats(wn, -1, 1, 22);
    const auto bias = random_floats(s.out_channels, -1, 1, 23);
    floats scratch(s.scratch_floats);
    if (!backward) {
      floats want(yn), got(yn);
      conv2d_forward(s, want.data(), x.data(), w.data(), bias.data(), scratch.data(),
                     backend::reference);
      conv2d_forward(s, got.data(), x.data(), w.data(), bias.data(), scratch.data(), on);
      check_close(got, want, 1e-5, what + " y");
      continue;
    }
    const auto dy = random_floats(yn, -1, 1, 24);
    floats want_dx(xn), want_dw(wn), want_db(s.out_channels);
    floats got_dx(xn), got_dw(wn), got_db(s.out_channels);
    conv2d_backward(s, want_dx.data(), want_dw.data(), want_db.data(), dy.data(), x.data(),
                    w.data(), scratch.data(), backend::reference);
    conv2d_backward(s, got_dx.data(), got_dw.data(), got_db.data(), dy.data(), x.data(),
                    w.data(), scratch.data(), on);
    check_close(got_dx, want_dx, 1e-5, what + " dx");
    check_close(got_dw, want_dw, 1e-5, what + " dweight");
    check_close(got_db, want_db, 1e-5, what + " dbias");
  }
}

void max_pool_case(backend on, bool backward) {
  const auto s = ok_value(setup_max_pool(2, 3, 7, 6));
  const auto x = random_floats(2 * 3 * 7 * 6, -1, 1, 25);
  const std::size_t yn = 2 * 3 * 3 * 3;
  floats y(yn);
  std::vector<std::int32_t> argmax(yn);
  max_pool_forward(s, y.data(), argmax.data(), x.data(), backend::reference);
  if (!backward) {
    floats got(yn);
    std::vector<std::int32_t> got_argmax(yn);
    max_pool_forward(s, got.data(), got_argmax.data(), x.data(), on);
    check_close(got, y, 0.0, "y");
    BOOST_TEST(got_argmax == argmax, boost::test_tools::per_element());
    return;
  }
  const auto dy = random_floats(yn, -1, 1, 26);
  floats want(x.size()), got(x.size());
  max_pool_backward(s, want.data(), dy.data(), argmax.data(), backend::reference);
  max_pool_backward(s, got.data(), dy.data(), argmax.data(), on);
  check_close(got, want, 0.0, "dx");
}

void sgd_case(backend on) {
  // 1003 elements: vector body plus a scalar tail.
  const auto s = ok_value(setup_sgd({1003, 0.05f, 0.9f, 0.01f}));
  floats want_p = random_floats(1003, -1, 1, 27), want_v(1003, 0.0f);
  floats got_p = want_p, got_v = want_v;
  for (std::uint32_t step = 0; step < 3; ++step) {
    const auto g = random_floats(1003, -1, 1, 28 + step);
    sgd_update(s, want_p.data(), want_v.data(), g.data(), backend::reference);
    sgd_update(s, got_p.data(), got_v.data(), g.data(), on);
  }
  check_close(got_p, want_p, 1e-6, "param");
  check_close(got_v, want_v, 1e-6, "velocity");
}

void adam_case(backend on) {
  for (bool decoupled : {false, true}) {
    floats want_p = random_floats(1003, -1, 1, 31), want_m(1003, 0.0f), want_v(1003, 0.0f);
    floats got_p = want_p, got_m = want_m, got_v = want_v;
    for (long step = 1; step <= 3; ++step) {
      const auto s =
        ok_value(setup_adam({1003, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step}));
      const auto g = random_floats(1003, -1, 1, 40 + static_cast<std::uint32_t>(step));
      adam_update(s, want_p.data(), want_m.data(), want_v.data(), g.data(), backend::reference);
      adam_update(s, got_p.data(), got_m.data(), got_v.data(), g.data(), on);
    }
    const std::string what = decoupled ? "adamw " : "adam ";
    check_close(got_p, want_p, 1e-6, what + "param");
    check_close(got_m, want_m, 1e-6, what + "first moment");
    check_close(got_v, want_v, 1e-6, what + "second moment");
  }
}

// A switch without default: adding an op to the registry without a case here is a -Wswitch
// warning, and the coverage test below fails if the case is missing at run time.
bool run_case(op o, backend on) {
  switch (o) {
    case op::gemm:
      return gemm_case(on), true;
    case op::bias_activation_forward:
      return bias_activation_case(on, false), true;
    case op::bias_activation_backward:
      return bias_activation_case(on, true), true;
    case op::softmax_forward:
      return softmax_case(on), true;
    case op::cross_entropy_forward:
      return cross_entropy_case(on, false), true;
    case op::cross_entropy_backward:
      return cross_entropy_case(on, true), true;
    case op::layer_norm_forward:
      return layer_norm_case(on, false), true;
    case op::layer_norm_backward:
      return layer_norm_case(on, true), true;
    case op::embedding_forward:
      return embedding_case(on, false), true;
    case op::embedding_backward:
      return embedding_case(on, true), true;
    case op::attention_forward:
      return attention_case(on, false), true;
    case op::attention_backward:
      return attention_case(on, true), true;
    case op::conv2d_forward:
      return conv2d_case(on, false), true;
    case op::conv2d_backward:
      return conv2d_case(on, true), true;
    case op::max_pool_forward:
      return max_pool_case(on, false), true;
    case op::max_pool_backward:
      return max_pool_case(on, true), true;
    case op::sgd_update:
      return sgd_case(on), true;
    case op::adam_update:
      return adam_case(on), true;
  }
  return false;
}

// Registers "<op>_on_<backend>_matches_reference" for every supported pair at static
// initialization, as BOOST_AUTO_TEST_CASE does, with a precondition that turns an unavailable
// backend into a skipped case.
struct backend_case_registrar {
  backend_case_registrar() {
    namespace utf = boost::unit_test;
    auto* suite = BOOST_TEST_SUITE("backend_ops");
    for (op o : registered_ops())
      for (backend b : all_backends()) {
        if (memory_of(b) != memory::host || !supports(o, dtype::f32, b))
          continue;
        const std::string name = std::string{to_string(o)} + "_on_" + std::string{to_string(b)}
                                 + "_matches_reference";
        auto* test = utf::make_test_case([o, b] { BOOST_TEST(run_case(o, b)); }, name,
                                         __FILE__, __LINE__);
        test->add_precondition([b](utf::test_unit_id) {
          boost::test_tools::assertion_result usable(available(b));
          usable.message() << to_string(b) << " is not available on this host";
          return usable;
        });
        suite->add(test);
      }
    utf::framework::master_test_suite().add(suite);
  }
};

const backend_case_registrar registrar;

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(every_registered_op_has_a_reference_backend_and_a_test_case) {
  for (op o : registered_ops()) {
    BOOST_TEST_CONTEXT("op " << to_string(o)) {
      BOOST_TEST(supports(o, dtype::f32, backend::reference));
      BOOST_TEST(!to_string(o).empty());
      BOOST_TEST(run_case(o, backend::reference));
      const backend best = dispatch(o);
      BOOST_TEST((supports(o, dtype::f32, best) && available(best)));
    }
  }
}

BOOST_AUTO_TEST_CASE(asking_for_a_missing_backend_falls_back_to_the_reference) {
  BOOST_TEST((resolve(op::embedding_forward, backend::avx2) == backend::reference));
  BOOST_TEST((resolve(op::softmax_forward, backend::cuda) == backend::reference));
  BOOST_TEST((resolve(op::gemm, backend::blas) == backend::blas));
}

BOOST_AUTO_TEST_CASE(host_dispatch_never_picks_a_device_backend) {
  for (op o : registered_ops()) {
    BOOST_TEST_CONTEXT("op " << to_string(o)) {
      BOOST_TEST((memory_of(dispatch(o)) == memory::host));
      BOOST_TEST((memory_of(resolve(o, backend::cuda)) == memory::host));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
