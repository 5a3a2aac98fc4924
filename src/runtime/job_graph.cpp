#include "runtime/job_graph.hpp"

#include <algorithm>
#include <stdexcept>

#include "config/plan_ranks.hpp"
#include "runtime/message_wire.hpp"

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

/// One replica of a stage on one rank, whether it runs here or not: links are counted on
/// every replica of every rank, so that all ranks number routes, inbound links and
/// cross-rank links the same way.
struct instance {
  int rank = 0;
  std::uint32_t replica = 0;
  flow::route_id routes = 0;      ///< routes numbered so far (the producer side)
  flow::inbound_id inbounds = 0;  ///< inbound links numbered so far (the consumer side)
  replica_init* init = nullptr;   ///< set on this rank's replicas only
  caf::actor actor;
};

using instance_map = std::map<std::string, std::vector<instance>, std::less<>>;

/// The ranks a stage runs on: its `rank:`, or every rank.
std::vector<int> ranks_of(const stage_plan& stage, int world_size) {
  if (stage.rank)
    return {static_cast<int>(*stage.rank)};
  std::vector<int> ranks(static_cast<std::size_t>(world_size));
  for (int r = 0; r < world_size; ++r)
    ranks[static_cast<std::size_t>(r)] = r;
  return ranks;
}

std::string describe_end(const std::string& stage, const instance& in) {
  return stage + "#" + std::to_string(in.replica) + " (rank " + std::to_string(in.rank) + ")";
}

/// Builds the two ends of cross-rank links on this rank.
class link_maker {
public:
  link_maker(caf::actor_system& system, const job_options& options, const caf::actor& job,
             job_graph& graph)
    : system_(system), options_(options), job_(job), graph_(graph) {}

  /// The number of the next cross-rank link; every rank counts them in the same order.
  std::uint64_t next() noexcept { return next_++; }

  remote_links& links(const std::string& edge) {
    if (options_.transport == nullptr)
      throw std::runtime_error("edge " + edge + " crosses ranks, but this process has no "
                               "transport to the other ranks (a ds-run built without libfabric?)");
    if (!graph_.links)
      graph_.links = std::make_unique<remote_links>(system_, *options_.transport,
                                                    options_.pools->host(), job_);
    return *graph_.links;
  }

private:
  caf::actor_system& system_;
  const job_options& options_;
  const caf::actor& job_;
  job_graph& graph_;
  std::uint64_t next_ = 0;
};

/// Fills every local replica's routes (producer side) and inbound links (consumer side) so
/// that both ends agree on each link's index. A regular edge is one group per consuming
/// stage (each item goes to one replica); a feedback edge is one group per consuming
/// replica, so every replica gets every item. An edge between two stages that run on every
/// rank stays within each rank; any other edge joins the replicas of every rank, and the
/// pairs on different ranks meet through a link end.
void wire(const pipeline_plan& plan, instance_map& instances, link_maker& maker) {
  auto needs_gaps = consumers_needing_gaps(plan);
  for (const auto& producer : plan.stages) {
    const auto& outputs = producer.type->schema.outputs;
    for (std::uint32_t port = 0; port < outputs.size(); ++port) {
      for (const auto* consumer : plan.consumers_of(producer.name, outputs[port].name)) {
        const bool feedback = is_feedback(*consumer, producer.name, outputs[port].name);
        const bool within_rank = !producer.rank && !consumer->rank;
        const auto from_port = producer.name + "." + outputs[port].name;
        for (auto& p : instances.at(producer.name)) {
          group_wiring group{port, needs_gaps[consumer->name], consumer->window, {}};
          for (auto& c : instances.at(consumer->name)) {
            if (within_rank && c.rank != p.rank)
              continue;
            const auto route = p.routes++;
            const auto inbound = c.inbounds++;
            const bool crosses = c.rank != p.rank;
            const auto link = crosses ? maker.next() : 0;
            if (p.init == nullptr && c.init == nullptr)
              continue;  // both on other ranks
            std::string edge;  // named only where it crosses ranks: start-up stays cheap
            if (crosses) {
              edge = from_port + " of " + describe_end(producer.name, p) + " → "
                     + describe_end(consumer->name, c);
              if (!has_wire_form(outputs[port].message_type))
                throw std::runtime_error("edge " + edge + " crosses ranks, but its message type '"
                                         + outputs[port].message_type + "' has no wire form");
            }
            if (c.init != nullptr) {
              auto from = crosses ? maker.links(edge).add_inbound(link, p.rank, c.actor, inbound, edge)
                                  : p.actor;
              c.init->inbounds.push_back({from, route});
              c.init->setup.feedback_inbounds.push_back(feedback);
            }
            if (p.init != nullptr) {
              auto to = crosses ? maker.links(edge).add_outbound(link, c.rank, p.actor, route, edge)
                                : c.actor;
              group.targets.push_back({to, inbound});
              if (feedback) {
                p.init->groups.push_back(std::move(group));
                group = group_wiring{port, false, consumer->window, {}};
              }
            }
          }
          if (p.init != nullptr && !feedback)
            p.init->groups.push_back(std::move(group));
        }
      }
    }
  }
}

