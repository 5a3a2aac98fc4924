#pragma once
/// Running a planned pipeline on the actor runtime. No CAF types here.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "config/pipeline_plan.hpp"
#include "dsflow/memory.hpp"
#include "dsflow/metrics.hpp"

namespace ds::net {
class transport;
}

namespace ds {

struct job_options {
  memory_pools* pools = nullptr;        ///< required; outlives the job
  metrics_registry* metrics = nullptr;  ///< required; replicas add their counters
  /// Number of interrupts (SIGINT) so far, polled ~20×/s: 1 = stop the sources
  /// and drain, 2 = abort. May be null.
  const std::atomic<int>* interrupts = nullptr;
  /// Sum of the totals the sources declare (for a progress bar). May be null.
  std::atomic<std::uint64_t>* total_items = nullptr;
  int rank = 0;
  int world_size = 1;
  /// Carries the edges between stages on different ranks (`rank:`); required when the plan
  /// has one. `pools` must outlive it: receives posted on it take buffers from the host
  /// pool until the transport is destroyed.
  net::transport* transport = nullptr;
};

enum class job_outcome {
  completed,    ///< every sink closed after the sources ended
  interrupted,  ///< stopped by the first interrupt, drained cleanly
  aborted,      ///< stopped by the second interrupt, work in flight dropped
  failed,       ///< a stage failed beyond its restart policy
};

struct job_result {
  job_outcome outcome = job_outcome::completed;
  std::string error;                      ///< names the stage and the cause
  std::vector<std::string> failed_items;   ///< "stage: item 12.0: reason"
  std::vector<std::string> skipped_items;  ///< "stage: what the stage reported"
  double seconds = 0;
};

/// Spawns one actor per stage replica and one supervisor per stage (those on
/// this rank), wires every edge with its credit window, runs until every
/// replica of this rank has closed
/// (or a failure or interrupt), then tears the actor system down. Blocks the caller.
/// Thread-safe with respect to `options` readers (metrics may be read live).
job_result run_job(const pipeline_plan& plan, const job_options& options);

} // namespace ds
