#pragma once
// Helpers shared by the nn tests: seeded inputs and a finite-difference gradient check that
// tolerates ReLU and max-pool kinks.

#include <boost/test/unit_test.hpp>

#include "nn/init.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
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

// How `analytic` compares with central differences of a loss, coordinate by coordinate.
struct gradient_report {
  std::size_t checked = 0;
  // Near a kink: the differences at h and h/2 disagree.
  std::size_t skipped = 0;
  std::size_t failed = 0;
  // Coordinates whose numeric gradient exceeds 100 atol, where the relative bound dominates
  // the tolerance.
  std::size_t significant = 0;
  // Largest |analytic - numeric| / |numeric| over the significant coordinates.
  double worst_relative_error = 0.0;
  // "what[i]: analytic a, numeric n" for the first five failures.
  std::string first_failures;
};

// Compares `analytic` with central differences of `loss` over every entry of `values`, at
// steps h and h/2. Where the two differences disagree, a kink (ReLU at 0, a max-pool winner
// changing) lies within h and the coordinate is skipped. Elsewhere it fails if
// |analytic - numeric| > 1e-2 |numeric| + atol. h = 1e-2 keeps float32 rounding in the forward
// far below the differences, and the O(h^2) truncation below the tolerance. Raises no test
// error itself: the caller decides what is one (see check_gradient).
template <class Loss>
gradient_report compare_gradient(std::span<float> values, std::span<const float> analytic,
                                 Loss&& loss, double atol, const std::string& what,
                                 float h = 1e-2f) {
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
  gradient_report report;
  for (std::size_t i = 0; i < values.size(); ++i) {
    ++report.checked;
    const double coarse = difference(i, h);
    const double fine = difference(i, h / 2);
    const double tolerance = 1e-2 * std::fabs(fine) + atol;
    if (std::fabs(coarse - fine) > tolerance) {
      ++report.skipped;
      continue;
    }
    const double error = std::fabs(analytic[i] - fine);
    if (std::fabs(fine) > 100 * atol) {
      ++report.significant;
      report.worst_relative_error = std::max(report.worst_relative_error, error / std::fabs(fine));
    }
    if (error > tolerance && ++report.failed <= 5) {
      std::ostringstream line;
      line << "\n  " << what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << fine;
      report.first_failures += line.str();
    }
  }
  return report;
}

// compare_gradient, requiring no failure and at most a tenth of the entries near a kink.
template <class Loss>
gradient_report check_gradient(std::span<float> values, std::span<const float> analytic,
                               Loss&& loss, double atol, const std::string& what,
                               float h = 1e-2f) {
  const auto report = compare_gradient(values, analytic, loss, atol, what, h);
  BOOST_TEST(report.failed == 0u, what << ": " << report.failed << " of " << report.checked
                                        << " differ" << report.first_failures);
  BOOST_TEST(report.skipped * 10 <= report.checked,
             what << ": " << report.skipped << " of " << report.checked << " entries near a kink");
  return report;
}

} // namespace ds::nn::testing
