#pragma once
/// What a stage declares about itself: ports, config keys, ordering needs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsflow/config_value.hpp"

namespace ds {

enum class value_type : std::uint8_t { boolean, integer, number, string, string_list };

std::string_view to_string(value_type type) noexcept;

/// One config key a stage accepts.
struct key_spec {
  std::string name;
  value_type type = value_type::string;
  std::optional<value_data> default_value;  ///< empty: the key is required
  std::optional<double> min;                ///< numbers only, inclusive
  std::optional<double> max;                ///< numbers only, inclusive
  std::vector<std::string> choices;         ///< strings only; empty = any
  std::string doc;                          ///< one line
};

/// One input or output port and the message type it carries.
struct port_spec {
  std::string name;
  std::string message_type;
  std::string doc;
  /// An input that closes a loop (optimizer → compute parameters). The planner leaves it out
  /// of the topological order, every replica of the consumer receives each item (broadcast),
  /// its items are delivered ahead of regular input, and its end of stream does not hold back
  /// the consumer's `close` (see `stage::ready_for_input`).
  bool feedback = false;
};

/// Per-stage keys the runtime reads itself (`actor`, `inputs`, `replicas`,
/// `device`, `rank`, `window`, `supervision`); a stage schema may not declare them.
const std::vector<std::string>& reserved_stage_keys();

/// The declaration a stage type registers; drives validation, `--describe` and docs.
struct stage_schema {
  std::string name;
  std::string doc;
  std::vector<port_spec> inputs;
  std::vector<port_spec> outputs;
  std::vector<key_spec> keys;
  bool ordered_input = false;  ///< the runtime delivers input in key order
  bool replicable = true;      ///< false: `replicas` must be 1
  /// The stage's outputs do not map one-to-one onto input keys (it holds, groups or
  /// reorders its input): the runtime numbers each output port densely, as for a source,
  /// and sends each output as soon as it is emitted, not after the call returns. A call
  /// that fails after emitting has then sent part of its output, and its retry sends it
  /// again: consumers of such a stage recognise repeats by the message's own fields.
  bool numbers_output = false;

  const key_spec* find_key(std::string_view key) const noexcept;
  const port_spec* find_input(std::string_view port) const noexcept;
  const port_spec* find_output(std::string_view port) const noexcept;
  bool is_source() const noexcept { return inputs.empty(); }
  /// Whether `replicas` may exceed 1: not for sources (each would number the
  /// stream from 0), ordered stages (order is restored in one place), or
  /// stages that declare themselves non-replicable.
  bool can_replicate() const noexcept { return replicable && !ordered_input && !is_source(); }
};

/// Fluent builder so a stage declares its schema in one expression.
class schema_builder {
public:
  explicit schema_builder(std::string name, std::string doc);

  schema_builder& input(std::string port, std::string message_type, std::string doc);
  /// An input port that closes a loop; see `port_spec::feedback`.
  schema_builder& feedback_input(std::string port, std::string message_type, std::string doc);
  schema_builder& output(std::string port, std::string message_type, std::string doc);
  schema_builder& ordered_input(bool ordered = true);
  schema_builder& replicable(bool can_replicate);
  schema_builder& numbers_output(bool numbers = true);

  schema_builder& key_bool(std::string key, std::optional<bool> fallback, std::string doc);
  schema_builder& key_int(std::string key, std::optional<std::int64_t> fallback, double min,
                          double max, std::string doc);
  schema_builder& key_number(std::string key, std::optional<double> fallback, double min,
                             double max, std::string doc);
  schema_builder& key_string(std::string key, std::optional<std::string> fallback,
                             std::vector<std::string> choices, std::string doc);
  schema_builder& key_string_list(std::string key, std::optional<std::vector<std::string>> fallback,
                                  std::string doc);

  /// Checks the declaration and returns it. Throws `std::logic_error` naming the
  /// stage and the key or port when a name repeats, a default lies outside its
  /// range or choices, or min exceeds max: a bug in the stage, not the config.
  stage_schema build() &&;
  /// The same on a builder reached through the fluent calls (which return
  /// lvalue references), so `return schema_builder(...).input(...);` compiles.
  stage_schema build() const&;
  operator stage_schema() && { return std::move(*this).build(); }
  operator stage_schema() const& { return build(); }

private:
  stage_schema schema_;
};

} // namespace ds
