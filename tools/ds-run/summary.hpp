#pragma once
/// The report `ds-run` prints when a job ends.

#include <string>

#include "dsflow/metrics.hpp"
#include "net/transport.hpp"
#include "runtime/job.hpp"

namespace ds::tools {

/// Per stage: replicas, items in/out/failed, bytes, busy/blocked/idle shares,
/// restarts; then every failed item and the outcome with the wall time.
std::string format_summary(const metrics_registry& metrics, const job_result& result);

/// One line of what a rank's transport carried: cross-rank edges and collectives together,
/// e.g. "transport libfabric(shm): 3000.0 MiB sent (3000 zero-copy reads), 0.1 MiB received".
std::string format_transport_summary(const std::string& name, const net::transport_stats& stats);

} // namespace ds::tools
