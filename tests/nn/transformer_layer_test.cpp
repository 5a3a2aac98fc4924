// The language-model layers against central finite differences: the transformer block alone,
// and the token embedding with the tied output head, whose shared table gradient is written by
// both. Losses are sum(w * output) in float64, so dloss/dy = w; all three layers are smooth
// (no ReLU or max), so no coordinate may be skipped as near a kink.
#define BOOST_TEST_MODULE nn_transformer_layers
#include <boost/test/unit_test.hpp>

#include "nn_test_support.hpp"

#include "nn/lm_head.hpp"
#include "nn/token_embedding.hpp"
#include "nn/transformer_block.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

using namespace ds::nn;
using namespace ds::nn::testing;

namespace {

constexpr double absolute_tolerance = 2e-3;

// Initializes, then moves every parameter by U(-spread, spread): the 0.02-std init alone would
// leave most gradients below the absolute tolerance, where the check proves nothing.
void randomize(layer& l, std::span<float> values, float spread, std::uint64_t seed) {
  splitmix64 rng{seed};
  l.initialize(rng);
  for (auto& v : values)
    v += rng.uniform(-spread, spread);
}

// check_gradient, plus what makes it meaningful here: no kinks to skip, and most numeric
// gradients far above the absolute tolerance, so the relative bound decides.
template <class Loss>
void check_smooth_gradient(std::span<float> values, std::span<const float> analytic, Loss&& loss,
                           const std::string& what) {
  const auto report = check_gradient(values, analytic, loss, absolute_tolerance, what);
  BOOST_TEST(report.skipped == 0u, what << ": " << report.skipped << " skipped");
  BOOST_TEST(report.significant * 2 >= report.checked,
             what << ": only " << report.significant << " of " << report.checked
                  << " gradients exceed 100 times the absolute tolerance");
  BOOST_TEST_MESSAGE(what << ": worst relative error " << report.worst_relative_error);
}

std::vector<float> token_ids(std::size_t n, std::size_t vocab, std::uint64_t seed) {
  const auto labels = random_labels(n, static_cast<std::int32_t>(vocab), seed);
  return {labels.begin(), labels.end()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(transformer_block_backward_matches_finite_differences) {
  const std::size_t batch = 2;
  transformer_block l{transformer_block_description{4, 8, 2, 4, 2}};
  BOOST_TEST(l.parameter_count() == 872u);
  std::vector<float> values(l.parameter_count()), gradients(l.parameter_count());
  l.bind(values, gradients);
  randomize(l, values, 0.3f, 42);
  auto x = random_floats(batch * l.input_size(), -1, 1, 1);
  const auto w = random_floats(batch * l.output_size(), -1, 1, 7);
  auto loss = [&] { return weighted_sum(l.forward(x.data(), batch, true), w); };
  loss();
  const float* grad_input = l.backward(w.data());
  const std::vector<float> want_dx(grad_input, grad_input + x.size());
  const std::vector<float> want_dp = gradients;
  check_smooth_gradient(x, want_dx, loss, "block input");
  check_smooth_gradient(values, want_dp, loss, "block parameters");
}

BOOST_AUTO_TEST_CASE(tied_head_and_embedding_together_give_the_table_its_full_gradient) {
  const std::size_t vocab = 7, context = 3, dim = 4, batch = 2;
  token_embedding embedding{vocab, context, dim};
  lm_head head{embedding, context};
  BOOST_TEST(head.output_positions() == context);
  BOOST_TEST(head.output_size() == context * vocab);
  // One flat buffer as a model lays it out: head first, then the embedding that owns the table.
  std::vector<float> values(head.parameter_count() + embedding.parameter_count());
  std::vector<float> gradients(values.size(), std::numeric_limits<float>::quiet_NaN());
  const std::span<float> all_values{values}, all_gradients{gradients};
  head.bind(all_values.first(head.parameter_count()),
            all_gradients.first(head.parameter_count()));
  embedding.bind(all_values.subspan(head.parameter_count()),
                 all_gradients.subspan(head.parameter_count()));
  randomize(embedding, all_values.subspan(head.parameter_count()), 0.5f, 3);
  randomize(head, all_values.first(head.parameter_count()), 0.3f, 4);

  const auto ids = token_ids(batch * context, vocab, 5);
  const auto w = random_floats(batch * head.output_size(), -1, 1, 6);
  auto loss = [&] {
    return weighted_sum(head.forward(embedding.forward(ids.data(), batch, true), batch, true), w);
  };
  loss();
  // The head overwrites the NaNs of the table's gradient; the embedding then adds to it.
  const float* grad_hidden = head.backward(w.data());
  const auto table = all_gradients.subspan(head.parameter_count(), vocab * dim);
  BOOST_TEST(std::ranges::all_of(table, [](float g) { return std::isfinite(g); }));
  const std::vector<float> head_only(table.begin(), table.end());
  const float* grad_ids = embedding.backward(grad_hidden);
  BOOST_TEST(std::all_of(grad_ids, grad_ids + ids.size(), [](float g) { return g == 0.0f; }));
  const std::vector<float> analytic = gradients;
  check_smooth_gradient(all_values, analytic, loss, "head + embedding");

  // A table gradient holding the head's part only, as if the embedding overwrote instead of
  // accumulating its part (or the reverse), is caught.
  auto head_part_only = analytic;
  std::ranges::copy(head_only, head_part_only.begin() + head.parameter_count());
  const auto caught = compare_gradient(all_values, head_part_only, loss, absolute_tolerance, "");
  BOOST_TEST(caught.failed > 0u);
}

BOOST_AUTO_TEST_CASE(token_embedding_adds_positions_and_accumulates_into_the_table) {
  token_embedding l{3, 2, 2};
  std::vector<float> values{0, 1, 10, 11, 20, 21, 0.5f, 0.25f, -1, -2};
  std::vector<float> gradients(values.size(), 100.0f);
  l.bind(values, gradients);
  const std::vector<float> ids{2, 0, 0, 0};
  const float* y = l.forward(ids.data(), 2, true);
  const std::vector<float> want_y{20.5f, 21.25f, -1, -1, 0.5f, 1.25f, -1, -1};
  BOOST_TEST(std::vector<float>(y, y + 8) == want_y, boost::test_tools::per_element());
  const std::vector<float> dy{1, 2, 3, 4, 5, 6, 7, 8};
  l.backward(dy.data());
  // Table rows accumulate onto 100; positions are overwritten with the sum over samples.
  const std::vector<float> want{115, 118, 100, 100, 101, 102, 6, 8, 10, 12};
  BOOST_TEST(gradients == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(inputs_that_are_not_token_ids_are_refused_with_their_position) {
  token_embedding l{5, 2, 3};
  std::vector<float> values(l.parameter_count()), gradients(l.parameter_count());
  l.bind(values, gradients);
  for (float bad : {-1.0f, 5.0f, 2.5f, std::numeric_limits<float>::quiet_NaN()}) {
    const std::vector<float> ids{1, 2, 3, bad};
    try {
      l.forward(ids.data(), 2, true);
      BOOST_ERROR("token id " << bad << " accepted");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("sample 1 position 1") != std::string::npos,
                 e.what());
    }
  }
  BOOST_CHECK_THROW((token_embedding{(std::size_t{1} << 24) + 1, 2, 3}), std::invalid_argument);
  BOOST_CHECK_THROW((token_embedding{5, 0, 3}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(block_and_head_refuse_bad_shapes_and_untrained_backward) {
  BOOST_CHECK_THROW((transformer_block{transformer_block_description{4, 10, 3, 4, 1}}),
                    std::invalid_argument);
  BOOST_CHECK_THROW((transformer_block{transformer_block_description{0, 8, 2, 4, 1}}),
                    std::invalid_argument);
  transformer_block block{transformer_block_description{2, 4, 2, 1, 1}};
  std::vector<float> values(block.parameter_count()), gradients(block.parameter_count());
  block.bind(values, gradients);
  const auto x = random_floats(block.input_size(), -1, 1, 1);
  block.forward(x.data(), 1, false);
  BOOST_CHECK_THROW(block.backward(x.data()), std::logic_error);
  BOOST_CHECK_THROW(block.forward(x.data(), 0, true), std::invalid_argument);
  token_embedding embedding{3, 2, 4};
  BOOST_CHECK_THROW((lm_head{embedding, 0}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
