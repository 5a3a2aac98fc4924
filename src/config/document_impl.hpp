#pragma once
/// What a `config_document` holds: the tree after overrides and references.

#include <string>

#include "config/config_loader.hpp"
#include "config/config_node.hpp"

namespace ds {

struct config_document::impl {
  std::string file;
  config_node root;
};

/// The keys a config may have at the top level, in the order the docs list them.
const std::vector<std::string>& top_level_keys();

/// Paths under `plugins:`, relative ones resolved against `file`'s folder;
/// a malformed `plugins:` section is reported to `out`.
std::vector<std::string> read_plugin_paths(const config_node& root, const std::string& file,
                                           diagnostics& out);

} // namespace ds
