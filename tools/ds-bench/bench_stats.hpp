#pragma once
/// Statistics the benchmarks report: medians over repeated runs.

#include <algorithm>
#include <vector>

namespace ds::bench {

/// The median of `values` (the mean of the middle two for an even count).
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

} // namespace ds::bench
