#include "config/config_node.hpp"

#include <algorithm>

namespace ds {

void report(diagnostics& out, const value_origin& at, std::string key_path, std::string message) {
  config_diagnostic diag;
  diag.key_path = std::move(key_path);
  diag.message = std::move(message);
  switch (at.from) {
    case value_origin::source::command_line:
      diag.file = "command line";
      diag.message += " (in override '" + at.file + "')";
      break;
    case value_origin::source::environment:
      diag.file = "environment";
      diag.message += " (from " + at.file + ")";
      break;
    case value_origin::source::config_file:
    case value_origin::source::schema_default:
      diag.file = at.file;
      diag.line = at.line;
      diag.column = at.column;
      break;
  }
  out.push_back(std::move(diag));
}

const map_entry* config_node::find_entry(std::string_view key) const noexcept {
  auto found = std::find_if(entries.begin(), entries.end(),
                            [key](const map_entry& entry) { return entry.key == key; });
  return found == entries.end() ? nullptr : &*found;
}

const config_node* config_node::find(std::string_view key) const noexcept {
  const auto* entry = find_entry(key);
  return entry ? &entry->value : nullptr;
}

config_node* config_node::find(std::string_view key) noexcept {
  return const_cast<config_node*>(std::as_const(*this).find(key));
}

config_node& config_node::add(std::string key, value_origin key_origin, config_node value) {
  entries.push_back(map_entry{std::move(key), std::move(key_origin), std::move(value)});
  return entries.back().value;
}

std::vector<std::string> config_node::keys() const {
  std::vector<std::string> result;
  for (const auto& entry : entries)
    result.push_back(entry.key);
  return result;
}

std::string config_node::describe_kind() const {
  switch (type) {
    case kind::null: return "nothing";
    case kind::scalar: return quoted ? "the string \"" + text + "\"" : "'" + text + "'";
    case kind::sequence: return "a list";
    case kind::map: return "a map";
  }
  return {};
}

std::string join_path(std::string_view prefix, std::string_view key) {
  if (prefix.empty())
    return std::string{key};
  std::string path{prefix};
  path += '.';
  path += key;
  return path;
}

} // namespace ds
