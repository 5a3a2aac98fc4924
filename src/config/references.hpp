#pragma once
/// `${a.b.c}` and `${env:NAME[,default]}` references inside scalars.

#include "config/config_node.hpp"

namespace ds {

/// Replaces every reference in `root`. A scalar that is exactly one reference
/// becomes a copy of the referenced node, keeping its type (an integer stays
/// an integer, a list stays a list); a reference inside other text is
/// interpolated and makes a string. Cycles and unknown paths go to `out`.
void resolve_references(config_node& root, diagnostics& out);

} // namespace ds
