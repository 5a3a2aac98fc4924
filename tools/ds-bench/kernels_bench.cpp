#include "kernels_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "bench_stats.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/gemm.hpp"
#include "kernel_cases.hpp"

namespace ds::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using kernels::backend;

// A timed sample lasts at least this long, so clock resolution and a single preemption on the
// shared cores drown in it; a reference kernel slower than this takes one call per sample.
constexpr double min_sample_seconds = 0.05;

/// Seconds per call, averaged over `calls` back-to-back calls.
double seconds_per_call(const kernel_case& c, backend on, int calls) {
  const auto started = clock_type::now();
  for (int i = 0; i < calls; ++i)
    c.run(on);
  return std::chrono::duration<double>(clock_type::now() - started).count() / calls;
}

/// The host backends that implement the case's op and that this host can run, reference
/// first (the cases pass host pointers; CUDA kernels take device pointers).
std::vector<backend> usable_backends(const kernel_case& c) {
  std::vector<backend> usable;
  for (backend b : kernels::all_backends())
    if (kernels::memory_of(b) == kernels::memory::host
        && kernels::supports(c.op, kernels::dtype::f32, b) && kernels::available(b))
      usable.push_back(b);
  return usable;
}

void measure_and_print(const kernel_case& c, const std::vector<backend>& columns, int repeats) {
  const auto backends = usable_backends(c);
  const auto dispatched = static_cast<std::size_t>(
    std::find(backends.begin(), backends.end(), kernels::dispatch(c.op)) - backends.begin());
  // The first call warms caches and tells how many calls fill one sample.
  std::vector<int> calls;
  for (backend b : backends)
    calls.push_back(static_cast<int>(
      std::clamp(std::ceil(min_sample_seconds / seconds_per_call(c, b, 1)), 1.0, 1e6)));
  // Backends alternate within each round, so a slow phase of the machine hits all of them.
  std::vector<std::vector<double>> samples(backends.size());
  std::vector<double> speedups;
  for (int r = 0; r < repeats; ++r) {
    for (std::size_t i = 0; i < backends.size(); ++i)
      samples[i].push_back(seconds_per_call(c, backends[i], calls[i]));
    speedups.push_back(samples.front().back() / samples[dispatched].back());
  }
  std::printf("%-25s %-34s", c.name.c_str(), c.shape.c_str());
  for (backend column : columns) {
    const auto at = std::find(backends.begin(), backends.end(), column);
    if (at == backends.end())
      std::printf(" %11s", "-");
    else
      std::printf(" %11.1f", median(samples[static_cast<std::size_t>(at - backends.begin())]) * 1e6);
  }
  std::printf(" %-9s %8.1fx", kernels::to_string(backends[dispatched]).data(), median(speedups));
  if (c.flops > 0)
    std::printf(" %8.1f", c.flops / median(samples[dispatched]) / 1e9);
  std::printf("\n");
}

} // namespace

int run_kernels_bench(const kernels_bench_options& options) {
  const auto started = clock_type::now();
  // Every other backend is single-threaded; one BLAS thread keeps the comparison per core.
  kernels::set_blas_threads(1);
  std::vector<backend> columns;
  for (backend b : kernels::all_backends())
    if (kernels::memory_of(b) == kernels::memory::host && kernels::available(b))
      columns.push_back(b);
  const auto cases = training_kernel_cases();
  std::printf("\n## CPU kernels per backend (%s; OpenBLAS on 1 thread)\n",
              kernels::describe(kernels::host_cpu_features()).c_str());
  std::printf("# median us per call over %d rounds; speedup = reference / dispatched; "
              "GFLOP/s of the dispatched backend\n",
              options.repeats);
  std::printf("%-25s %-34s", "kernel", "shape");
  for (backend column : columns)
    std::printf(" %11s", (std::string{kernels::to_string(column)} + " us").c_str());
  std::printf(" %-9s %9s %8s\n", "dispatch", "speedup", "GFLOP/s");
  for (const auto& c : cases)
    measure_and_print(c, columns, options.repeats);
  std::printf("total %.1f s\n",
              std::chrono::duration<double>(clock_type::now() - started).count());
  return 0;
}

} // namespace ds::bench
