#pragma once
/// Typed configuration values with the place they came from.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ds {

/// Where a value came from, for error messages and `--dump-params`.
struct value_origin {
  enum class source : std::uint8_t { schema_default, config_file, command_line, environment };
  source from = source::schema_default;
  std::string file;  ///< config file, or the override text, or the env variable
  int line = 0;      ///< 1-based; 0 when unknown
  int column = 0;    ///< 1-based; 0 when unknown

  /// "file:line:col", "command line 'k=v'", "default", "env DS_X".
  std::string describe() const;
};

using value_data = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

/// One resolved, validated value.
struct config_value {
  value_data data;
  value_origin origin;
};

} // namespace ds
