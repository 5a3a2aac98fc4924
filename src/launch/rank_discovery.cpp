#include "launch/rank_discovery.hpp"

#include <charconv>
#include <cstdlib>

#include "launch/launch_error.hpp"
#include "launch/tcp.hpp"

namespace ds::launch {

namespace {

/// One place rank and world size may come from, with the names it uses for them.
struct rank_source {
  std::string label;       ///< for rank_info::source and messages
  std::string rank_name;   ///< "--rank", "DS_RANK", ...
  std::string world_name;
  std::optional<std::string> rank;
  std::optional<std::string> world;
  std::string coordinator_hint;  ///< what to set when the coordinator is missing
};

std::optional<std::string> read_env(const env_reader& env, const char* name) {
  const char* value = env(name);
  if (value == nullptr)
    return std::nullopt;
  return std::string{value};
}

int parse_count(const std::string& text, const std::string& name, int min) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end)
    throw launch_error(name + "='" + text + "' is not a whole number");
  if (value < min)
    throw launch_error(name + "=" + text + " must be at least " + std::to_string(min));
  return value;
}

} // namespace

rank_info discover_rank(const rank_flags& flags, const env_reader& env) {
  const std::string export_coordinator =
    "export DS_COORDINATOR=HOST:PORT (rank 0's host name and a free port) to every rank";
  std::vector<rank_source> sources{
    {"command line", "--rank", "--world-size", flags.rank, flags.world_size,
     "pass --coordinator HOST:PORT (rank 0's host and a free port)"},
    {"DS_RANK", "DS_RANK", "DS_WORLD_SIZE", read_env(env, "DS_RANK"),
     read_env(env, "DS_WORLD_SIZE"), "set DS_COORDINATOR=HOST:PORT (rank 0's host and a free port)"},
    {"Open MPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
     read_env(env, "OMPI_COMM_WORLD_RANK"), read_env(env, "OMPI_COMM_WORLD_SIZE"),
     export_coordinator + " (mpirun -x DS_COORDINATOR)"},
    {"Slurm", "SLURM_PROCID", "SLURM_NTASKS", read_env(env, "SLURM_PROCID"),
     read_env(env, "SLURM_NTASKS"), export_coordinator + " before srun"},
  };
  rank_info info;
  info.source = "default";
  for (const auto& source : sources) {
    if (!source.rank && !source.world)
      continue;
    if (!source.rank)
      throw launch_error(source.world_name + " is set but " + source.rank_name
                         + " is not; set both or neither");
    if (!source.world)
      throw launch_error(source.rank_name + " is set but " + source.world_name
                         + " is not; set both or neither");
    info.rank = parse_count(*source.rank, source.rank_name, 0);
    info.world_size = parse_count(*source.world, source.world_name, 1);
    if (info.rank >= info.world_size)
      throw launch_error(source.rank_name + "=" + *source.rank + " is not below "
                         + source.world_name + "=" + *source.world
                         + " (ranks count from 0 to world size - 1)");
    info.source = source.label;
    if (info.world_size == 1)
      return info;
    std::string coordinator_name = "--coordinator";
    auto coordinator = flags.coordinator;
    if (!coordinator) {
      coordinator = read_env(env, "DS_COORDINATOR");
      coordinator_name = "DS_COORDINATOR";
    }
    if (!coordinator || coordinator->empty())
      throw launch_error(source.label + " says rank " + std::to_string(info.rank) + " of "
                         + std::to_string(info.world_size) + " (" + source.rank_name + ", "
                         + source.world_name + ") but no coordinator is known: "
                         + source.coordinator_hint);
    parse_host_port(*coordinator, coordinator_name);  // refuse a malformed one here, naming it
    info.coordinator = *coordinator;
    return info;
  }
  return info;
}

rank_info discover_rank(const rank_flags& flags) {
  return discover_rank(flags, [](const char* name) { return std::getenv(name); });
}

} // namespace ds::launch
