#pragma once
/// Spawning and wiring the actors of a plan (the part of a job tests drive directly).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/job.hpp"
#include "runtime/runtime_messages.hpp"

namespace ds::runtime {

/// The actors of one stage.
struct stage_actors {
  const stage_plan* plan = nullptr;
  caf::actor supervisor;
  std::vector<caf::actor> replicas;
  std::vector<std::shared_ptr<replica_init>> inits;
};

/// Every actor of a job, wired but not started.
struct job_graph {
  std::map<std::string, stage_actors, std::less<>> stages;
  std::size_t replica_count = 0;

  /// Sends every replica its init, consumers first: an item can then never
  /// reach a replica before its init does.
  void start(const pipeline_plan& plan) const;
  /// Replicas of the plan's source stages.
  std::vector<caf::actor> source_replicas(const pipeline_plan& plan) const;
  /// Every replica and supervisor.
  std::vector<caf::actor> all_actors() const;
};

/// Spawns one supervisor per stage and one actor per replica, registers each
/// replica's metrics, and fills both ends of every link. Replicas report to
/// `job` (done, failed items) and supervisors report `fatal_atom` to it.
job_graph spawn_job_graph(caf::actor_system& system, const pipeline_plan& plan,
                          const job_options& options, const caf::actor& job);

} // namespace ds::runtime
