// run_job: spawns and wires the replicas of a plan, then waits for the sinks.

#include "runtime/job.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "dsflow/logger.hpp"
#include "runtime/job_graph.hpp"

namespace ds {

using namespace runtime;

job_result run_job(const pipeline_plan& plan, const job_options& options) {
  const auto started = std::chrono::steady_clock::now();
  logger log{"runtime"};
  caf::actor_system_config cfg;
  // CAF's own default is at least 4 threads; "0" means one per core here.
  auto threads = plan.runtime.threads > 0 ? plan.runtime.threads
                                          : std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};

  job_result result;
  job_graph graph;
  try {
    graph = spawn_job_graph(system, plan, options, caf::actor{self});
  } catch (const std::exception& e) {  // a plan this process cannot run (no actor is left)
    result.outcome = job_outcome::failed;
    result.error = e.what();
    return result;
  }
  for (const auto& [name, stage] : graph.stages)
    for (const auto& replica : stage.replicas)
      self->monitor(replica);
  graph.start(plan);

  std::size_t done = 0;
  int interrupts_seen = 0;
  bool running = true;
  auto stop_all = [&](caf::exit_reason reason) {
    for (const auto& actor : graph.all_actors())
      self->send_exit(actor, reason);
    running = false;
  };
  while (running && done < graph.replica_count) {
    self->receive(
      [&](done_atom, const std::string&, std::uint32_t) { ++done; },
      [&](item_failed_atom, const std::string& stage, const std::string& report) {
        result.failed_items.push_back(stage + ": " + report);
      },
      [&](item_skipped_atom, const std::string& stage, const std::string& report) {
        result.skipped_items.push_back(stage + ": " + report);
      },
      [&](fatal_atom, const std::string& why) {
        result.outcome = job_outcome::failed;
        result.error = why;
        stop_all(caf::exit_reason::user_shutdown);
      },
      [&](const caf::down_msg& down) {
        if (down.reason && result.outcome != job_outcome::failed) {
          result.outcome = job_outcome::failed;
          result.error = "a stage actor died: " + system.render(down.reason);
          stop_all(caf::exit_reason::user_shutdown);
        }
      },
      caf::after(std::chrono::milliseconds(50)) >> [&] {
        int interrupts = options.interrupts ? options.interrupts->load() : 0;
        if (interrupts >= 2 && interrupts_seen < 2) {
          log.warn("second interrupt: aborting, work in flight is dropped");
          result.outcome = job_outcome::aborted;
          stop_all(caf::exit_reason::kill);
        } else if (interrupts == 1 && interrupts_seen == 0) {
          log.warn("interrupt: stopping the sources and draining (interrupt again to abort)");
          result.outcome = job_outcome::interrupted;
          for (const auto& source : graph.source_replicas(plan))
            self->send(source, stop_atom::value);
        }
        interrupts_seen = interrupts;
      });
  }
  if (running) {
    for (const auto& [name, stage] : graph.stages)
      if (stage.supervisor)
        self->send_exit(stage.supervisor, caf::exit_reason::user_shutdown);
    // Link ends outlive the replicas they serve (the consumer may still return credits).
    if (graph.links)
      for (const auto& end : graph.links->actors())
        self->send_exit(end, caf::exit_reason::user_shutdown);
  }
  if (graph.links)
    graph.links->close();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

} // namespace ds
