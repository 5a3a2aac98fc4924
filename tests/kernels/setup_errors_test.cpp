// Setup functions reject bad shapes without throwing: they return an errc::invalid_argument
// status naming the op and the dimension.
#define BOOST_TEST_MODULE kernel_setup_errors
#include <boost/test/unit_test.hpp>

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
#include "kernel_test_support.hpp"

#include <string>

using namespace ds::kernels;
using ds::kernels::testing::ok_value;

namespace {

// Checks that `setup` failed with errc::invalid_argument and a message that starts with
// `expected_prefix` ("op_name: dimension ...").
template <class T>
void check_rejects(const result<T>& setup, const std::string& expected_prefix) {
  BOOST_TEST_CONTEXT("expecting \"" << expected_prefix << "\"") {
    BOOST_TEST(!setup.ok(), "setup accepted the shape");
    BOOST_TEST((setup.error().code() == ds::errc::invalid_argument),
               "code was " << ds::to_string(setup.error().code()));
    const std::string& text = setup.error().message();
    BOOST_TEST(text.rfind(expected_prefix, 0) == 0, "message was \"" << text << "\"");
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(setup_errors_name_the_op_and_the_dimension) {
  check_rejects(setup_gemm(false, false, 4, 0, 3), "gemm: n must be > 0 (got 0)");
  check_rejects(setup_bias_activation(0, 3, activation::relu),
                "bias_activation: rows must be > 0");
  check_rejects(setup_softmax(2, 0), "softmax_forward: cols must be > 0");
  check_rejects(setup_cross_entropy(8, 0), "cross_entropy: classes must be > 0");
  check_rejects(setup_layer_norm(2, 8, 0.0f), "layer_norm: epsilon must be > 0");
  check_rejects(setup_embedding(0, 8, 1), "embedding: vocab must be > 0");
  check_rejects(setup_attention(1, 0, 4, 8), "attention: heads must be > 0");
  check_rejects(setup_conv2d({1, 3, 6, 6, 4, 9, 3, 1, 1}),
                "conv2d: kernel_h must be <= height + 2 * padding (got 9)");
  check_rejects(setup_conv2d({1, 3, 6, 6, 4, 3, 3, 0, 1}), "conv2d: stride must be > 0");
  check_rejects(setup_max_pool(1, 1, 1, 4), "max_pool: height must be >= 2 (got 1)");
  check_rejects(setup_sgd({10, 0.1f, 1.5f, 0.0f}),
                "sgd_update: momentum must be in [0, 1) (got 1.5)");
  check_rejects(setup_adam({10, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false, 0}),
                "adam_update: step must be >= 1 (got 0)");
  check_rejects(setup_adam({10, 1e-3f, 0.9f, 1.0f, 1e-8f, 0.0f, false, 1}),
                "adam_update: beta2 must be in [0, 1) (got 1)");
}

BOOST_AUTO_TEST_CASE(setup_errors_are_whole_messages) {
  const auto gemm = setup_gemm(false, false, 4, 0, 3);
  BOOST_TEST(gemm.error().message() == "gemm: n must be > 0 (got 0)");
  BOOST_TEST(gemm.error().to_string() == "invalid_argument: gemm: n must be > 0 (got 0)");
  // The first broken rule is the one reported.
  BOOST_TEST(setup_attention(0, 0, 0, 0).error().message()
             == "attention: batch must be > 0 (got 0)");
}

BOOST_AUTO_TEST_CASE(setup_accepts_a_valid_shape) {
  const auto gemm = setup_gemm(true, false, 4, 5, 3);
  BOOST_TEST(gemm.ok());
  BOOST_TEST(gemm.error().is_ok());
  BOOST_TEST(gemm.value().transpose_a);
  BOOST_TEST(gemm.value().m == 4u);
  BOOST_TEST(gemm.value().n == 5u);
  BOOST_TEST(gemm.value().k == 3u);
}

BOOST_AUTO_TEST_CASE(setup_derives_output_sizes_and_scratch) {
  const auto conv = ok_value(setup_conv2d({2, 3, 28, 28, 8, 5, 5, 2, 2}));
  BOOST_TEST(conv.out_height == 14u);
  BOOST_TEST(conv.out_width == 14u);
  BOOST_TEST(conv.scratch_floats == 3u * 5 * 5 * 14 * 14);
  const auto pool = ok_value(setup_max_pool(1, 1, 7, 6));
  BOOST_TEST(pool.out_height == 3u);
  BOOST_TEST(pool.out_width == 3u);
  const auto attention = ok_value(setup_attention(1, 2, 16, 64));
  BOOST_TEST(attention.scale == 0.125f);
  BOOST_TEST(attention.scratch_floats == 256u);
}

BOOST_AUTO_TEST_SUITE_END()
