#pragma once
/// Configuration errors that name the file, line, column and key path.

#include <stdexcept>
#include <string>
#include <vector>

namespace ds {

/// One problem found in a config.
struct config_diagnostic {
  std::string file;      ///< config file, or "command line"
  int line = 0;          ///< 1-based, 0 when unknown
  int column = 0;        ///< 1-based, 0 when unknown
  std::string key_path;  ///< e.g. "stages.decode.replicas"
  std::string message;   ///< what is wrong, with a "did you mean" where one exists

  /// "file:line:col: key.path: message"
  std::string to_string() const;
};

/// Thrown by loading and planning with every problem found (not just the first).
class config_error : public std::runtime_error {
public:
  explicit config_error(std::vector<config_diagnostic> diagnostics);
  const std::vector<config_diagnostic>& diagnostics() const noexcept { return diagnostics_; }

private:
  std::vector<config_diagnostic> diagnostics_;
};

} // namespace ds
