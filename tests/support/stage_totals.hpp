#pragma once
// Summing a stage's counters over its replicas, for tests that run whole jobs.

#include <cstdint>
#include <string>

#include "dsflow/metrics.hpp"

namespace ds::test {

/// The sum of `field` over every replica of `stage`.
inline std::uint64_t stage_total(const metrics_registry& metrics, const std::string& stage,
                                 counter replica_metrics::*field) {
  std::uint64_t sum = 0;
  metrics.for_each([&](const replica_metrics& m) {
    if (m.stage == stage)
      sum += (m.*field).value();
  });
  return sum;
}

} // namespace ds::test
