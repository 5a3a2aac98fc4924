#include "config/overrides.hpp"

#include <algorithm>
#include <string_view>

#include "config/document_impl.hpp"
#include "config/suggest.hpp"
#include "config/yaml_reader.hpp"

namespace ds {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos)
      return parts;
    start = dot + 1;
  }
}

bool is_top_level_key(const std::string& key) {
  const auto& keys = top_level_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> stage_names(const config_node& root) {
  const auto* stages = root.find("stages");
  return stages != nullptr ? stages->keys() : std::vector<std::string>{};
}

/// Expands the shorthand `decode.replicas` to `stages.decode.replicas`;
/// returns false (after reporting) when the first component means nothing.
bool expand_stage_shorthand(const config_node& root, std::vector<std::string>& path,
                            const value_origin& at, diagnostics& out) {
  if (is_top_level_key(path.front()))
    return true;
  auto stages = stage_names(root);
  if (std::find(stages.begin(), stages.end(), path.front()) != stages.end()) {
    path.insert(path.begin(), "stages");
    return true;
  }
  auto candidates = top_level_keys();
  candidates.insert(candidates.end(), stages.begin(), stages.end());
  report(out, at, path.front(),
         "'" + path.front() + "' is neither a top-level key (" + join_names(top_level_keys())
           + ") nor a stage name" + did_you_mean(path.front(), candidates));
  return false;
}

/// Whether a plain override may create the `depth`-th key of `path`: keys
/// inside an existing stage and under `runtime:` are checked later against the
/// stage's schema and the knob table (which suggest the closest key), so
/// `work.fail_items=[3]` works without `+` even when the file leaves it out.
bool checked_later(const std::vector<std::string>& path, std::size_t depth) {
  return path.front() == "runtime" || (path.front() == "stages" && depth >= 2);
}

/// Walks to the node at `path`, creating missing keys when `add` is set or the
/// key is validated later.
config_node* find_or_add(config_node& root, const std::vector<std::string>& path,
                         const std::string& full_path, bool add, const value_origin& at,
                         diagnostics& out) {
  config_node* node = &root;
  std::string walked;
  for (std::size_t depth = 0; depth < path.size(); ++depth) {
    const auto& key = path[depth];
    const bool create = add || checked_later(path, depth);
    auto key_path = join_path(walked, key);
    if (node->is_null() && create)
      node->type = config_node::kind::map;
    if (!node->is_map()) {
      report(out, at, key_path,
             "cannot set '" + key + "': '" + walked + "' is " + node->describe_kind()
               + ", not a map");
      return nullptr;
    }
    auto* child = node->find(key);
    if (child == nullptr && !create) {
      auto where = walked.empty() ? std::string{"at the top level"} : "in '" + walked + "'";
      report(out, at, key_path,
             "unknown key '" + key + "' " + where + did_you_mean(key, node->keys())
               + " ('+" + full_path + "=...' adds a new key)");
      return nullptr;
    }
    if (child == nullptr) {
      config_node empty;
      empty.origin = at;
      child = &node->add(key, at, std::move(empty));
    }
    node = child;
    walked = key_path;
  }
  return node;
}

void apply_override(config_node& root, const std::string& text, diagnostics& out) {
  value_origin at;
  at.from = value_origin::source::command_line;
  at.file = text;
  auto equals = text.find('=');
  if (equals == std::string::npos) {
    report(out, at, "", "malformed override: expected 'key=value'");
    return;
  }
  std::string_view key_text{text.data(), equals};
  const bool add = key_text.starts_with('+');
  if (add)
    key_text.remove_prefix(1);
  auto path = split_path(key_text);
  if (std::find(path.begin(), path.end(), std::string{}) != path.end()) {
    report(out, at, std::string{key_text}, "malformed override: empty key in 'key=value'");
    return;
  }
  if (!expand_stage_shorthand(root, path, at, out))
    return;
  std::string key_path;
  for (const auto& key : path)
    key_path = join_path(key_path, key);
  auto value = read_yaml_value(text.substr(equals + 1), text, key_path, out);
  if (!value)
    return;
  if (auto* node = find_or_add(root, path, key_path, add, at, out))
    *node = std::move(*value);
}

} // namespace

void apply_overrides(config_node& root, const std::vector<std::string>& overrides,
                     diagnostics& out) {
  for (const auto& text : overrides)
    apply_override(root, text, out);
}

} // namespace ds
