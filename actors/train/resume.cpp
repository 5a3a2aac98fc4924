#include "train/resume.hpp"

namespace ds::actors {

std::vector<std::string> resume_overrides(const pipeline_plan& plan, const std::string& dir) {
  std::vector<std::string> overrides;
  for (const auto& stage : plan.stages)
    if (stage.type->schema.find_key("resume") != nullptr)
      overrides.push_back("stages." + stage.name + ".resume=" + dir);
  return overrides;
}

} // namespace ds::actors
