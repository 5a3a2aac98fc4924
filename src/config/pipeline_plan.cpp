#include "config/pipeline_plan.hpp"

#include <algorithm>

namespace ds {

const stage_plan* pipeline_plan::find(std::string_view stage) const noexcept {
  auto found = std::find_if(stages.begin(), stages.end(),
                            [stage](const stage_plan& plan) { return plan.name == stage; });
  return found == stages.end() ? nullptr : &*found;
}

std::vector<const stage_plan*> pipeline_plan::consumers_of(std::string_view stage,
                                                           std::string_view port) const {
  std::vector<const stage_plan*> consumers;
  for (const auto& plan : stages) {
    auto reads_port = [&](const input_binding& binding) {
      return binding.from_stage == stage && binding.from_port == port;
    };
    if (std::any_of(plan.inputs.begin(), plan.inputs.end(), reads_port))
      consumers.push_back(&plan);
  }
  return consumers;
}

} // namespace ds
