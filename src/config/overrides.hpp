#pragma once
/// Hydra-style command-line overrides: `stages.decode.replicas=2`, `+a.b=c`.

#include <string>
#include <vector>

#include "config/config_node.hpp"

namespace ds {

/// Applies each override to `root` in order. A first component that is not a
/// top-level key but names a stage means `stages.<name>`. Without a leading
/// `+` the path must exist (a typo would otherwise be silently ignored); with
/// it, missing keys are created. Problems go to `out`, naming the override.
void apply_overrides(config_node& root, const std::vector<std::string>& overrides,
                     diagnostics& out);

} // namespace ds
