#include "train_bench.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <vector>

#include "bench_stats.hpp"
#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "dsflow_build_config.hpp"
#include "runtime/job.hpp"

namespace ds::bench {
namespace {

struct variant {
  std::string name;
  std::vector<std::string> overrides;
};

struct run_figures {
  double samples_per_s = 0;
  double data_stall = 0;   ///< share of compute's time spent waiting for a batch
  double param_wait = 0;   ///< share spent waiting for the optimizer's update
  double quality = 0;      ///< test accuracy, or validation bits/char
};

run_figures run_once(const registry& reg, const std::string& config,
                     const std::vector<std::string>& overrides, const char* quality_key) {
  auto plan = plan_pipeline(load_config(config, overrides), reg);
  memory_pools pools;
  metrics_registry metrics;
  job_options options;
  options.pools = &pools;
  options.metrics = &metrics;
  const auto started = std::chrono::steady_clock::now();
  auto result = run_job(plan, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (result.outcome != job_outcome::completed)
    throw std::runtime_error(config + ": the run failed: " + result.error);
  std::map<std::string, double> sums;
  run_figures figures;
  metrics.for_each([&](const replica_metrics& m) {
    if (m.actor == "compute")
      for (const auto& [name, value] : m.custom_values())
        sums[name] += static_cast<double>(value);
    for (const auto& [name, value] : m.results())
      if (name == quality_key)
        figures.quality = value;
  });
  figures.samples_per_s = sums["samples"] / seconds;
  figures.data_stall = sums["span_ns"] > 0 ? sums["data_wait_ns"] / sums["span_ns"] : 0;
  figures.param_wait = sums["span_ns"] > 0 ? sums["param_wait_ns"] / sums["span_ns"] : 0;
  return figures;
}

void print_row(const std::string& name, const std::vector<run_figures>& runs, const char* quality) {
  std::vector<double> rate, stall, wait, score;
  for (const auto& r : runs) {
    rate.push_back(r.samples_per_s);
    stall.push_back(100 * r.data_stall);
    wait.push_back(100 * r.param_wait);
    score.push_back(r.quality);
  }
  std::printf("%-34s %12.0f %12.2f %12.2f %10.4f  (%s)\n", name.c_str(), median(rate), median(stall),
              median(wait), median(score), quality);
}

} // namespace

int run_train_bench(const train_bench_options& options) {
  registry reg;
  register_builtin_stages(reg);
  const std::string root = DSFLOW_SOURCE_DIR;
  const auto scratch = std::filesystem::temp_directory_path() / "dsflow-train-bench";
  const auto epochs = std::to_string(options.epochs);
  const std::vector<std::string> common{
    "sample.epochs=" + epochs, "optimize.total_steps=" + std::to_string(469 * options.epochs),
    "evaluate.every_epochs=0", "checkpoint.dir=" + scratch.string()};
  std::vector<variant> variants{
    {"1 replica x 2 BLAS threads", {"train.replicas=1", "train.blas_threads=2"}},
    {"2 replicas x 1 BLAS thread", {"train.replicas=2", "train.blas_threads=1", "batch.batch_size=64"}},
    {"1 replica x 2 threads, delay 1", {"train.replicas=1", "train.blas_threads=2", "train.delay=1"}},
  };
  std::printf("## Training, configs/default.yaml (MLP 784-256-128-10, global batch 128), %d epochs, "
              "median of %d interleaved runs\n",
              options.epochs, options.repeats);
  std::printf("%-34s %12s %12s %12s %10s\n", "placement", "samples/s", "data stall%", "param wait%",
              "quality");
  std::vector<std::vector<run_figures>> results(variants.size());
  for (int r = 0; r < options.repeats; ++r)
    for (std::size_t v = 0; v < variants.size(); ++v) {
      auto overrides = common;
      overrides.insert(overrides.end(), variants[v].overrides.begin(), variants[v].overrides.end());
      results[v].push_back(run_once(reg, root + "/configs/default.yaml", overrides, "test_accuracy"));
    }
  for (std::size_t v = 0; v < variants.size(); ++v)
    print_row(variants[v].name, results[v], "test accuracy");
  if (options.language_model) {
    std::printf("\n## Training, configs/fortunes_lm.yaml, 1 epoch, 1 run\n");
    auto lm = run_once(reg, root + "/configs/fortunes_lm.yaml",
                       {"sample.epochs=1", "optimize.total_steps=586", "evaluate.every_epochs=0",
                        "checkpoint.dir=" + scratch.string()},
                       "val_bits_per_char");
    print_row("1 replica, delay 1 (samples = windows of 128 chars)", {lm}, "validation bits/char");
  }
  return 0;
}

} // namespace ds::bench
