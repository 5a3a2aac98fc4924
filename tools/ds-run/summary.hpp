#pragma once
/// The report `ds-run` prints when a job ends.

#include <string>

#include "dsflow/metrics.hpp"
#include "runtime/job.hpp"

namespace ds::tools {

/// Per stage: replicas, items in/out/failed, bytes, busy/blocked/idle shares,
/// restarts; then every failed item and the outcome with the wall time.
std::string format_summary(const metrics_registry& metrics, const job_result& result);

} // namespace ds::tools
