#pragma once
/// The config document as a tree that remembers where every node came from.
///
/// yaml-cpp nodes cannot be given a position, so a value copied by a `${...}`
/// reference or set by an override would lose (or misreport) its origin. This
/// tree carries a `value_origin` on every node and key instead.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_error.hpp"
#include "dsflow/config_value.hpp"

namespace ds {

using diagnostics = std::vector<config_diagnostic>;

/// Appends a diagnostic located at `at`: a file position, an override or an
/// environment variable (named in the message, since it has no position).
void report(diagnostics& out, const value_origin& at, std::string key_path, std::string message);

struct map_entry;

/// One node of a config document: null, a scalar, a list or a map, with the
/// place it came from (file position, override text).
struct config_node {
  enum class kind : std::uint8_t { null, scalar, sequence, map };

  kind type = kind::null;
  std::string text;              ///< scalar text
  bool quoted = false;           ///< a quoted scalar is always a string, never a number
  std::vector<config_node> items;  ///< sequence items
  std::vector<map_entry> entries;  ///< map entries in file order
  value_origin origin;

  bool is_map() const noexcept { return type == kind::map; }
  bool is_scalar() const noexcept { return type == kind::scalar; }
  bool is_sequence() const noexcept { return type == kind::sequence; }
  bool is_null() const noexcept { return type == kind::null; }

  config_node* find(std::string_view key) noexcept;
  const config_node* find(std::string_view key) const noexcept;
  const map_entry* find_entry(std::string_view key) const noexcept;
  /// Adds `key` at the end of a map; the caller checked it is not there yet.
  config_node& add(std::string key, value_origin key_origin, config_node value);
  std::vector<std::string> keys() const;

  /// "a map", "a list", "nothing" or "'text'", for "expected X, got Y".
  std::string describe_kind() const;
};

/// One `key: value` of a map; the key keeps its own position because unknown
/// keys are reported where the key is written, not where the value is.
struct map_entry {
  std::string key;
  value_origin key_origin;
  config_node value;
};

/// "stages" + "gen" → "stages.gen"; an empty prefix gives the key alone.
std::string join_path(std::string_view prefix, std::string_view key);

} // namespace ds
