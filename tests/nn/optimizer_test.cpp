// The optimizer over flat buffers, the warm-up + cosine schedule and global-norm clipping,
// each against its documented formula.
#define BOOST_TEST_MODULE nn_optimizer
#include <boost/test/unit_test.hpp>

#include "nn/optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace ds::nn;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(schedule_warms_up_linearly_then_decays_by_cosine_to_the_floor) {
  const lr_schedule s{1.0f, 0.1f, 4, 14};
  BOOST_TEST(learning_rate_at(s, 0) == 0.25f, tt::tolerance(1e-6f));
  BOOST_TEST(learning_rate_at(s, 1) == 0.5f, tt::tolerance(1e-6f));
  BOOST_TEST(learning_rate_at(s, 3) == 1.0f, tt::tolerance(1e-6f));
  BOOST_TEST(learning_rate_at(s, 4) == 1.0f, tt::tolerance(1e-6f));
  // Half-way through the 10 decay steps the cosine term is 1/2.
  BOOST_TEST(learning_rate_at(s, 9) == 0.55f, tt::tolerance(1e-5f));
  BOOST_TEST(learning_rate_at(s, 14) == 0.1f, tt::tolerance(1e-6f));
  BOOST_TEST(learning_rate_at(s, 1000) == 0.1f, tt::tolerance(1e-6f));
  for (std::size_t step = 4; step < 14; ++step)
    BOOST_TEST(learning_rate_at(s, step + 1) < learning_rate_at(s, step));
}

BOOST_AUTO_TEST_CASE(schedule_without_warm_up_starts_at_the_peak) {
  const lr_schedule s{0.5f, 0.0f, 0, 10};
  BOOST_TEST(learning_rate_at(s, 0) == 0.5f);
  BOOST_TEST(learning_rate_at(s, 10) == 0.0f, tt::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(clipping_scales_to_the_norm_only_when_above_it) {
  std::vector<float> g{3.0f, 4.0f};
  BOOST_TEST(clip_global_norm(g, 10.0f) == 5.0);
  BOOST_TEST(g == (std::vector<float>{3.0f, 4.0f}), tt::per_element());
  BOOST_TEST(clip_global_norm(g, 1.0f) == 5.0);
  BOOST_TEST(g[0] == 0.6f, tt::tolerance(1e-6f));
  BOOST_TEST(g[1] == 0.8f, tt::tolerance(1e-6f));
  BOOST_TEST(global_norm(g) == 1.0, tt::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(clipping_leaves_non_finite_gradients_for_the_caller_to_see) {
  std::vector<float> g{std::nanf(""), 1.0f};
  BOOST_TEST(std::isnan(clip_global_norm(g, 1.0f)));
  BOOST_TEST(g[1] == 1.0f);
}

BOOST_AUTO_TEST_CASE(sgd_momentum_follows_the_documented_update) {
  optimizer_config config;
  config.momentum = 0.5f;
  optimizer opt{config, 2};
  std::vector<float> p{1.0f, -1.0f}, g{0.2f, -0.4f};
  opt.step(p, g, 0.1f); // v = g; p -= 0.1 v
  BOOST_TEST(p[0] == 0.98f, tt::tolerance(1e-6f));
  opt.step(p, g, 0.1f); // v = 0.5 g + g = 1.5 g
  BOOST_TEST(p[0] == 0.95f, tt::tolerance(1e-6f));
  BOOST_TEST(p[1] == -0.9f, tt::tolerance(1e-6f));
  BOOST_TEST(opt.steps_taken() == 2);
}

BOOST_AUTO_TEST_CASE(adam_first_step_moves_each_parameter_by_the_learning_rate) {
  for (auto kind : {optimizer_kind::adam, optimizer_kind::adamw}) {
    optimizer_config config;
    config.kind = kind;
    optimizer opt{config, 3};
    std::vector<float> p{1.0f, 2.0f, 3.0f}, g{0.5f, -2.0f, 1e-3f};
    opt.step(p, g, 0.01f);
    // Bias-corrected m / sqrt(v) is sign(g) on step 1.
    BOOST_TEST(p[0] == 0.99f, tt::tolerance(1e-5f));
    BOOST_TEST(p[1] == 2.01f, tt::tolerance(1e-5f));
    BOOST_TEST(p[2] == 2.99f, tt::tolerance(1e-5f));
  }
}

BOOST_AUTO_TEST_CASE(adamw_decays_weights_without_gradient) {
  optimizer_config config;
  config.kind = optimizer_kind::adamw;
  config.weight_decay = 0.1f;
  optimizer opt{config, 1};
  std::vector<float> p{2.0f}, g{0.0f};
  opt.step(p, g, 0.5f); // p -= lr wd p
  BOOST_TEST(p[0] == 1.9f, tt::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(step_clips_when_configured_and_reports_the_norm_before) {
  optimizer_config config;
  config.momentum = 0.0f;
  config.max_grad_norm = 1.0f;
  optimizer opt{config, 2};
  std::vector<float> p{0.0f, 0.0f}, g{3.0f, 4.0f};
  BOOST_TEST(opt.step(p, g, 1.0f) == 5.0);
  BOOST_TEST(p[0] == -0.6f, tt::tolerance(1e-6f));
  BOOST_TEST(p[1] == -0.8f, tt::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(bad_configurations_and_sizes_are_refused) {
  optimizer_config config;
  config.momentum = 1.5f;
  BOOST_CHECK_THROW((optimizer{config, 2}), std::invalid_argument);
  config = {};
  config.max_grad_norm = -1.0f;
  BOOST_CHECK_THROW((optimizer{config, 2}), std::invalid_argument);
  optimizer opt{optimizer_config{}, 2};
  std::vector<float> p(3), g(3);
  BOOST_CHECK_THROW(opt.step(p, g, 0.1f), std::invalid_argument);
  std::vector<float> q(2), h(2);
  BOOST_CHECK_THROW(opt.step(q, h, -1.0f), std::invalid_argument);
  BOOST_TEST(opt.steps_taken() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
