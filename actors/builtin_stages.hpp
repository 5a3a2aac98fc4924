#pragma once
/// Registration of the built-in stages (an explicit call, no static initializers).

#include "dsflow/registry.hpp"

namespace ds {

/// Adds every built-in stage type to `reg`; throws on a duplicate name.
void register_builtin_stages(registry& reg);

} // namespace ds
