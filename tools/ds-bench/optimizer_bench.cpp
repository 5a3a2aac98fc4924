#include "optimizer_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "cpu/optimizer_update.hpp"
#include "nn/kernel_check.hpp"

namespace ds::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using range_body = std::function<void(std::size_t begin, std::size_t end)>;

// Bytes per element as STREAM counts them: triad reads b and c and writes a. The CPU also
// reads a's lines before overwriting them (write-allocate), so the bus really moves 16 B;
// the 12 B convention understates the triad's traffic, which makes ratios against it harder.
constexpr double triad_bytes = 3 * sizeof(float);
// Adam/AdamW read p, g, m, v and write p, m, v. The written lines were just read, so there is
// no write-allocate on top. SGD-momentum reads p, g, v and writes p, v.
constexpr double adam_bytes = 7 * sizeof(float);
constexpr double sgd_bytes = 5 * sizeof(float);

// The triad's arrays must dwarf the last-level cache (32 MiB per CCD on EPYC): 3 x 64 MiB.
constexpr std::size_t min_triad_elements = std::size_t{1} << 24;

/// Runs body over `threads` disjoint contiguous ranges of [0, size), one std::thread each (the
/// calling thread takes the first), as the optimizer stage partitions a parameter set. Ranges
/// start at cache-line multiples so no two threads write one line. Returns the wall time
/// including thread start and join, which the stage pays too.
double run_partitioned(std::size_t size, unsigned threads, const range_body& body) {
  constexpr std::size_t line = 64 / sizeof(float);
  const std::size_t chunk = ((size + threads - 1) / threads + line - 1) / line * line;
  const auto started = clock_type::now();
  std::vector<std::thread> workers;
  for (std::size_t begin = chunk; begin < size; begin += chunk)
    workers.emplace_back(body, begin, std::min(size, begin + chunk));
  body(0, std::min(size, chunk));
  for (auto& worker : workers)
    worker.join();
  return std::chrono::duration<double>(clock_type::now() - started).count();
}

struct triad_arrays {
  std::vector<float> a, b, c;

  explicit triad_arrays(std::size_t size) : a(size, 0.0f), b(size, 1.0f), c(size, 2.0f) {}

  /// a[i] = b[i] + s c[i] over all elements; GB/s at 12 B per element.
  double gigabytes_per_second(unsigned threads) {
    const float s = 3.0f;
    const double seconds = run_partitioned(a.size(), threads, [&](std::size_t begin,
                                                                  std::size_t end) {
      float* out = a.data();
      const float* x = b.data();
      const float* y = c.data();
      for (std::size_t i = begin; i < end; ++i)
        out[i] = x[i] + s * y[i];
    });
    return triad_bytes * static_cast<double>(a.size()) / seconds / 1e9;
  }
};

/// Flat buffers laid out as nn::optimizer keeps them; `second_moment` is unused by SGD.
struct parameter_set {
  std::vector<float> param, gradient, first_moment, second_moment;

  explicit parameter_set(std::size_t size)
    : param(size), gradient(size), first_moment(size, 0.0f), second_moment(size, 1e-4f) {
    std::mt19937 rng{42};
    std::uniform_real_distribution<float> unit{-1.0f, 1.0f};
    for (std::size_t i = 0; i < size; ++i) {
      param[i] = unit(rng);
      gradient[i] = 1e-2f * unit(rng);
    }
  }
};

struct update_row {
  const char* name;
  kernels::op op;
  bool decoupled;
  kernels::backend on;
  double bytes_per_param;
};

/// One step of `row` on elements [begin, end) of `set`.
void update_range(const update_row& row, parameter_set& set, std::size_t begin,
                  std::size_t end, long step) {
  float* p = set.param.data() + begin;
  float* m = set.first_moment.data() + begin;
  const float* g = set.gradient.data() + begin;
  if (row.op == kernels::op::sgd_update) {
    kernels::sgd_update(nn::checked(kernels::setup_sgd({end - begin, 1e-3f, 0.9f, 0.01f})), p, m,
                        g, row.on);
    return;
  }
  kernels::adam_update(nn::checked(kernels::setup_adam({end - begin, 1e-3f, 0.9f, 0.999f, 1e-8f,
                                                        0.01f, row.decoupled, step})),
                       p, m, set.second_moment.data() + begin, g, row.on);
}

