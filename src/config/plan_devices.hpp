#pragma once
/// Resolving every stage's `device` key against this machine, once, before a job starts.

#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_plan.hpp"

namespace ds {

/// Replaces each stage's `device` ("cpu", "cuda:N", "auto") with the device it runs on
/// ("cpu" or "cuda:N"; see dsflow/device.hpp) and returns the notices to show, each once
/// (e.g. "device auto: no CUDA device: ...; running on the CPU"). Throws `config_error` with
/// one diagnostic per stage whose device cannot be used, keyed `stages.<name>.device` at the
/// stage's place in the config; the plan is left unchanged then. Resolving twice is harmless.
std::vector<std::string> resolve_plan_devices(pipeline_plan& plan);

/// The same against a given census (tests; callers that probed already).
std::vector<std::string> resolve_plan_devices(pipeline_plan& plan, int cuda_device_count,
                                              std::string_view unavailable_reason);

} // namespace ds