void build_graph(caf::actor_system& system, const pipeline_plan& plan, const job_options& options,
                 const caf::actor& job, job_graph& graph) {
  instance_map instances;
  for (const auto& stage : plan.stages) {
    auto& entry = graph.stages[stage.name];
    entry.plan = &stage;
    const auto ranks = ranks_of(stage, options.world_size);
    auto& copies = instances[stage.name];
    for (std::size_t copy = 0; copy < ranks.size(); ++copy) {
      for (std::uint32_t r = 0; r < stage.replicas; ++r) {
        instance in;
        in.rank = ranks[copy];
        in.replica = r;
        if (in.rank == options.rank) {
          if (!entry.supervisor)
            entry.supervisor = spawn_supervisor(system, stage, job);
          auto init = std::make_shared<replica_init>();
          init->setup.plan = &stage;
          init->setup.replica = r;
          init->setup.metrics = &options.metrics->add_replica(stage.name, stage.type->schema.name, r);
          init->setup.pools = options.pools;
          init->setup.where = placement{options.rank,
                                        options.world_size,
                                        static_cast<int>(copy),
                                        static_cast<int>(ranks.size()),
                                        stage.device,
                                        r,
                                        stage.replicas};
          init->supervisor = entry.supervisor;
          init->job = job;
          init->total_items = options.total_items;
          in.actor = spawn_stage_replica(system, stage.name + "#" + std::to_string(r));
          in.init = init.get();
          entry.replicas.push_back(in.actor);
          entry.inits.push_back(std::move(init));
          ++graph.replica_count;
        }
        copies.push_back(std::move(in));
      }
    }
  }
  link_maker maker{system, options, job, graph};
  wire(plan, instances, maker);
  for (auto& [name, stage] : graph.stages)
    for (auto& init : stage.inits)
      init->setup.upstream_links = init->inbounds.size();
}

} // namespace

job_graph spawn_job_graph(caf::actor_system& system, const pipeline_plan& plan,
                          const job_options& options, const caf::actor& job) {
  check_ranks_fit(plan, options.world_size);
  job_graph graph;
  try {
    build_graph(system, plan, options, job, graph);
  } catch (...) {  // the actors spawned so far would wait for their init forever
    for (const auto& actor : graph.all_actors())
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    throw;
  }
  return graph;
}

void job_graph::start(const pipeline_plan& plan) const {
  for (auto it = plan.stages.rbegin(); it != plan.stages.rend(); ++it) {
    const auto& entry = stages.at(it->name);
    for (std::size_t r = 0; r < entry.replicas.size(); ++r)
      caf::anon_send(entry.replicas[r], init_atom::value, replica_init_ptr{entry.inits[r]});
  }
  if (links)
    links->start();
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
    if (stage.supervisor)
      actors.push_back(stage.supervisor);
  }
  if (links)
    actors.insert(actors.end(), links->actors().begin(), links->actors().end());
  return actors;
}

} // namespace ds::runtime
