#pragma once
/// The `runtime:` section and its environment variables.

#include <vector>

#include "config/config_node.hpp"
#include "config/pipeline_plan.hpp"

namespace ds {

/// Fills `settings` and lists every knob in `params` with its origin. A knob
/// takes, in this order of precedence: a command-line override, its
/// environment variable (DS_WINDOW, ...), the config file, the default.
/// Unknown keys and invalid values (also from the environment) go to `out`.
void read_runtime(const config_node& root, runtime_settings& settings,
                  std::vector<param_entry>& params, diagnostics& out);

/// The declaration of knob `key` ("runtime.window"), so per-stage overrides
/// (`window:`, `supervision:`) check the same type and range. `key` must exist.
const key_spec& runtime_knob_spec(std::string_view key);

} // namespace ds
