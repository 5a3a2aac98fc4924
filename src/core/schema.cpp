#include "dsflow/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <stdexcept>

namespace ds {

namespace {

std::string format_number(double value) {
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof(text), value);
  return error == std::errc{} ? std::string(text, end) : std::string("?");
}

template <class Spec>
const Spec* find_named(const std::vector<Spec>& specs, std::string_view name) noexcept {
  auto found = std::ranges::find(specs, name, &Spec::name);
  return found == specs.end() ? nullptr : &*found;
}

/// A schema is written by the stage author, so a bad one is a bug in the stage.
[[noreturn]] void refuse(const stage_schema& schema, const std::string& why) {
  throw std::logic_error("stage '" + schema.name + "': invalid schema: " + why);
}

void check_ports(const stage_schema& schema, const std::vector<port_spec>& ports,
                 const char* direction) {
  std::set<std::string_view> seen;
  for (const auto& port : ports) {
    if (port.name.empty())
      refuse(schema, std::string(direction) + " port with an empty name");
    if (port.message_type.empty())
      refuse(schema, std::string(direction) + " port '" + port.name + "' has no message type");
    if (!seen.insert(port.name).second)
      refuse(schema, "duplicate " + std::string(direction) + " port '" + port.name + "'");
  }
}

void check_range(const stage_schema& schema, const key_spec& key) {
  if (key.min && key.max && *key.min > *key.max)
    refuse(schema, "key '" + key.name + "' has min " + format_number(*key.min) + " above max "
                       + format_number(*key.max));
  if (!key.default_value)
    return;
  double fallback = key.type == value_type::integer
                      ? static_cast<double>(std::get<std::int64_t>(*key.default_value))
                      : std::get<double>(*key.default_value);
  if ((key.min && fallback < *key.min) || (key.max && fallback > *key.max))
    refuse(schema, "key '" + key.name + "' default " + format_number(fallback) + " is outside ["
                       + format_number(key.min.value_or(-HUGE_VAL)) + ", "
                       + format_number(key.max.value_or(HUGE_VAL)) + "]");
}

void check_choices(const stage_schema& schema, const key_spec& key) {
  if (key.choices.empty() || !key.default_value)
    return;
  const auto& fallback = std::get<std::string>(*key.default_value);
  if (std::ranges::find(key.choices, fallback) == key.choices.end())
    refuse(schema, "key '" + key.name + "' default '" + fallback + "' is not one of its choices");
}

void check_keys(const stage_schema& schema) {
  std::set<std::string_view> seen;
  for (const auto& key : schema.keys) {
    if (key.name.empty())
      refuse(schema, "key with an empty name");
    if (!seen.insert(key.name).second)
      refuse(schema, "duplicate key '" + key.name + "'");
    const auto& reserved = reserved_stage_keys();
    if (std::find(reserved.begin(), reserved.end(), key.name) != reserved.end())
      refuse(schema, "key '" + key.name + "' is reserved for the runtime");
    if (key.type == value_type::integer || key.type == value_type::number)
      check_range(schema, key);
    if (key.type == value_type::string)
      check_choices(schema, key);
  }
}

key_spec make_key(std::string name, value_type type, std::string doc) {
  key_spec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.doc = std::move(doc);
  return spec;
}

} // namespace

const std::vector<std::string>& reserved_stage_keys() {
  static const std::vector<std::string> keys{"actor",  "inputs", "replicas",   "device",
                                             "rank",   "window", "supervision"};
  return keys;
}

std::string_view to_string(value_type type) noexcept {
  switch (type) {
    case value_type::boolean:
      return "boolean";
    case value_type::integer:
      return "integer";
    case value_type::number:
      return "number";
    case value_type::string:
      return "string";
    case value_type::string_list:
      return "string_list";
  }
  return "unknown";
}

const key_spec* stage_schema::find_key(std::string_view key) const noexcept {
  return find_named(keys, key);
}

const port_spec* stage_schema::find_input(std::string_view port) const noexcept {
  return find_named(inputs, port);
}

