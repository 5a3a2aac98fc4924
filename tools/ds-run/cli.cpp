#include "cli.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace ds::tools {

const char* const usage_text = R"(usage: ds-run [CONFIG] [KEY=VALUE...] [OPTIONS]

Runs the pipeline in CONFIG (default: configs/default.yaml). KEY=VALUE pairs
override config keys, e.g. stages.decode.replicas=2 or decode.replicas=2
(a first component naming a stage means stages.<name>); +KEY=VALUE adds a key.

options:
  --dry-run            validate, print the resolved plan, run nothing
  --list-actors        list the registered stage types
  --describe ACTOR     print a stage type's ports and config keys
  --graph FILE         write the pipeline as a Graphviz digraph
  --metrics-out FILE   write per-replica metrics as JSON lines
  --resume DIR         continue training from the checkpoint in DIR (a checkpointer's `dir`)
  --log-level LEVEL    trace, debug, info, warn, error or off
  --dump-params        list every runtime knob, its value and where it came from
  --plugin PATH        load a plugin library (repeatable; also `plugins:` in CONFIG)
  --local-ranks N      run N ranks on this machine, output prefixed with [rN]
  --rank N             this process's rank (else DS_RANK, Open MPI, Slurm)
  --world-size N       the number of ranks (else DS_WORLD_SIZE, Open MPI, Slurm)
  --coordinator H:P    rank 0's rendezvous address (else DS_COORDINATOR)
  --config-reference   print every stage type's keys as Markdown (docs/config.md)
  --version            print the version
  -h, --help           print this help

exit codes: 0 done, 1 a stage failed, 2 bad usage or config,
            3 interrupted and drained, 4 another rank failed or the ranks
            could not join, 130 aborted by a second interrupt
)";

run_command parse_command_line(int argc, char** argv) {
  run_command cmd;
  auto value_of = [&](int& i, std::string_view flag) -> std::string {
    if (i + 1 >= argc)
      throw std::invalid_argument(std::string(flag) + " needs a value");
    return argv[++i];
  };
  int local_ranks_at = -1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--local-ranks") {
      local_ranks_at = i;
      auto text = value_of(i, arg);
      int count = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
      if (text.empty() || error != std::errc{} || end != text.data() + text.size() || count < 1
          || count > 1024)
        throw std::invalid_argument("--local-ranks: '" + text + "' is not a rank count from 1 to 1024");
      cmd.local_ranks = count;
      continue;
    }
    if (arg == "--dry-run")
      cmd.dry_run = true;
    else if (arg == "--list-actors")
      cmd.list_actors = true;
    else if (arg == "--dump-params")
      cmd.dump_params = true;
    else if (arg == "--config-reference")
      cmd.config_reference = true;
    else if (arg == "-h" || arg == "--help")
      cmd.help = true;
    else if (arg == "--version")
      cmd.version = true;
    else if (arg == "--describe")
      cmd.describe = value_of(i, arg);
    else if (arg == "--graph")
      cmd.graph_out = value_of(i, arg);
    else if (arg == "--metrics-out")
      cmd.metrics_out = value_of(i, arg);
    else if (arg == "--resume")
      cmd.resume = value_of(i, arg);
    else if (arg == "--log-level")
      cmd.log_level = value_of(i, arg);
    else if (arg == "--plugin")
      cmd.plugins.push_back(value_of(i, arg));
    else if (arg == "--rank")
      cmd.rank = value_of(i, arg);
    else if (arg == "--world-size")
      cmd.world_size = value_of(i, arg);
    else if (arg == "--coordinator")
      cmd.coordinator = value_of(i, arg);
    else if (arg.starts_with("-"))
      throw std::invalid_argument("unknown option '" + std::string(arg) + "' (see ds-run --help)");
    else if (arg.find('=') != std::string_view::npos)
      cmd.overrides.emplace_back(arg);
    else if (cmd.config.empty())
      cmd.config = arg;
    else
      throw std::invalid_argument("unexpected argument '" + std::string(arg)
                                  + "': the config is already '" + cmd.config
                                  + "' (overrides look like key=value)");
  }
  for (int i = 1; i < argc; ++i)
    if (i != local_ranks_at && i != local_ranks_at + 1)
      cmd.rank_args.emplace_back(argv[i]);
  if (cmd.local_ranks > 0 && (cmd.rank || cmd.world_size || cmd.coordinator))
    throw std::invalid_argument("--local-ranks chooses every rank itself; drop --rank, "
                                "--world-size and --coordinator");
  return cmd;
}

} // namespace ds::tools
