#pragma once
/// Stage types and message types known to a process, by name.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds {

using stage_factory = std::function<std::unique_ptr<stage>()>;

struct stage_type {
  stage_schema schema;
  stage_factory make;
  std::string origin;  ///< "builtin" or the plugin path
};

/// Name → stage type. Not thread-safe: fill it before the runtime starts.
class registry {
public:
  registry();  ///< knows the message types of DESIGN.md

  /// Registers a stage type; throws `std::invalid_argument` on a duplicate
  /// name (naming both origins) or a port of an unknown message type.
  void add(stage_schema schema, stage_factory make);

  /// Registers a message type name (plugins add theirs before the actor
  /// system starts). Re-registering the same name is a no-op.
  void add_message_type(std::string name, std::string doc);
  bool has_message_type(std::string_view name) const;
  const std::map<std::string, std::string, std::less<>>& message_types() const noexcept {
    return message_types_;
  }

  const stage_type* find(std::string_view name) const noexcept;
  std::vector<std::string> names() const;

  /// Origin recorded for the next `add` calls (the plugin loader sets it).
  void set_origin(std::string origin) { origin_ = std::move(origin); }

private:
  std::map<std::string, stage_type, std::less<>> types_;
  std::map<std::string, std::string, std::less<>> message_types_;
  std::string origin_ = "builtin";
};

/// Helper for stage authors: `add_stage<my_stage>(reg)` uses `my_stage::schema()`.
template <class Stage>
void add_stage(registry& reg) {
  reg.add(Stage::schema(), [] { return std::make_unique<Stage>(); });
}

} // namespace ds
