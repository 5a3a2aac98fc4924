// run_job: spawns and wires the replicas of a plan, then waits for the sinks.

#include "runtime/job.hpp"

#include <chrono>
#include <map>

#include "dsflow/logger.hpp"
#include "runtime/runtime_messages.hpp"

namespace ds {
namespace {

using namespace runtime;

/// A consumer needs gap items when it restores order itself, or when it keeps
/// keys and something downstream of it restores order.
std::map<std::string, bool, std::less<>> consumers_needing_gaps(const pipeline_plan& plan) {
  std::map<std::string, bool, std::less<>> needs;
  for (auto it = plan.stages.rbegin(); it != plan.stages.rend(); ++it) {
    const auto& schema = it->type->schema;
    bool need = schema.ordered_input;
    if (!need && !schema.is_source())
      for (const auto& port : schema.outputs)
        for (const auto* consumer : plan.consumers_of(it->name, port.name))
          need = need || needs[consumer->name];
    needs[it->name] = need;
  }
  return needs;
}

struct stage_actors {
  const stage_plan* plan;
  caf::actor supervisor;
  std::vector<caf::actor> replicas;
  std::vector<std::shared_ptr<replica_init>> inits;
};

/// Fills every replica's routes (producer side) and inbound links (consumer
/// side) so that both ends agree on each link's index.
void wire(const pipeline_plan& plan, std::map<std::string, stage_actors, std::less<>>& actors) {
  auto needs_gaps = consumers_needing_gaps(plan);
  for (const auto& producer : plan.stages) {
    auto& from = actors.at(producer.name);
    const auto& outputs = producer.type->schema.outputs;
    for (std::uint32_t port = 0; port < outputs.size(); ++port) {
      for (const auto* consumer : plan.consumers_of(producer.name, outputs[port].name)) {
        auto& to = actors.at(consumer->name);
        for (std::size_t i = 0; i < from.replicas.size(); ++i) {
          auto& init = *from.inits[i];
          group_wiring group{port, needs_gaps[consumer->name], consumer->window, {}};
          auto route = static_cast<flow::route_id>(0);
          for (const auto& g : init.groups)
            route += static_cast<flow::route_id>(g.targets.size());
          for (std::size_t j = 0; j < to.replicas.size(); ++j) {
            auto& target_init = *to.inits[j];
            auto inbound = static_cast<flow::inbound_id>(target_init.inbounds.size());
            target_init.inbounds.push_back({from.replicas[i], route++});
            group.targets.push_back({to.replicas[j], inbound});
          }
          init.groups.push_back(std::move(group));
        }
      }
    }
  }
  for (auto& [name, stage] : actors)
    for (auto& init : stage.inits)
      init->setup.upstream_links = init->inbounds.size();
}

} // namespace

job_result run_job(const pipeline_plan& plan, const job_options& options) {
  const auto started = std::chrono::steady_clock::now();
  logger log{"runtime"};
  caf::actor_system_config cfg;
  auto threads = plan.runtime.threads;
  if (threads > 0)
    cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};

  std::map<std::string, stage_actors, std::less<>> actors;
  std::size_t replica_count = 0;
  for (const auto& stage : plan.stages) {
    auto& entry = actors[stage.name];
    entry.plan = &stage;
    entry.supervisor = spawn_supervisor(system, stage, caf::actor{self});
    for (std::uint32_t r = 0; r < stage.replicas; ++r) {
      auto init = std::make_shared<replica_init>();
      init->setup.plan = &stage;
      init->setup.replica = r;
      init->setup.metrics = &options.metrics->add_replica(stage.name, stage.type->schema.name, r);
      init->setup.pools = options.pools;
      init->setup.where = placement{options.rank, options.world_size, stage.device, r,
                                    stage.replicas};
      init->supervisor = entry.supervisor;
      init->job = caf::actor{self};
      init->total_items = options.total_items;
      entry.replicas.push_back(spawn_stage_replica(system));
      self->monitor(entry.replicas.back());
      entry.inits.push_back(std::move(init));
      ++replica_count;
    }
  }
  wire(plan, actors);
  // Consumers first: an item can then never reach a replica before its init.
  for (auto it = plan.stages.rbegin(); it != plan.stages.rend(); ++it) {
    auto& entry = actors.at(it->name);
    for (std::size_t r = 0; r < entry.replicas.size(); ++r)
      self->send(entry.replicas[r], init_atom::value, replica_init_ptr{entry.inits[r]});
  }

  job_result result;
  std::size_t done = 0;
  int interrupts_seen = 0;
  bool running = true;
  auto stop_all = [&](caf::exit_reason reason) {
    for (auto& [name, stage] : actors) {
      for (auto& replica : stage.replicas)
        self->send_exit(replica, reason);
      self->send_exit(stage.supervisor, reason);
    }
    running = false;
  };
  while (running && done < replica_count) {
    self->receive(
      [&](done_atom, const std::string&, std::uint32_t) { ++done; },
      [&](item_failed_atom, const std::string& stage, const std::string& report) {
        result.failed_items.push_back(stage + ": " + report);
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
          for (const auto& stage : plan.stages)
            if (stage.type->schema.is_source())
              for (auto& replica : actors.at(stage.name).replicas)
                self->send(replica, stop_atom::value);
        }
        interrupts_seen = interrupts;
      });
  }
  if (running)
    for (auto& [name, stage] : actors)
      self->send_exit(stage.supervisor, caf::exit_reason::user_shutdown);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

} // namespace ds
