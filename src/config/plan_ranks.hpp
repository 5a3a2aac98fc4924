#pragma once
/// Checks of where stages run across ranks (`rank:`), before anything starts.

#include <vector>

#include "config/config_error.hpp"
#include "config/pipeline_plan.hpp"

namespace ds {

/// Problems with the plan's rank placement that hold whatever the job's size:
/// a stage with ordered input must see one whole numbered stream. A source
/// numbers its items from 0 on every rank that runs it, so an ordered stage
/// pinned to one rank cannot read copies that run on every rank (their
/// numbers collide), and an ordered stage on every rank cannot read a stream
/// spread across ranks from a pinned stage (each copy would wait for the
/// numbers the others got). One diagnostic per such stage, keyed `stages.<name>`.
std::vector<config_diagnostic> check_rank_streams(const pipeline_plan& plan);

/// Throws `config_error` naming each stage pinned to a rank the job does not have.
void check_ranks_fit(const pipeline_plan& plan, int world_size);

} // namespace ds
