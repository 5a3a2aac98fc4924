#include "dsflow/stage_config.hpp"

#include <stdexcept>
#include <type_traits>

#include "dsflow/schema.hpp"

namespace ds {

namespace {

template <value_type Type>
using alternative = std::variant_alternative_t<static_cast<std::size_t>(Type), value_data>;

// `value_type` enumerates the alternatives of `value_data` in the same order.
static_assert(std::is_same_v<alternative<value_type::boolean>, bool>
              && std::is_same_v<alternative<value_type::integer>, std::int64_t>
              && std::is_same_v<alternative<value_type::number>, double>
              && std::is_same_v<alternative<value_type::string>, std::string>
              && std::is_same_v<alternative<value_type::string_list>, std::vector<std::string>>);

std::string_view type_name(const value_data& data) noexcept {
  return to_string(static_cast<value_type>(data.index()));
}

template <class T>
const T& get_as(const stage_config& config, std::string_view key, const config_value& value,
                value_type wanted) {
  if (const auto* typed = std::get_if<T>(&value.data))
    return *typed;
  throw std::out_of_range("stage '" + config.stage_name() + "': config key '" + std::string(key)
                          + "' is of type " + std::string(type_name(value.data)) + " (from "
                          + value.origin.describe() + "), expected "
                          + std::string(to_string(wanted)));
}

} // namespace

void stage_config::set(std::string key, config_value value) {
  values_.insert_or_assign(std::move(key), std::move(value));
}

bool stage_config::get_bool(std::string_view key) const {
  return get_as<bool>(*this, key, at(key), value_type::boolean);
}

std::int64_t stage_config::get_int(std::string_view key) const {
  return get_as<std::int64_t>(*this, key, at(key), value_type::integer);
}

double stage_config::get_number(std::string_view key) const {
  const auto& value = at(key);
  if (const auto* integer = std::get_if<std::int64_t>(&value.data))
    return static_cast<double>(*integer);
  return get_as<double>(*this, key, value, value_type::number);
}

const std::string& stage_config::get_string(std::string_view key) const {
  return get_as<std::string>(*this, key, at(key), value_type::string);
}

const std::vector<std::string>& stage_config::get_string_list(std::string_view key) const {
  return get_as<std::vector<std::string>>(*this, key, at(key), value_type::string_list);
}

const config_value* stage_config::find(std::string_view key) const noexcept {
  auto found = values_.find(key);
  return found == values_.end() ? nullptr : &found->second;
}

const config_value& stage_config::at(std::string_view key) const {
  if (const auto* value = find(key))
    return *value;
  throw std::out_of_range("stage '" + stage_name_ + "': no config key '" + std::string(key)
                          + "' (the stage reads a key its schema does not declare)");
}

} // namespace ds
