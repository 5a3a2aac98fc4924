#pragma once
/// A stage's validated configuration: every schema key present, typed.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dsflow/config_value.hpp"

namespace ds {

/// Validated config of one stage: every key of the schema, defaults filled.
///
/// Getters throw `std::out_of_range` naming the key when it is missing or of
/// another type; after validation that only happens for a key the stage did not
/// declare, i.e. a bug in the stage.
class stage_config {
public:
  stage_config() = default;
  explicit stage_config(std::string stage_name) : stage_name_(std::move(stage_name)) {}

  void set(std::string key, config_value value);

  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_number(std::string_view key) const;  ///< accepts integers too
  const std::string& get_string(std::string_view key) const;
  const std::vector<std::string>& get_string_list(std::string_view key) const;

  const config_value* find(std::string_view key) const noexcept;
  const std::map<std::string, config_value, std::less<>>& values() const noexcept { return values_; }
  const std::string& stage_name() const noexcept { return stage_name_; }

private:
  const config_value& at(std::string_view key) const;

  std::string stage_name_;
  std::map<std::string, config_value, std::less<>> values_;
};

} // namespace ds
