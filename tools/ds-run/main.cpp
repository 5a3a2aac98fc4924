// ds-run: validates a pipeline config and runs it on the actor runtime.

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>

#include "builtin_stages.hpp"
#include "train/checkpoint_file.hpp"
#include "train/resume.hpp"
#include "cli.hpp"
#include "config/config_loader.hpp"
#include "config/plan_devices.hpp"
#include "config/plan_ranks.hpp"
#include "config/value_check.hpp"
#include "core/plugin_loader.hpp"
#include "dsflow/logger.hpp"
#include "dsflow_build_config.hpp"
#include "launch/launch_error.hpp"
#include "launch/rank_discovery.hpp"
#include "launch/session.hpp"
#include "dsflow/logger.hpp"
#include "live_view.hpp"
#include "net/collectives.hpp"
#if DSFLOW_HAVE_LIBFABRIC
#include "net/libfabric_transport.hpp"
#endif
#include "local_ranks.hpp"
#include "runtime/job.hpp"
#include "summary.hpp"

namespace {

/// Exit codes, also listed in `ds-run --help` and docs/config.md.
enum exit_code : int {
  exit_ok = 0,
  exit_stage_failed = 1,
  exit_usage = 2,
  exit_interrupted = 3,
  exit_peer_lost = 4,  ///< another rank failed, or the ranks could not join
  exit_aborted = 130,
};

std::atomic<int> interrupts{0};

extern "C" void on_interrupt(int) {
  interrupts.fetch_add(1);
}

/// Turns a lost peer into an abort of the local job (the SIGINT path, as if twice).
void abort_for_lost_peer() {
  int seen = interrupts.load();
  while (seen < 2 && !interrupts.compare_exchange_weak(seen, 2)) {
  }
}

/// The transport to the other ranks, made before the rendezvous so that its endpoint
/// address can be published there. Provider: `runtime.fabric_provider` (`DS_FABRIC_PROVIDER`)
/// unless it is "auto"; else `FI_PROVIDER`, else `shm` when the coordinator is a loopback
/// address (every rank on this host, as with `--local-ranks`), else `tcp;ofi_rxm`.
/// `DS_FABRIC_DOMAIN` pins the provider's domain (tcp: the interface; `lo` by default for a
/// loopback coordinator). Null when world_size is 1 or this build has no libfabric; a
/// provider that fails to open is an error (the job could not reduce across ranks).
std::shared_ptr<ds::net::transport> make_rank_transport(const ds::launch::rank_info& where,
                                                        const ds::runtime_settings& runtime) {
  if (where.world_size <= 1)
    return nullptr;
#if DSFLOW_HAVE_LIBFABRIC
  auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  };
  const auto& host = where.coordinator;
  const bool loopback = host.starts_with("127.") || host.starts_with("localhost:")
                        || host.starts_with("[::1]");
  ds::net::libfabric_options options;
  if (runtime.fabric_provider != "auto")
    options.provider = runtime.fabric_provider;
  if (options.provider.empty() && env("FI_PROVIDER").empty())
    options.provider = loopback ? "shm" : "tcp;ofi_rxm";
  options.domain = env("DS_FABRIC_DOMAIN");
  if (options.domain.empty() && loopback && ds::net::resolve_provider(options.provider).starts_with("tcp"))
    options.domain = "lo";
  return std::make_shared<ds::net::libfabric_transport>(options);
#else
  (void)runtime;
  ds::logger{"launch"}.warn("this ds-run is built without libfabric: ranks cannot exchange data "
                            "(a grad_reducer across ranks and any edge between ranks will refuse to start)");
  return nullptr;
#endif
}

