#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/document_impl.hpp"
#include "config/overrides.hpp"
#include "config/references.hpp"
#include "config/yaml_reader.hpp"

namespace ds {

config_document::config_document(std::unique_ptr<impl> self) : self_(std::move(self)) {}
config_document::~config_document() = default;
config_document::config_document(config_document&&) noexcept = default;
config_document& config_document::operator=(config_document&&) noexcept = default;

const std::string& config_document::file() const noexcept {
  return self_->file;
}

std::vector<std::string> config_document::plugin_paths() const {
  diagnostics problems;
  auto paths = read_plugin_paths(self_->root, self_->file, problems);
  if (!problems.empty())
    throw config_error(std::move(problems));
  return paths;
}

const std::vector<std::string>& top_level_keys() {
  static const std::vector<std::string> keys{"version", "plugins", "runtime", "stages"};
  return keys;
}

std::vector<std::string> read_plugin_paths(const config_node& root, const std::string& file,
                                           diagnostics& out) {
  std::vector<std::string> paths;
  const auto* plugins = root.find("plugins");
  if (plugins == nullptr || plugins->is_null())
    return paths;
  if (!plugins->is_sequence()) {
    report(out, plugins->origin, "plugins",
           "expected a list of plugin paths, got " + plugins->describe_kind());
    return paths;
  }
  const auto folder = std::filesystem::path{file}.parent_path();
  for (std::size_t i = 0; i < plugins->items.size(); ++i) {
    const auto& item = plugins->items[i];
    if (!item.is_scalar() || item.text.empty()) {
      report(out, item.origin, "plugins." + std::to_string(i),
             "expected a plugin path, got " + item.describe_kind());
      continue;
    }
    std::filesystem::path path{item.text};
    if (path.is_relative())
      path = (folder / path).lexically_normal();
    paths.push_back(path.string());
  }
  return paths;
}

config_document parse_config(const std::string& text, const std::string& file,
                             const std::vector<std::string>& overrides) {
  diagnostics problems;
  auto root = read_yaml(text, file, problems);
  if (!root)
    throw config_error(std::move(problems));
  if (!root->is_map()) {
    // Overrides and references need a map to work on; stop here.
    report(problems, root->origin, "",
           "expected a map with 'version' and 'stages' at the top, got " + root->describe_kind());
    throw config_error(std::move(problems));
  }
  apply_overrides(*root, overrides, problems);
  resolve_references(*root, problems);
  if (!problems.empty())
    throw config_error(std::move(problems));
  auto self = std::make_unique<config_document::impl>();
  self->file = file;
  self->root = std::move(*root);
  return config_document{std::move(self)};
}

config_document load_config(const std::string& file, const std::vector<std::string>& overrides) {
  std::ifstream in{file};
  if (!in) {
    config_diagnostic diag;
    diag.file = file;
    diag.message = std::string{"cannot open the config file: "} + std::strerror(errno);
    throw config_error({std::move(diag)});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file, overrides);
}

} // namespace ds
