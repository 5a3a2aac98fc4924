#pragma once
/// What `--resume DIR` means for a plan: every stage that keeps training state reads it.

#include <string>
#include <vector>

#include "config/pipeline_plan.hpp"

namespace ds::actors {

/// One override `stages.NAME.resume=DIR` per stage whose schema declares a `resume` key
/// (sampler, batcher, compute, optimizer); empty when the plan has none.
std::vector<std::string> resume_overrides(const pipeline_plan& plan, const std::string& dir);

} // namespace ds::actors
