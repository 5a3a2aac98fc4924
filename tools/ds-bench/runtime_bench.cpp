#include "runtime_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <vector>

#include "bench_stats.hpp"
#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "runtime/job.hpp"

namespace ds::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct bench_env {
  registry reg;
  bench_env() { register_builtin_stages(reg); }

  pipeline_plan plan(const std::string& yaml) {
    return plan_pipeline(parse_config(yaml, "ds-bench", {}), reg);
  }

  struct run_result {
    double seconds = 0;
    std::uint64_t peak_bytes = 0;              ///< host pool high-water mark
    std::map<std::string, double> busy_per_item_us;  ///< per stage
  };

  /// Runs `plan` on the actor runtime.
  run_result run(const pipeline_plan& p) {
    memory_pools pools;
    metrics_registry metrics;
    job_options options;
    options.pools = &pools;
    options.metrics = &metrics;
    auto started = clock_type::now();
    auto result = run_job(p, options);
    run_result measured;
    measured.seconds = std::chrono::duration<double>(clock_type::now() - started).count();
    if (result.outcome != job_outcome::completed)
      throw std::runtime_error("benchmark pipeline failed: " + result.error);
    measured.peak_bytes = pools.host().stats().peak_in_use;
    metrics.for_each([&](const replica_metrics& m) {
      auto items = std::max(m.items_in.value(), m.items_out.value());
      if (items > 0)
        measured.busy_per_item_us[m.stage] = static_cast<double>(m.busy_ns.value()) / 1e3
                                             / static_cast<double>(items);
    });
    return measured;
  }
};

/// Captures what a stage emits, for the plain-loop baseline.
struct last_output final : emitter {
  message_ptr msg;
  void emit(port_id, message_ptr m) override { msg = std::move(m); }
};

/// The same stages called directly in one loop: the work without the runtime.
double plain_loop_seconds(const pipeline_plan& p) {
  memory_pools pools;
  metrics_registry metrics;
  logger log{"bench"};
  std::vector<std::unique_ptr<stage>> stages;
  std::vector<std::unique_ptr<context>> contexts;
  for (const auto& s : p.stages) {
    stages.push_back(s.type->make());
    contexts.push_back(std::make_unique<context>(s.config, metrics.add_replica(s.name, s.name, 0),
                                                 pools, log, placement{}, s.type->schema));
  }
  auto started = clock_type::now();
  for (std::size_t i = 0; i < stages.size(); ++i)
    stages[i]->open(*contexts[i]);
  auto& producer = dynamic_cast<source&>(*stages.front());
  last_output out;
  bool more = true;
  for (std::uint64_t seq = 0; more; ++seq) {
    more = producer.produce(out);
    item current{{seq, 0, true}, std::move(out.msg)};
    for (std::size_t i = 1; i < stages.size() && current.payload; ++i) {
      stages[i]->process(current, out);
      current.payload = std::move(out.msg);
    }
  }
  for (auto& s : stages)
    s->close(out);
  return std::chrono::duration<double>(clock_type::now() - started).count();
}

std::string chain(std::uint64_t count, std::uint64_t size) {
  return "version: 1\nruntime: {window: 32, threads: 2}\nstages:\n"
         "  generate: {actor: synthetic_source, count: " + std::to_string(count)
         + ", size: " + std::to_string(size) + ", fill: none}\n"
         "  first: {actor: transform, inputs: [generate.out]}\n"
         "  second: {actor: transform, inputs: [first.out]}\n"
         "  check: {actor: sink, inputs: [second.out], verify_checksums: false, expect_count: "
         + std::to_string(count) + "}\n";
}

