#include "runtime/job_graph.hpp"

#include <algorithm>

namespace ds::runtime {
namespace {

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

/// Whether `consumer` reads `producer`.`port` on a feedback input.
bool is_feedback(const stage_plan& consumer, const std::string& producer, const std::string& port) {
  return std::ranges::any_of(consumer.inputs, [&](const input_binding& binding) {
    return binding.feedback && binding.from_stage == producer && binding.from_port == port;
  });
}

/// Fills every replica's routes (producer side) and inbound links (consumer
/// side) so that both ends agree on each link's index. A regular edge is one
/// group per consuming stage (each item goes to one replica); a feedback edge
/// is one group per consuming replica, so every replica gets every item.
void wire(const pipeline_plan& plan, job_graph& graph) {
  auto needs_gaps = consumers_needing_gaps(plan);
  for (const auto& producer : plan.stages) {
    auto& from = graph.stages.at(producer.name);
    const auto& outputs = producer.type->schema.outputs;
    for (std::uint32_t port = 0; port < outputs.size(); ++port) {
      for (const auto* consumer : plan.consumers_of(producer.name, outputs[port].name)) {
        auto& to = graph.stages.at(consumer->name);
        const bool feedback = is_feedback(*consumer, producer.name, outputs[port].name);
        for (std::size_t i = 0; i < from.replicas.size(); ++i) {
          auto& init = *from.inits[i];
          auto route = static_cast<flow::route_id>(0);
          for (const auto& g : init.groups)
            route += static_cast<flow::route_id>(g.targets.size());
          group_wiring group{port, needs_gaps[consumer->name], consumer->window, {}};
          for (std::size_t j = 0; j < to.replicas.size(); ++j) {
            auto& target_init = *to.inits[j];
            auto inbound = static_cast<flow::inbound_id>(target_init.inbounds.size());
            target_init.inbounds.push_back({from.replicas[i], route++});
            target_init.setup.feedback_inbounds.push_back(feedback);
            group.targets.push_back({to.replicas[j], inbound});
            if (feedback) {
              init.groups.push_back(std::move(group));
              group = group_wiring{port, false, consumer->window, {}};
            }
          }
          if (!feedback)
            init.groups.push_back(std::move(group));
        }
      }
    }
  }
  for (auto& [name, stage] : graph.stages)
    for (auto& init : stage.inits)
      init->setup.upstream_links = init->inbounds.size();
}

} // namespace

job_graph spawn_job_graph(caf::actor_system& system, const pipeline_plan& plan,
                          const job_options& options, const caf::actor& job) {
  job_graph graph;
  for (const auto& stage : plan.stages) {
    auto& entry = graph.stages[stage.name];
    entry.plan = &stage;
    entry.supervisor = spawn_supervisor(system, stage, job);
    for (std::uint32_t r = 0; r < stage.replicas; ++r) {
      auto init = std::make_shared<replica_init>();
      init->setup.plan = &stage;
      init->setup.replica = r;
      init->setup.metrics = &options.metrics->add_replica(stage.name, stage.type->schema.name, r);
      init->setup.pools = options.pools;
      init->setup.where = placement{options.rank, options.world_size, stage.device, r,
                                    stage.replicas};
      init->supervisor = entry.supervisor;
      init->job = job;
      init->total_items = options.total_items;
      entry.replicas.push_back(spawn_stage_replica(system, stage.name + "#" + std::to_string(r)));
      entry.inits.push_back(std::move(init));
      ++graph.replica_count;
    }
  }
  wire(plan, graph);
  return graph;
}

void job_graph::start(const pipeline_plan& plan) const {
  for (auto it = plan.stages.rbegin(); it != plan.stages.rend(); ++it) {
    const auto& entry = stages.at(it->name);
    for (std::size_t r = 0; r < entry.replicas.size(); ++r)
      caf::anon_send(entry.replicas[r], init_atom::value, replica_init_ptr{entry.inits[r]});
  }
}

std::vector<caf::actor> job_graph::source_replicas(const pipeline_plan& plan) const {
  std::vector<caf::actor> sources;
  for (const auto& stage : plan.stages)
    if (stage.type->schema.is_source())
      for (const auto& replica : stages.at(stage.name).replicas)
        sources.push_back(replica);
  return sources;
}

std::vector<caf::actor> job_graph::all_actors() const {
  std::vector<caf::actor> actors;
  for (const auto& [name, stage] : stages) {
    actors.insert(actors.end(), stage.replicas.begin(), stage.replicas.end());
    actors.push_back(stage.supervisor);
  }
  return actors;
}

} // namespace ds::runtime
