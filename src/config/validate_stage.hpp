#pragma once
/// Checking one stage's map against its actor's schema.

#include <string>

#include "config/config_node.hpp"
#include "config/pipeline_plan.hpp"

namespace ds {

/// A stage as written, its inputs not yet bound (that needs every stage).
struct stage_entry {
  stage_plan plan;                      ///< `type` is null when the actor is unknown
  const config_node* inputs = nullptr;  ///< the `inputs:` node, if any
};

/// Reads stage `name` declared at `declared_at`: the actor, the reserved keys
/// (replicas, device, rank, window, supervision) and the schema's keys with defaults
/// filled. Every problem goes to `out`; the entry is returned regardless so
/// the graph checks can still run.
stage_entry read_stage(const std::string& name, const value_origin& declared_at,
                       const config_node& node, const registry& reg,
                       const runtime_settings& runtime, diagnostics& out);

} // namespace ds
