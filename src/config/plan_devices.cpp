#include "config/plan_devices.hpp"

#include <algorithm>
#include <exception>

#include "config/config_error.hpp"
#include "cuda/device.hpp"
#include "dsflow/device.hpp"

namespace ds {

std::vector<std::string> resolve_plan_devices(pipeline_plan& plan, int cuda_device_count,
                                              std::string_view unavailable_reason) {
  std::vector<std::string> resolved;
  std::vector<std::string> notices;
  std::vector<config_diagnostic> problems;
  for (const auto& stage : plan.stages) {
    try {
      auto device = resolve_device(stage.device, cuda_device_count, unavailable_reason);
      if (!device.notice.empty()
          && std::find(notices.begin(), notices.end(), device.notice) == notices.end())
        notices.push_back(device.notice);
      resolved.push_back(std::move(device.name));
    } catch (const std::exception& e) {
      problems.push_back({stage.origin.file, stage.origin.line, stage.origin.column,
                          "stages." + stage.name + ".device",
                          "stage '" + stage.name + "': " + e.what()});
      resolved.push_back(stage.device);
    }
  }
  if (!problems.empty())
    throw config_error(std::move(problems));
  for (std::size_t i = 0; i < plan.stages.size(); ++i)
    plan.stages[i].device = std::move(resolved[i]);
  return notices;
}

std::vector<std::string> resolve_plan_devices(pipeline_plan& plan) {
  return resolve_plan_devices(plan, kernels::cuda::cuda_devices(),
                              kernels::cuda::cuda_unavailable_reason());
}

} // namespace ds
