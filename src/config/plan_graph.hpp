#pragma once
/// The stage graph: binding `inputs:` to ports, port checks, topological order.

#include <vector>

#include "config/validate_stage.hpp"

namespace ds {

/// Binds every stage's inputs to producer ports, checks message types and
/// that every port is connected, and returns the stages producers first (file
/// order among stages that could go either way). Cycles are reported with the
/// stages on them. All problems go to `out`.
std::vector<stage_plan> build_graph(std::vector<stage_entry> entries, diagnostics& out);

} // namespace ds
