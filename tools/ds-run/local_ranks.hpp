#pragma once
/// `ds-run --local-ranks N`: N ranks of one job as child processes of this one.

#include <chrono>
#include <string>
#include <vector>

namespace ds::tools {

struct local_launch {
  int ranks = 1;
  std::vector<std::string> rank_args;  ///< passed to every child ds-run as is
  /// After the first rank fails, how long the others get to stop on their own (they hear of
  /// the failure from the coordinator at once) before they are killed.
  std::chrono::milliseconds stop_grace{5000};
};

/// Starts `ranks` copies of this executable with DS_RANK, DS_WORLD_SIZE, DS_COORDINATOR
/// (127.0.0.1 and a free port) and DS_JOB_TOKEN (kept when set, generated otherwise).
/// Their stdout and stderr lines come out on ours, each prefixed with `[rN] ` unless the
/// line already starts with the logger's `[rN `. SIGINT and SIGTERM are passed on to every
/// child, once per signal. When a rank fails the others are killed after `stop_grace`.
///
/// Returns the exit code of the rank that failed first, not counting ranks that only
/// stopped because of it (exit 4, or killed after the grace); 0 when every rank exited 0.
/// Prints which rank failed and how. Throws `launch_error` when it cannot start the ranks.
int run_local_ranks(const local_launch& launch);

} // namespace ds::tools
