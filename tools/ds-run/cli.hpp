#pragma once
/// Parsing `ds-run`'s command line.

#include <optional>
#include <string>
#include <vector>

namespace ds::tools {

/// What the user asked `ds-run` to do.
struct run_command {
  std::string config;                  ///< empty: the default config
  std::vector<std::string> overrides;  ///< "key.path=value"
  std::vector<std::string> plugins;    ///< --plugin PATH (repeatable)
  bool dry_run = false;
  bool list_actors = false;
  bool dump_params = false;
  bool config_reference = false;
  bool help = false;
  bool version = false;
  std::string describe;     ///< --describe ACTOR
  std::string graph_out;    ///< --graph FILE
  std::string metrics_out;  ///< --metrics-out FILE
  std::string resume;       ///< --resume DIR
  std::optional<std::string> log_level;
  // Multi-node (docs/multi-node.md). Numbers stay text: rank discovery checks them.
  std::optional<std::string> rank;         ///< --rank N
  std::optional<std::string> world_size;   ///< --world-size N
  std::optional<std::string> coordinator;  ///< --coordinator HOST:PORT
  int local_ranks = 0;                     ///< --local-ranks N: launch N ranks here
  std::vector<std::string> rank_args;      ///< the arguments without --local-ranks N
};

/// Throws `std::invalid_argument` with a message naming the bad argument, e.g. --local-ranks
/// together with --rank.
run_command parse_command_line(int argc, char** argv);

extern const char* const usage_text;

} // namespace ds::tools