void hop_overhead(bench_env& env, const runtime_bench_options& options) {
  std::printf("\n## Per-item overhead of one hop (4-stage chain: source -> transform -> transform -> sink)\n");
  std::printf("%-10s %10s %14s %14s %14s %12s\n", "payload", "items", "runtime s", "plain loop s",
              "us/item/hop", "items/s");
  constexpr int hops = 3;
  for (std::uint64_t size : {std::uint64_t{1024}, std::uint64_t{1} << 20}) {
    std::uint64_t count = options.quick ? 20000 : 200000;
    auto plan = env.plan(chain(count, size));
    std::vector<double> runtime, plain;
    for (int r = 0; r < options.repeats; ++r) {
      runtime.push_back(env.run(plan).seconds);
      plain.push_back(plain_loop_seconds(plan));
    }
    double rt = median(runtime), base = median(plain);
    double per_hop_us = (rt - base) / static_cast<double>(count * hops) * 1e6;
    std::printf("%-10s %10llu %14.3f %14.3f %14.3f %12.0f\n", size == 1024 ? "1 KiB" : "1 MiB",
                static_cast<unsigned long long>(count), rt, base, per_hop_us,
                static_cast<double>(count) / rt);
  }
}

void replica_scaling(bench_env& env, const runtime_bench_options& options) {
  std::printf("\n## CPU-bound stage (spin 200 us/item) at 1 and 2 replicas, 2 scheduler threads\n");
  std::uint64_t count = options.quick ? 500 : 3000;
  auto yaml = [count](int replicas) {
    return "version: 1\nruntime: {window: 16, threads: 2}\nstages:\n"
           "  generate: {actor: synthetic_source, count: " + std::to_string(count) + ", size: 256}\n"
           "  work: {actor: transform, inputs: [generate.out], spin_us: 200, replicas: "
           + std::to_string(replicas) + "}\n"
           "  check: {actor: sink, inputs: [work.out]}\n";
  };
  auto one = env.plan(yaml(1));
  auto two = env.plan(yaml(2));
  std::vector<double> ratios, t1s, t2s;
  for (int r = 0; r < options.repeats; ++r) {
    double t1 = env.run(one).seconds;
    double t2 = env.run(two).seconds;
    t1s.push_back(t1);
    t2s.push_back(t2);
    ratios.push_back(t1 / t2);
  }
  std::printf("1 replica %.3f s, 2 replicas %.3f s (medians); scaling %.2fx (median of %d paired runs)\n",
              median(t1s), median(t2s), median(ratios), options.repeats);
}

void bounded_memory(bench_env& env, const runtime_bench_options& options) {
  std::printf("\n## Peak memory with a consumer ~10x slower than its producer (64 KiB items)\n");
  std::printf("%8s %16s %14s %22s %8s\n", "window", "consumer/producer", "peak KiB",
              "bound (2w+4) x item KiB", "within");
  constexpr std::uint64_t item = 64 * 1024;
  // The source fills and hashes 64 KiB per item; the consumer adds 220 us of
  // sleep (~10x). The ratio printed is measured (busy time per item), not assumed.
  for (std::uint64_t window : {4, 16, 64}) {
    auto plan = env.plan("version: 1\nruntime: {window: " + std::to_string(window)
                         + ", threads: 2}\nstages:\n"
                           "  generate: {actor: synthetic_source, size: 65536, count: "
                         + std::to_string(options.quick ? 300 : 2000)
                         + "}\n  work: {actor: transform, inputs: [generate.out], delay_us: 220}\n"
                           "  check: {actor: sink, inputs: [work.out]}\n");
    std::vector<double> peaks, ratios;
    for (int r = 0; r < std::min(options.repeats, 3); ++r) {
      auto measured = env.run(plan);
      peaks.push_back(static_cast<double>(measured.peak_bytes));
      ratios.push_back(measured.busy_per_item_us["work"] / measured.busy_per_item_us["generate"]);
    }
    double peak = median(peaks);
    double bound = static_cast<double>((2 * window + 4) * item);
    std::printf("%8llu %15.1fx %14.0f %22.0f %8s\n", static_cast<unsigned long long>(window),
                median(ratios), peak / 1024, bound / 1024, peak <= bound ? "yes" : "NO");
  }
}

} // namespace

int run_runtime_bench(const runtime_bench_options& options) {
  set_log_level(log_level::warn);
  bench_env env;
  hop_overhead(env, options);
  replica_scaling(env, options);
  bounded_memory(env, options);
  return 0;
}

} // namespace ds::bench
