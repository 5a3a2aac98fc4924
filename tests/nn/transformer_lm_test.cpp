// The transformer language model as a whole: gradients against finite differences, bucket
// order with the tied table, its size and initial loss, and learning a repeating text.
#define BOOST_TEST_MODULE nn_transformer_lm
#include <boost/test/unit_test.hpp>

#include "nn_test_support.hpp"

#include "nn/models.hpp"
#include "nn/optimizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string_view>

using namespace ds::nn;
using namespace ds::nn::testing;

namespace {

transformer_lm_description tiny_lm() {
  transformer_lm_description d;
  d.vocab = 11;
  d.context = 5;
  d.d_model = 8;
  d.heads = 2;
  d.layers = 2;
  d.seed = 3;
  return d;
}

std::vector<float> as_floats(const std::vector<std::int32_t>& ids) {
  return {ids.begin(), ids.end()};
}

// A text and its alphabet as ids 0..V-1 in sorted character order.
struct encoded_text {
  std::vector<std::int32_t> ids;
  std::size_t vocab = 0;
};

encoded_text encode(std::string_view text) {
  std::string alphabet(text);
  std::ranges::sort(alphabet);
  alphabet.erase(std::unique(alphabet.begin(), alphabet.end()), alphabet.end());
  encoded_text out{{}, alphabet.size()};
  for (char c : text)
    out.ids.push_back(static_cast<std::int32_t>(alphabet.find(c)));
  return out;
}

// `batch` windows of `context` tokens at random offsets, labelled with the next tokens.
void sample_windows(const std::vector<std::int32_t>& ids, std::size_t context, std::size_t batch,
                    splitmix64& rng, std::vector<float>& x, std::vector<std::int32_t>& labels) {
  x.clear();
  labels.clear();
  for (std::size_t b = 0; b < batch; ++b) {
    const auto start = rng.next() % (ids.size() - context);
    x.insert(x.end(), ids.begin() + static_cast<std::ptrdiff_t>(start),
             ids.begin() + static_cast<std::ptrdiff_t>(start + context));
    labels.insert(labels.end(), ids.begin() + static_cast<std::ptrdiff_t>(start + 1),
                  ids.begin() + static_cast<std::ptrdiff_t>(start + context + 1));
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(tiny_transformer_lm_gradients_match_finite_differences) {
  auto m = make_transformer_lm(tiny_lm());
  const std::size_t batch = 2;
  BOOST_TEST(m.positions_per_sample() == 5u);
  BOOST_TEST(m.labels_per_sample() == 5u);
  BOOST_TEST(m.classes() == 11u);
  // Away from the near-zero init, so that gradients are large and attention not uniform.
  splitmix64 rng{17};
  for (auto& v : m.parameters())
    v += rng.uniform(-0.3f, 0.3f);
  const auto x = as_floats(random_labels(batch * 5, 11, 11));
  const auto labels = random_labels(batch * 5, 11, 12);
  m.forward_loss(x.data(), labels.data(), batch);
  m.backward();
  const std::vector<float> analytic(m.gradients().begin(), m.gradients().end());
  // The loss is a mean over 10 predictions, so gradients are ~1e-2: a smaller floor.
  const double atol = 1e-4;
  const auto report = check_gradient(
    m.parameters(), analytic,
    [&] { return static_cast<double>(m.forward_loss(x.data(), labels.data(), batch)); }, atol,
    "tiny lm");
  BOOST_TEST(report.skipped == 0u);
  BOOST_TEST(report.significant * 2 >= report.checked,
             report.significant << " of " << report.checked << " gradients exceed 100 atol");
  BOOST_TEST(report.worst_relative_error < 1e-2);
}

BOOST_AUTO_TEST_CASE(buckets_report_the_tied_table_last_and_only_when_final) {
  auto d = tiny_lm();
  d.bucket_bytes = 4; // one bucket per layer: head, block 2, block 1, embedding
  auto m = make_transformer_lm(d);
  const auto buckets = m.store().buckets();
  BOOST_TEST_REQUIRE(buckets.size() == 4u);
  BOOST_TEST(m.store().bucket_of(0) == 3u);
  BOOST_TEST(m.store().bucket_of(3) == 0u);
  const auto table = m.store().layer_slice(0); // the table leads layer 0's slice
  const auto x = as_floats(random_labels(2 * 5, 11, 1));
  const auto labels = random_labels(2 * 5, 11, 2);
  for (int step = 0; step < 2; ++step) {
    m.forward_loss(x.data(), labels.data(), 2);
    auto grads = m.gradients();
    std::fill(grads.begin(), grads.end(), std::numeric_limits<float>::quiet_NaN());
    std::vector<std::size_t> order;
    std::vector<std::vector<float>> seen;
    m.backward([&](std::size_t b) {
      order.push_back(b);
      const auto range = buckets[b].range;
      seen.emplace_back(grads.begin() + range.offset, grads.begin() + range.offset + range.size);
      BOOST_TEST(std::ranges::all_of(seen.back(), [](float g) { return std::isfinite(g); }));
      // The head has written the table's gradient before its own bucket is reported.
      if (b == 0)
        BOOST_TEST(std::isfinite(grads[table.offset]));
    });
    BOOST_TEST(order == (std::vector<std::size_t>{0, 1, 2, 3}), boost::test_tools::per_element());
    // Nothing written after a report, the embedding's accumulation included.
    for (std::size_t b = 0; b < order.size(); ++b) {
      const auto range = buckets[order[b]].range;
      BOOST_TEST(std::equal(seen[b].begin(), seen[b].end(), grads.begin() + range.offset));
    }
  }
}

BOOST_AUTO_TEST_CASE(default_model_has_the_documented_size_and_starts_near_uniform) {
  transformer_lm_description d;
  d.vocab = 100;
  auto m = make_transformer_lm(d);
  // Embedding (100 + 128) * 128, four blocks of 198,272, final layer norm 256; no output matrix.
  BOOST_TEST(m.parameters().size() == 822528u);
  BOOST_TEST(m.layer_count() == 6u);
  BOOST_TEST(m.input_size() == 128u);
  BOOST_TEST(m.positions_per_sample() == 128u);
  BOOST_TEST(m.classes() == 100u);
  const auto x = as_floats(random_labels(2 * 128, 100, 1));
  const auto labels = random_labels(2 * 128, 100, 2);
  BOOST_TEST(m.evaluate_loss(x.data(), labels.data(), 2) == std::log(100.0),
             boost::test_tools::tolerance(0.02));
  auto same = make_transformer_lm(d);
  BOOST_TEST(std::ranges::equal(m.parameters(), same.parameters()));
  d.seed = 2;
  BOOST_TEST(!std::ranges::equal(m.parameters(), make_transformer_lm(d).parameters()));
}

BOOST_AUTO_TEST_CASE(tiny_lm_learns_a_repeating_text) {
  std::string text;
  while (text.size() < 2000)
    text += "the quick brown fox jumps over the lazy dog. ";
  const auto data = encode(text);
  transformer_lm_description d;
  d.vocab = data.vocab;
  d.context = 16;
  d.d_model = 32;
  d.heads = 2;
  d.layers = 2;
  auto m = make_transformer_lm(d);
  optimizer_config config;
  config.kind = optimizer_kind::adamw;
  config.weight_decay = 0.01f;
  config.max_grad_norm = 1.0f;
  optimizer opt{config, m.parameters().size()};
  const std::size_t steps = 300, batch = 8;
  const lr_schedule schedule{1e-2f, 1e-3f, 20, steps};
  splitmix64 rng{5};
  std::vector<float> x;
  std::vector<std::int32_t> labels;
  const auto started = std::chrono::steady_clock::now();
  float first_loss = 0.0f;
  for (std::size_t step = 0; step < steps; ++step) {
    sample_windows(data.ids, d.context, batch, rng, x, labels);
    const float loss = m.forward_loss(x.data(), labels.data(), batch);
    if (step == 0)
      first_loss = loss;
    m.backward();
    opt.step(m.parameters(), m.gradients(), learning_rate_at(schedule, step));
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  const double uniform = std::log(static_cast<double>(data.vocab));
  sample_windows(data.ids, d.context, 64, rng, x, labels);
  const double nats = m.evaluate_loss(x.data(), labels.data(), 64);
  BOOST_TEST_MESSAGE("vocab " << data.vocab << ": loss " << first_loss << " -> " << nats
                              << " nats (" << nats / std::numbers::ln2 << " bits/char) in "
                              << steps << " steps, " << elapsed.count() << " s");
  BOOST_TEST(first_loss == uniform, boost::test_tools::tolerance(0.05));
  BOOST_TEST(nats < 0.15 * uniform);
  BOOST_TEST(m.accuracy(x.data(), labels.data(), 64) > 0.9);
}

BOOST_AUTO_TEST_CASE(bad_descriptions_and_inputs_are_refused) {
  auto d = tiny_lm();
  d.heads = 3;
  BOOST_CHECK_THROW(make_transformer_lm(d), std::invalid_argument);
  for (auto field : {&transformer_lm_description::vocab, &transformer_lm_description::context,
                     &transformer_lm_description::d_model, &transformer_lm_description::heads,
                     &transformer_lm_description::layers,
                     &transformer_lm_description::ffn_multiplier}) {
    auto zero = tiny_lm();
    zero.*field = 0;
    BOOST_CHECK_THROW(make_transformer_lm(zero), std::invalid_argument);
  }
  auto m = make_transformer_lm(tiny_lm());
  auto x = as_floats(random_labels(5, 11, 1));
  const auto labels = random_labels(5, 11, 2);
  x[3] = 11.0f;
  BOOST_CHECK_THROW(m.forward_loss(x.data(), labels.data(), 1), std::invalid_argument);
  x[3] = 1.0f;
  m.evaluate_loss(x.data(), labels.data(), 1);
  BOOST_CHECK_THROW(m.backward(), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
