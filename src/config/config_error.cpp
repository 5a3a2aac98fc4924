#include "config/config_error.hpp"

namespace ds {

namespace {

std::string join_lines(const std::vector<config_diagnostic>& diagnostics) {
  std::string text;
  for (const auto& diag : diagnostics) {
    if (!text.empty())
      text += '\n';
    text += diag.to_string();
  }
  return text;
}

} // namespace

std::string config_diagnostic::to_string() const {
  std::string text = file;
  // Positions are omitted rather than printed as 0, which editors would misread.
  if (line > 0)
    text += ':' + std::to_string(line) + ':' + std::to_string(column);
  text += ": ";
  if (!key_path.empty())
    text += key_path + ": ";
  return text + message;
}

config_error::config_error(std::vector<config_diagnostic> diagnostics)
  : std::runtime_error(join_lines(diagnostics)), diagnostics_(std::move(diagnostics)) {}

} // namespace ds