/// Keeps this rank's transport up until every rank's job has ended. A rank whose job is done
/// may still owe its peers data: the last frames of a cross-rank edge or of an allreduce,
/// which the receiver reads out of this process's memory. No time limit: another rank may
/// legitimately run long after this one; a lost rank or a second interrupt ends the wait.
void wait_for_other_ranks(ds::launch::session& peers) {
  if (peers.world_size() == 1)
    return;
  try {
    peers.barrier(std::chrono::hours(24 * 365), [] { return interrupts.load() >= 2; });
  } catch (const ds::launch::launch_error&) {
    // A lost rank: on_peer_lost has recorded it, and the exit code says so.
  }
}

/// Joins the other ranks when there are any. Rank 0 serves the rendezvous. Every rank offers
/// its transport's endpoint address (empty without a transport).
std::unique_ptr<ds::launch::session> join_ranks(const ds::launch::rank_info& where,
                                                const ds::runtime_settings& runtime,
                                                const ds::net::transport* net) {
  ds::launch::session_options options;
  if (net != nullptr)
    options.address = net->local_address();
  options.rank = where.rank;
  options.world_size = where.world_size;
  options.coordinator = where.coordinator;
  const char* token = std::getenv("DS_JOB_TOKEN");
  if (where.world_size > 1 && (token == nullptr || *token == '\0'))
    throw std::invalid_argument(
      "DS_JOB_TOKEN is not set: every rank must prove the same job token to rank 0; export "
      "one to all ranks, e.g. DS_JOB_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \\n') "
      "(mpirun: add -x DS_JOB_TOKEN). --local-ranks makes one itself");
  options.job_token = token != nullptr ? token : "";
  if (where.world_size > 1 && runtime.heartbeat_timeout_ms <= runtime.heartbeat_interval_ms)
    throw std::invalid_argument("runtime.heartbeat_timeout_ms (" + std::to_string(runtime.heartbeat_timeout_ms)
                                + ") must be above runtime.heartbeat_interval_ms ("
                                + std::to_string(runtime.heartbeat_interval_ms) + ")");
  options.rendezvous_timeout = std::chrono::milliseconds(runtime.rendezvous_timeout_ms);
  options.heartbeat_interval = std::chrono::milliseconds(runtime.heartbeat_interval_ms);
  options.heartbeat_timeout = std::chrono::milliseconds(runtime.heartbeat_timeout_ms);
  return ds::launch::session::join(options);
}

std::string default_config_path() {
  namespace fs = std::filesystem;
  for (const auto& dir : {fs::path{"configs"}, fs::path{DSFLOW_SOURCE_DIR} / "configs"})
    if (fs::exists(dir / "default.yaml"))
      return (dir / "default.yaml").string();
  return "configs/default.yaml";
}

void list_actors(const ds::registry& reg) {
  for (const auto& name : reg.names()) {
    const auto* type = reg.find(name);
    std::printf("%-20s %s%s\n", name.c_str(), type->schema.doc.c_str(),
                type->origin == "builtin" ? "" : (" [" + type->origin + "]").c_str());
  }
}

void write_file(const std::string& path, const std::string& text, const char* flag) {
  std::ofstream out{path};
  if (!(out << text))
    throw std::runtime_error(std::string(flag) + ": cannot write '" + path + "'");
}

