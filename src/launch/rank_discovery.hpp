#pragma once
/// Which rank this process is and how many there are, from flags or the launcher's environment.

#include <functional>
#include <optional>
#include <string>

namespace ds::launch {

/// What `ds-run --rank --world-size --coordinator` said; unset members were not given.
/// Numbers stay text so a bad one is reported with the flag that carried it.
struct rank_flags {
  std::optional<std::string> rank;
  std::optional<std::string> world_size;
  std::optional<std::string> coordinator;
};

/// Where this process stands in the job.
struct rank_info {
  int rank = 0;
  int world_size = 1;
  std::string coordinator;  ///< "host:port" of rank 0's rendezvous; empty when world_size == 1
  std::string source;       ///< "command line", "DS_RANK", "Open MPI", "Slurm" or "default"
};

/// Reads an environment variable; returns nullptr when it is not set.
using env_reader = std::function<const char*(const char*)>;

/// Finds rank and world size from the first source that sets them, in this order:
/// the flags (`--rank`, `--world-size`), `DS_RANK`/`DS_WORLD_SIZE`, Open MPI
/// (`OMPI_COMM_WORLD_RANK`/`OMPI_COMM_WORLD_SIZE`), Slurm (`SLURM_PROCID`/`SLURM_NTASKS`);
/// none of them means a single rank. The coordinator comes from `--coordinator`, else
/// `DS_COORDINATOR`, whichever source gave the rank.
///
/// Throws `launch_error` naming the flag or variable when a value is not a number, a source
/// sets only one of its pair, rank >= world size, or world size > 1 with no coordinator
/// (for Open MPI and Slurm the message says what to export). Pure: reads only `env`.
rank_info discover_rank(const rank_flags& flags, const env_reader& env);

/// `discover_rank` on the process environment (`std::getenv`).
rank_info discover_rank(const rank_flags& flags);

} // namespace ds::launch
