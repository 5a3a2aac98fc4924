// ds-run: validates a pipeline config and runs it on the actor runtime.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "builtin_stages.hpp"
#include "train/checkpoint_file.hpp"
#include "train/resume.hpp"
#include "cli.hpp"
#include "config/config_loader.hpp"
#include "config/value_check.hpp"
#include "core/plugin_loader.hpp"
#include "dsflow_build_config.hpp"
#include "live_view.hpp"
#include "runtime/job.hpp"
#include "summary.hpp"

namespace {

/// Exit codes, also listed in `ds-run --help` and docs/config.md.
enum exit_code : int {
  exit_ok = 0,
  exit_stage_failed = 1,
  exit_usage = 2,
  exit_interrupted = 3,
  exit_aborted = 130,
};

std::atomic<int> interrupts{0};

extern "C" void on_interrupt(int) {
  interrupts.fetch_add(1);
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

  ds::memory_pools pools;
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
    result = ds::run_job(plan, options);
  }
  std::fputs(ds::tools::format_summary(metrics, result).c_str(), stdout);
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
