#pragma once
/// Helpers shared by the kernel tests: seeded random inputs, tolerant comparison, and central
/// finite differences in float64.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "registry.hpp"
#include "result.hpp"

namespace ds::kernels::testing {

/// The value of a setup that must succeed; ends the test case with the status otherwise.
template <class T>
T ok_value(const result<T>& setup) {
  BOOST_REQUIRE_MESSAGE(setup.ok(), setup.error().to_string());
  return setup.value();
}

/// Runs `check(b)` for every host backend `b` of `o` that this machine can run (the CPU run
/// functions take host pointers; `cuda` is tested in cuda_ops_test).
template <class Check>
void on_usable_backends(op o, Check check) {
  for (backend b : all_backends())
    if (memory_of(b) == memory::host && supports(o, dtype::f32, b) && available(b))
      BOOST_TEST_CONTEXT("backend " << to_string(b)) {
        check(b);
      }
}

inline std::vector<float> random_floats(std::size_t n, float lo, float hi, std::uint32_t seed) {
  std::mt19937 gen{seed};
  std::uniform_real_distribution<float> dist{lo, hi};
  std::vector<float> values(n);
  for (auto& value : values)
    value = dist(gen);
  return values;
}

inline std::vector<std::int32_t> random_ids(std::size_t n, std::int32_t upper,
                                            std::uint32_t seed) {
  std::mt19937 gen{seed};
  std::uniform_int_distribution<std::int32_t> dist{0, upper - 1};
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids)
    id = dist(gen);
  return ids;
}

/// Checks |got - want| <= tolerance * (1 + |want|) element-wise and reports the worst element,
/// so one failure says where and by how much.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want,
                        double tolerance, const std::string& what) {
  BOOST_TEST_REQUIRE(got.size() == want.size(), what << ": size mismatch");
  double worst = 0.0;
  std::size_t worst_at = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(static_cast<double>(got[i]) - want[i])
                         / (1.0 + std::fabs(static_cast<double>(want[i])));
    if (!(error <= worst)) { // also catches NaN
      worst = error;
      worst_at = i;
    }
  }
  BOOST_TEST(worst <= tolerance, what << ": worst scaled error " << worst << " at [" << worst_at
                                      << "] got " << got[worst_at] << " want "
                                      << want[worst_at]);
}

/// sum(y * weights) in float64: a scalar loss whose gradient with respect to y is `weights`.
inline double weighted_sum(const std::vector<float>& y, const std::vector<float>& weights) {
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i)
    sum += static_cast<double>(y[i]) * weights[i];
  return sum;
}

/// Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every element of `x`, which `loss`
/// reads by reference; `x` is restored afterwards.
inline std::vector<float> numeric_gradient(std::vector<float>& x,
                                           const std::function<double()>& loss, float h) {
  std::vector<float> gradient(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = saved + h;
    const double up = loss();
    x[i] = saved - h;
    const double down = loss();
    x[i] = saved;
    gradient[i] = static_cast<float>((up - down) / (2.0 * static_cast<double>(h)));
  }
  return gradient;
}

} // namespace ds::kernels::testing
