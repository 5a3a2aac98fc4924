#pragma once
// Helpers shared by the nn tests: seeded inputs and a finite-difference gradient check that
// tolerates ReLU and max-pool kinks.

#include <boost/test/unit_test.hpp>

#include "nn/init.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ds::nn::testing {

inline std::vector<float> random_floats(std::size_t n, float low, float high,
                                        std::uint64_t seed) {
  splitmix64 rng{seed};
  std::vector<float> out(n);
  for (auto& v : out)
    v = rng.uniform(low, high);
  return out;
}

inline std::vector<std::int32_t> random_labels(std::size_t n, std::int32_t classes,
                                               std::uint64_t seed) {
  splitmix64 rng{seed};
  std::vector<std::int32_t> out(n);
  for (auto& v : out)
    v = static_cast<std::int32_t>(rng.next() % static_cast<std::uint64_t>(classes));
  return out;
}

inline double weighted_sum(const float* y, std::span<const float> w) {
  double sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i)
    sum += static_cast<double>(y[i]) * w[i];
  return sum;
}

// Compares `analytic` with central differences of `loss` over every entry of `values`, at
// steps h and h/2. Where the two differences disagree, a kink (ReLU at 0, a max-pool winner
// changing) lies within h and the coordinate is skipped; at most a tenth may be. Elsewhere
// |analytic - numeric| must be <= 1e-2 |numeric| + atol. h = 1e-2 keeps float32 rounding in
// the forward far below the differences, and the O(h^2) truncation below the tolerance.
template <class Loss>
void check_gradient(std::span<float> values, std::span<const float> analytic, Loss&& loss,
                    double atol, const std::string& what, float h = 1e-2f) {
  BOOST_TEST_REQUIRE(values.size() == analytic.size());
  auto difference = [&](std::size_t i, float step) {
    const float saved = values[i];
    values[i] = saved + step;
    const double up = loss();
    values[i] = saved - step;
    const double down = loss();
    values[i] = saved;
    return (up - down) / (2.0 * static_cast<double>(step));
  };
  std::size_t skipped = 0, failed = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double coarse = difference(i, h);
    const double fine = difference(i, h / 2);
    const double tolerance = 1e-2 * std::fabs(fine) + atol;
    if (std::fabs(coarse - fine) > tolerance) {
      ++skipped;
      continue;
    }
    if (std::fabs(analytic[i] - fine) > tolerance && ++failed <= 5)
      BOOST_ERROR(what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << fine);
  }
  BOOST_TEST(failed == 0u, what << ": " << failed << " of " << values.size() << " differ");
  BOOST_TEST(skipped * 10 <= values.size(),
             what << ": " << skipped << " of " << values.size() << " entries near a kink");
}

} // namespace ds::nn::testing