/// Adam on 2^14 parameters per thread, whose four arrays (256 KiB) stay in each core's L2:
/// memory is out of the picture, so this is the kernel's compute ceiling.
double in_cache_params_per_second(const update_row& adam, unsigned threads, int repeats) {
  constexpr std::size_t per_thread = std::size_t{1} << 14;
  constexpr int passes = 500;
  parameter_set set{per_thread * threads};
  std::vector<double> rates;
  for (int r = 0; r <= repeats; ++r) {
    const double seconds = run_partitioned(per_thread * threads, threads,
                                           [&](std::size_t begin, std::size_t end) {
      for (int pass = 1; pass <= passes; ++pass)
        update_range(adam, set, begin, end, pass);
    });
    if (r > 0) // the first run warms caches and is not counted
      rates.push_back(static_cast<double>(per_thread * threads) * passes / seconds);
  }
  return median(rates);
}

void compare_at(unsigned threads, std::size_t params, const optimizer_bench_options& options,
                parameter_set& set, triad_arrays& triad) {
  using kernels::backend;
  using kernels::op;
  const std::vector<update_row> rows{
    {"adam", op::adam_update, false, kernels::dispatch(op::adam_update), adam_bytes},
    {"adam", op::adam_update, false, backend::reference, adam_bytes},
    {"adamw", op::adam_update, true, kernels::dispatch(op::adam_update), adam_bytes},
    {"sgd-momentum", op::sgd_update, false, kernels::dispatch(op::sgd_update), sgd_bytes},
  };
  std::printf("\n## Optimizer step vs STREAM triad, %u thread%s (%zu params; triad 3 x %zu MiB)\n",
              threads, threads == 1 ? "" : "s", params, triad.a.size() * sizeof(float) >> 20);
  std::printf("%-13s %-10s %10s %6s %8s %11s %15s\n", "update", "backend", "Mparam/s", "B/p",
              "GB/s", "triad GB/s", "achieved/triad");
  std::vector<std::vector<double>> rates(rows.size()), triads(rows.size()), ratios(rows.size());
  // Each update runs right after its own triad, so slow phases of a shared machine hit both
  // members of a pair; the first round only warms up (page faults, caches).
  for (int r = 0; r <= options.repeats; ++r)
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double triad_rate = triad.gigabytes_per_second(threads);
      const double seconds = run_partitioned(params, threads, [&](std::size_t begin,
                                                                  std::size_t end) {
        update_range(rows[i], set, begin, end, r + 1);
      });
      if (r == 0)
        continue;
      const double achieved = rows[i].bytes_per_param * static_cast<double>(params) / seconds / 1e9;
      rates[i].push_back(static_cast<double>(params) / seconds);
      triads[i].push_back(triad_rate);
      ratios[i].push_back(achieved / triad_rate);
    }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double rate = median(rates[i]);
    std::printf("%-13s %-10s %10.0f %6.0f %8.1f %11.1f %15.2f\n", rows[i].name,
                kernels::to_string(kernels::resolve(rows[i].op, rows[i].on)).data(), rate / 1e6,
                rows[i].bytes_per_param, rate * rows[i].bytes_per_param / 1e9,
                median(triads[i]), median(ratios[i]));
  }
  const double ceiling = in_cache_params_per_second(rows[0], threads, options.repeats);
  std::printf("compute ceiling: adam %s in L2 (2^14 params/thread) %.0f Mparam/s = %.1f GB/s "
              "at %.0f B/param\n",
              kernels::to_string(kernels::resolve(op::adam_update, rows[0].on)).data(),
              ceiling / 1e6, ceiling * adam_bytes / 1e9, adam_bytes);
}

} // namespace

int run_optimizer_bench(const optimizer_bench_options& options) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = options.threads > 0 ? options.threads : cores;
  std::printf("# Bytes: triad 12 B/element (STREAM convention: read b, c, write a; the CPU also\n"
              "# reads a before writing it, so the bus moves 16 B and achieved/triad would be 0.75x\n"
              "# the figure shown with that counted), Adam/AdamW 28 B/param (read p, g, m, v; write\n"
              "# p, m, v; no write-allocate: the lines were just read), SGD-momentum 20 B/param.\n"
              "# Medians of %d paired runs; %u cores.\n",
              options.repeats, cores);
  parameter_set set{options.params};
  triad_arrays triad{std::max(options.params, min_triad_elements)};
  compare_at(1, options.params, options, set, triad);
  if (threads > 1)
    compare_at(threads, options.params, options, set, triad);
  return 0;
}

} // namespace ds::bench
