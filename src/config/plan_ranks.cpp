#include "config/plan_ranks.hpp"

#include <map>
#include <string>

namespace ds {
namespace {

/// What a stage's input is, relative to the numbering of the sources upstream.
enum class stream_scope {
  per_rank,  ///< each rank's copy sees its own rank's whole stream (every rank runs it)
  whole,     ///< the one whole stream (the stage is pinned)
  split,     ///< a part of one stream: a pinned stream spread over every rank's copy
  merged,    ///< streams of several ranks, numbered independently, mixed together
};

struct scope_of_stage {
  stream_scope scope = stream_scope::per_rank;
  std::string cause;  ///< the stage whose placement made the stream split or merged
};

/// The scope after an edge from `producer` (with scope `in`) to `consumer`.
scope_of_stage across_edge(const stage_plan& producer, const scope_of_stage& in,
                           const stage_plan& consumer) {
  const bool from_pinned = producer.rank.has_value();
  const bool to_pinned = consumer.rank.has_value();
  if (from_pinned == to_pinned || in.scope == stream_scope::merged)
    return in;  // stays on its ranks, or moves whole to another rank
  if (from_pinned)  // pinned → every rank: spread over the ranks
    return {stream_scope::split, producer.name};
  if (in.scope == stream_scope::split)  // every rank → pinned: the parts come together again
    return {stream_scope::whole, {}};
  return {stream_scope::merged, producer.name};
}

std::string rank_text(const stage_plan& stage) {
  return stage.rank ? "rank " + std::to_string(*stage.rank) : std::string{"every rank"};
}

} // namespace

std::vector<config_diagnostic> check_rank_streams(const pipeline_plan& plan) {
  std::vector<config_diagnostic> problems;
  std::map<std::string, scope_of_stage, std::less<>> scopes;
  for (const auto& stage : plan.stages) {  // producers first
    scope_of_stage scope{stage.rank ? stream_scope::whole : stream_scope::per_rank, {}};
    bool first = true;
    for (const auto& binding : stage.inputs) {
      if (binding.feedback)  // every replica on every rank gets every feedback item
        continue;
      const auto* producer = plan.find(binding.from_stage);
      auto in = across_edge(*producer, scopes.at(binding.from_stage), stage);
      if (first)
        scope = in;
      else if (in.scope != scope.scope)
        scope = {stream_scope::merged, in.cause.empty() ? scope.cause : in.cause};
      first = false;
    }
    scopes[stage.name] = scope;
    if (!stage.type->schema.ordered_input)
      continue;
    std::string why;
    if (scope.scope == stream_scope::split)
      why = "it runs on every rank, but its input comes from '" + scope.cause + "' (" +
            rank_text(*plan.find(scope.cause)) + ") spread over the ranks: each copy would wait "
            "for items another rank got. Pin '" + stage.name + "' to one rank (rank: N)";
    else if (scope.scope == stream_scope::merged)
      why = "it runs on " + rank_text(stage) + ", but its input mixes the streams of every "
            "rank's copy of '" + scope.cause + "', which each number their items from 0. Pin the "
            "source of that stream to one rank, or run '" + stage.name + "' on every rank";
    else
      continue;
    problems.push_back({stage.origin.file, stage.origin.line, stage.origin.column,
                        "stages." + stage.name,
                        "stage '" + stage.name + "' needs its input in order: " + why});
  }
  return problems;
}

void check_ranks_fit(const pipeline_plan& plan, int world_size) {
  std::vector<config_diagnostic> problems;
  for (const auto& stage : plan.stages)
    if (stage.rank && *stage.rank >= static_cast<std::uint32_t>(world_size))
      problems.push_back({stage.origin.file, stage.origin.line, stage.origin.column,
                          "stages." + stage.name + ".rank",
                          "stage '" + stage.name + "' is placed on rank " +
                            std::to_string(*stage.rank) + ", but the job has " +
                            std::to_string(world_size) +
                            (world_size == 1 ? " rank (rank 0)"
                                             : " ranks (0 to " + std::to_string(world_size - 1) + ")")});
  if (!problems.empty())
    throw config_error(std::move(problems));
}

} // namespace ds