const port_spec* stage_schema::find_output(std::string_view port) const noexcept {
  return find_named(outputs, port);
}

schema_builder::schema_builder(std::string name, std::string doc) {
  schema_.name = std::move(name);
  schema_.doc = std::move(doc);
}

schema_builder& schema_builder::input(std::string port, std::string message_type,
                                      std::string doc) {
  schema_.inputs.push_back({std::move(port), std::move(message_type), std::move(doc)});
  return *this;
}

schema_builder& schema_builder::feedback_input(std::string port, std::string message_type,
                                               std::string doc) {
  schema_.inputs.push_back({std::move(port), std::move(message_type), std::move(doc), true});
  return *this;
}

schema_builder& schema_builder::output(std::string port, std::string message_type,
                                       std::string doc) {
  schema_.outputs.push_back({std::move(port), std::move(message_type), std::move(doc)});
  return *this;
}

schema_builder& schema_builder::ordered_input(bool ordered) {
  schema_.ordered_input = ordered;
  return *this;
}

schema_builder& schema_builder::replicable(bool can_replicate) {
  schema_.replicable = can_replicate;
  return *this;
}

schema_builder& schema_builder::numbers_output(bool numbers) {
  schema_.numbers_output = numbers;
  return *this;
}

schema_builder& schema_builder::key_bool(std::string key, std::optional<bool> fallback,
                                         std::string doc) {
  auto spec = make_key(std::move(key), value_type::boolean, std::move(doc));
  if (fallback)
    spec.default_value = *fallback;
  schema_.keys.push_back(std::move(spec));
  return *this;
}

schema_builder& schema_builder::key_int(std::string key, std::optional<std::int64_t> fallback,
                                        double min, double max, std::string doc) {
  auto spec = make_key(std::move(key), value_type::integer, std::move(doc));
  spec.min = min;
  spec.max = max;
  if (fallback)
    spec.default_value = *fallback;
  schema_.keys.push_back(std::move(spec));
  return *this;
}

schema_builder& schema_builder::key_number(std::string key, std::optional<double> fallback,
                                           double min, double max, std::string doc) {
  auto spec = make_key(std::move(key), value_type::number, std::move(doc));
  spec.min = min;
  spec.max = max;
  if (fallback)
    spec.default_value = *fallback;
  schema_.keys.push_back(std::move(spec));
  return *this;
}

schema_builder& schema_builder::key_string(std::string key, std::optional<std::string> fallback,
                                           std::vector<std::string> choices, std::string doc) {
  auto spec = make_key(std::move(key), value_type::string, std::move(doc));
  spec.choices = std::move(choices);
  if (fallback)
    spec.default_value = std::move(*fallback);
  schema_.keys.push_back(std::move(spec));
  return *this;
}

schema_builder& schema_builder::key_string_list(std::string key,
                                                std::optional<std::vector<std::string>> fallback,
                                                std::string doc) {
  auto spec = make_key(std::move(key), value_type::string_list, std::move(doc));
  if (fallback)
    spec.default_value = std::move(*fallback);
  schema_.keys.push_back(std::move(spec));
  return *this;
}

stage_schema schema_builder::build() && {
  if (schema_.name.empty())
    refuse(schema_, "stage type with an empty name");
  check_ports(schema_, schema_.inputs, "input");
  check_ports(schema_, schema_.outputs, "output");
  const bool has_feedback = std::ranges::any_of(schema_.inputs, &port_spec::feedback);
  // Order is restored per key over all inputs; a loop's items have keys of their own.
  if (has_feedback && schema_.ordered_input)
    refuse(schema_, "a feedback input cannot be combined with ordered input");
  if (has_feedback && std::ranges::all_of(schema_.inputs, &port_spec::feedback))
    refuse(schema_, "a stage needs a regular input besides its feedback inputs");
  check_keys(schema_);
  return std::move(schema_);
}

stage_schema schema_builder::build() const& {
  return schema_builder{*this}.build();
}

} // namespace ds
