#pragma once
/// Parsing `ds-pack`'s command line.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packer.hpp"

namespace ds::pack {

/// What the user asked `ds-pack` to do.
struct pack_command {
  std::string source;               ///< "fashion-mnist", "text" or "idx"
  std::string out;                  ///< --out DIR
  std::vector<std::string> inputs;  ///< --in PATH... (fashion-mnist: one folder)
  std::string images;               ///< idx: --images FILE
  std::string labels;               ///< idx: --labels FILE
  std::optional<std::size_t> window;  ///< text: --window N
  double val_fraction = 0.05;       ///< text: --val-fraction F
  std::optional<std::uint64_t> limit;  ///< --limit N: first N records per split
  std::string report_json;          ///< --report-json FILE
  pack_options options;
  bool help = false;
};

/// Throws `std::invalid_argument` naming the bad argument and why.
pack_command parse_command_line(int argc, char** argv);

extern const char* const usage_text;

} // namespace ds::pack