int run(const ds::tools::run_command& cmd) {
  ds::registry reg;
  ds::register_builtin_stages(reg);
  for (const auto& plugin : cmd.plugins)
    ds::load_plugin(plugin, reg);
  // The stage-type queries need no pipeline, but see a given config's plugins.
  const bool query = cmd.list_actors || !cmd.describe.empty() || cmd.config_reference;
  // Rank first, so a bad launcher environment is reported before anything else, and a config
  // can use ${env:DS_RANK} whatever set the rank (flags, Open MPI, Slurm).
  ds::launch::rank_info where;
  if (!query && !cmd.dry_run && !cmd.dump_params) {
    where = ds::launch::discover_rank({cmd.rank, cmd.world_size, cmd.coordinator});
    ::setenv("DS_RANK", std::to_string(where.rank).c_str(), 1);
    ::setenv("DS_WORLD_SIZE", std::to_string(where.world_size).c_str(), 1);
    ds::set_log_rank(where.rank);
  }
  std::optional<ds::config_document> doc;
  if (!query || !cmd.config.empty()) {
    doc = ds::load_config(cmd.config.empty() ? default_config_path() : cmd.config, cmd.overrides);
    for (const auto& plugin : doc->plugin_paths())
      ds::load_plugin(plugin, reg);
  }
  if (cmd.config_reference) {
    for (const auto& name : reg.names())
      std::printf("%s\n", ds::stage_type_markdown(*reg.find(name)).c_str());
    return exit_ok;
  }
  if (cmd.list_actors) {
    list_actors(reg);
    return exit_ok;
  }
  if (!cmd.describe.empty()) {
    const auto* type = reg.find(cmd.describe);
    if (type == nullptr) {
      std::fprintf(stderr, "ds-run: unknown actor '%s' (ds-run --list-actors lists them)\n",
                   cmd.describe.c_str());
      return exit_usage;
    }
    std::fputs(ds::describe_stage_type(*type).c_str(), stdout);
    return exit_ok;
  }

  auto plan = ds::plan_pipeline(*doc, reg);
  if (!cmd.resume.empty()) {
    // Every stage that keeps training state declares `resume`; each reads its part.
    ds::actors::read_checkpoint(cmd.resume);  // refuse a missing or damaged one up front
    auto overrides = cmd.overrides;
    auto resumes = ds::actors::resume_overrides(plan, cmd.resume);
    if (resumes.empty())
      throw std::runtime_error("--resume: no stage of this pipeline keeps training state");
    overrides.insert(overrides.end(), resumes.begin(), resumes.end());
    doc = ds::load_config(cmd.config.empty() ? default_config_path() : cmd.config, overrides);
    plan = ds::plan_pipeline(*doc, reg);
  }
  ds::set_log_level(ds::parse_log_level(cmd.log_level.value_or(plan.runtime.log_level)));
  if (cmd.dump_params) {
    for (const auto& p : plan.params)
      std::printf("%-36s = %-10s  (%s; env %s)  %s\n", p.key.c_str(), p.value.c_str(),
                  p.origin.describe().c_str(), p.env.c_str(), p.help.c_str());
    for (const auto& stage : plan.stages)
      for (const auto& [key, value] : stage.config.values())
        std::printf("%-36s = %-10s  (%s)\n", ("stages." + stage.name + "." + key).c_str(),
                    ds::render_value(value.data).c_str(), value.origin.describe().c_str());
    return exit_ok;
  }
  if (!cmd.graph_out.empty())
    write_file(cmd.graph_out, ds::plan_to_dot(plan), "--graph");
  if (cmd.dry_run) {
    std::fputs(ds::describe_plan(plan).c_str(), stdout);
    return exit_ok;
  }

  // Stages see the device they run on in placement.device ("cpu" or "cuda:N", never "auto").
  // After --dry-run, so a plan written for a GPU host can be checked anywhere; a missing
  // cuda:N is a config error (exit 2) naming the stage and its device key.
  for (const auto& notice : ds::resolve_plan_devices(plan))
    ds::logger{"device"}.info(notice);

  // Every rank has planned the same config by now; a rank whose config is broken exits 2
  // before the rendezvous, and the others time out naming it.
  ds::check_ranks_fit(plan, where.world_size);
  std::mutex lost_mutex;
  std::string lost_peer;  ///< the first loss, "rank N died ..."
  ds::memory_pools pools;  // outlives the transport, whose posted receives allocate from it
  std::shared_ptr<ds::net::transport> rank_transport;  // outlives the job (grad_reducer uses it)
  std::unique_ptr<ds::launch::session> peers;  // after what its callback uses: destroyed first
  try {
    rank_transport = make_rank_transport(where, plan.runtime);
    peers = join_ranks(where, plan.runtime, rank_transport.get());
    if (rank_transport) {
      rank_transport->add_peers(peers->addresses());
      ds::net::set_process_transport(rank_transport);
      ds::logger{"launch"}.info("transport " + rank_transport->name() + " connected to "
                                + std::to_string(where.world_size) + " ranks");
    }
  } catch (const ds::launch::launch_error& e) {
    std::fprintf(stderr, "ds-run: rank %d of %d: %s\n", where.rank, where.world_size, e.what());
    return exit_peer_lost;
  }
  peers->on_peer_lost([&](int lost_rank, const std::string& why) {
    {
      std::lock_guard guard{lost_mutex};
      if (lost_peer.empty())
        lost_peer = why;
    }
    // Releases a reduction blocked on that rank now, not at the provider's error or timeout.
    if (rank_transport)
      rank_transport->fail_peer(lost_rank, why);
    abort_for_lost_peer();
  });

  ds::metrics_registry metrics;
  std::atomic<std::uint64_t> total_items{0};
  std::string progress_stage;
  for (const auto& stage : plan.stages)
    if (stage.type->schema.outputs.empty())
      progress_stage = stage.name;
  struct sigaction action{};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  ds::job_result result;
  {
    ds::tools::live_view view{{&metrics, &total_items, progress_stage, cmd.metrics_out,
                               plan.runtime.metrics_interval_ms, isatty(STDERR_FILENO) == 1, 5}};
    ds::job_options options;
    options.pools = &pools;
    options.metrics = &metrics;
    options.interrupts = &interrupts;
    options.total_items = &total_items;
    options.rank = where.rank;
    options.world_size = where.world_size;
    options.transport = rank_transport.get();
    result = ds::run_job(plan, options);
  }
  ds::net::set_process_transport(nullptr);
  // A stage that failed after a peer was lost (a reduction that fail_peer released) only
  // followed that loss: this rank reports no failure of its own and exits 4.
  bool followed_a_loss = false;
  {
    std::lock_guard guard{lost_mutex};
    followed_a_loss = !lost_peer.empty();
  }
  if (result.outcome == ds::job_outcome::failed && !followed_a_loss) {
    peers->fail(result.error.empty() ? "a stage failed" : result.error);
  } else {
    wait_for_other_ranks(*peers);
    peers->finish([] { return interrupts.load() >= 2; });
  }
  std::fputs(ds::tools::format_summary(metrics, result).c_str(), stdout);
  if (rank_transport)
    std::fputs(ds::tools::format_transport_summary(rank_transport->name(), rank_transport->stats()).c_str(),
               stdout);
  {
    std::lock_guard guard{lost_mutex};
    if (followed_a_loss) {
      std::fprintf(stderr, "ds-run: rank %d stopped: %s\n", where.rank, lost_peer.c_str());
      return exit_peer_lost;
    }
  }
  switch (result.outcome) {
    case ds::job_outcome::completed: return exit_ok;
    case ds::job_outcome::interrupted: return exit_interrupted;
    case ds::job_outcome::aborted: return exit_aborted;
    case ds::job_outcome::failed: return exit_stage_failed;
  }
  return exit_stage_failed;
}

} // namespace

int main(int argc, char** argv) {
  ds::tools::run_command cmd;
  try {
    cmd = ds::tools::parse_command_line(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-run: %s\n", e.what());
    return exit_usage;
  }
  if (cmd.help) {
    std::fputs(ds::tools::usage_text, stdout);
    return exit_ok;
  }
  if (cmd.version) {
    std::printf("ds-run (dsflow) %s\n", DSFLOW_VERSION);
    return exit_ok;
  }
  if (cmd.local_ranks > 0) {
    try {
      return ds::tools::run_local_ranks({cmd.local_ranks, cmd.rank_args});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ds-run: %s\n", e.what());
      return exit_usage;
    }
  }
  try {
    return run(cmd);
  } catch (const ds::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (const ds::plugin_error& e) {
    std::fprintf(stderr, "ds-run: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-run: %s\n", e.what());
  }
  return exit_usage;
}
