#pragma once
/// Spawning and wiring the actors of a plan (the part of a job tests drive directly).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/job.hpp"
#include "runtime/remote_links.hpp"
#include "runtime/runtime_messages.hpp"

namespace ds::runtime {

/// The actors of one stage on this rank.
struct stage_actors {
  const stage_plan* plan = nullptr;
  caf::actor supervisor;  ///< null when no replica of the stage runs on this rank
  std::vector<caf::actor> replicas;
  std::vector<std::shared_ptr<replica_init>> inits;
};

/// Every actor of a job on this rank, wired but not started.
struct job_graph {
  std::map<std::string, stage_actors, std::less<>> stages;
  std::size_t replica_count = 0;
  /// This rank's ends of the edges to stages on other ranks; null when there are none.
  std::unique_ptr<remote_links> links;

  /// Sends every replica its init, consumers first: an item can then never
  /// reach a replica before its init does. Then opens the cross-rank links.
  void start(const pipeline_plan& plan) const;
  /// This rank's replicas of the plan's source stages.
  std::vector<caf::actor> source_replicas(const pipeline_plan& plan) const;
  /// Every replica, supervisor and link end.
  std::vector<caf::actor> all_actors() const;
};

/// Spawns, on this rank (`options.rank` of `options.world_size`), one supervisor per stage
/// that runs here and one actor per local replica, registers each replica's metrics, and
/// fills both ends of every link. A stage pinned with `rank:` runs only there; the others
/// run on every rank. An edge where either end is pinned connects the replicas of both
/// ends on every rank they run on, across ranks over `options.transport`; an edge between
/// two unpinned stages stays within each rank. Replicas report to `job` (done, failed
/// items) and supervisors report `fatal_atom` to it. Throws `std::runtime_error` when the
/// plan needs a cross-rank edge and there is no transport, or a message type that cannot
/// cross ranks, naming the edge.
job_graph spawn_job_graph(caf::actor_system& system, const pipeline_plan& plan,
                          const job_options& options, const caf::actor& job);

} // namespace ds::runtime
