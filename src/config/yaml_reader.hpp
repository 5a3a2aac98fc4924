#pragma once
/// YAML text → `config_node`. The only file that sees yaml-cpp types.

#include <optional>
#include <string>

#include "config/config_node.hpp"

namespace ds {

/// Parses a whole config file's text; nodes get config_file origins with
/// 1-based positions in `file`. Syntax errors and duplicate keys are reported
/// to `out`; returns nothing when the text could not be parsed at all.
std::optional<config_node> read_yaml(const std::string& text, const std::string& file,
                                     diagnostics& out);

/// Parses the value of an override (`[a.out, b.out]`, `3e-4`); every node gets
/// a command_line origin naming `override_text`.
std::optional<config_node> read_yaml_value(const std::string& value_text,
                                           const std::string& override_text,
                                           const std::string& key_path, diagnostics& out);

} // namespace ds
