#pragma once
/// Reading a node as a value of a declared type, with range and choice checks.

#include <optional>
#include <string>

#include "config/config_node.hpp"
#include "dsflow/schema.hpp"

namespace ds {

/// Converts `node` to `spec.type` and checks `spec.min`/`max`/`choices`.
/// Quoted scalars are strings only, so `"5"` is not an integer. Reports to
/// `out` under `key_path` and returns nothing when the value does not fit.
std::optional<value_data> read_value(const config_node& node, const key_spec& spec,
                                     const std::string& key_path, diagnostics& out);

/// `value` as it would be written in a config ("[a, b]", "3e-04" → "0.0003").
std::string render_value(const value_data& value);

/// "[min, max]", "≥ min", "≤ max" or "" for a key without bounds.
std::string render_range(const key_spec& spec);

} // namespace ds
