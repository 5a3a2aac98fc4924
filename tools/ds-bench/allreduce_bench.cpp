#include "allreduce_bench.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_stats.hpp"
#include "dsflow_build_config.hpp"
#include "dsflow/memory.hpp"
#include "net/collectives.hpp"
#if DSFLOW_HAVE_LIBFABRIC
#include "forked_ranks.hpp"
#endif

namespace ds::bench {
namespace {

using bench_clock = std::chrono::steady_clock;

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

/// Bytes copied per second by memcpy of 64 MiB (median of 7), the ceiling of any
/// shared-memory transfer on this machine.
double memcpy_bandwidth() {
  const std::size_t size = std::size_t{64} << 20;
  std::vector<char> from(size, 1), to(size, 0);
  std::vector<double> times;
  for (int i = 0; i < 8; ++i) {
    auto start = bench_clock::now();
    std::memcpy(to.data(), from.data(), size);
    double t = seconds_since(start);
    if (i > 0)
      times.push_back(t);
    from[static_cast<std::size_t>(i)] = to[static_cast<std::size_t>(i) + 1];  // keep the copies
  }
  return static_cast<double>(size) / median(times);
}

#if DSFLOW_HAVE_LIBFABRIC

std::vector<std::size_t> sizes_of(const allreduce_bench_options& options) {
  std::vector<std::size_t> sizes;
  for (std::size_t bytes = 4096; bytes <= (options.quick ? std::size_t{4} << 20 : std::size_t{64} << 20);
       bytes *= 4)
    sizes.push_back(bytes);
  return sizes;
}

/// Times every size on one rank; rank 0 prints the rows.
int time_sizes(int rank, int world, net::libfabric_transport& net,
               const allreduce_bench_options& options, double copy_rate) {
  memory_pool pool{make_host_allocator()};
  net::collective_options collective;
  if (options.segment_bytes > 0)
    collective.segment_bytes = options.segment_bytes;
  if (options.spin_us >= 0)
    collective.spin = std::chrono::microseconds(options.spin_us);
  std::uint64_t op = 1;
  for (std::size_t bytes : sizes_of(options)) {
    std::vector<float> data(bytes / sizeof(float), 1.0f);
    buffer in_place = pool.allocate(bytes);
    std::memcpy(in_place.data(), data.data(), bytes);
    const int repeats = bytes < (std::size_t{1} << 20) ? 4 * options.repeats : options.repeats;
    std::vector<double> times;
    for (int i = 0; i <= repeats; ++i) {
      auto start = bench_clock::now();
      // Successive calls may share an id.
      if (options.copy_in_out)
        net::allreduce_sum(net, std::span<float>{data}, op, pool, collective);
      else
        net::allreduce_sum(net, in_place, op, pool, collective);
      if (i > 0)
        times.push_back(seconds_since(start));
    }
    if (rank == 0) {
      double t = median(times);
      double algbw = static_cast<double>(bytes) / t / 1e9;
      double busbw = algbw * 2.0 * (world - 1) / world;
      std::printf("%-12s %5d %10.1f KiB %10.1f us %9.2f %9.2f %8.0f%%\n", net.provider().c_str(),
                  world, static_cast<double>(bytes) / 1024, t * 1e6, algbw, busbw,
                  100.0 * busbw * 1e9 / copy_rate);
      std::fflush(stdout);
    }
  }
  return 0;
}

#endif

} // namespace

int run_allreduce_bench(const allreduce_bench_options& options) {
  const double copy_rate = memcpy_bandwidth();
  std::printf("memcpy (64 MiB, one thread): %.2f GB/s\n", copy_rate / 1e9);
#if DSFLOW_HAVE_LIBFABRIC
  std::printf("ring allreduce_sum of float32 %s, %d timed runs per size (4x below 1 MiB), medians;\n"
              "algbw = bytes / time, busbw = algbw * 2(n-1)/n (GB/s); last column busbw / memcpy\n\n",
              options.copy_in_out ? "(std::span: copied in and out of a pool buffer)"
                                  : "(in place on a pool buffer)",
              options.repeats);
  std::printf("%-12s %5s %14s %13s %9s %9s %9s\n", "provider", "ranks", "size", "time", "algbw",
              "busbw", "/memcpy");
  bool ok = true;
  for (const auto& fabric : bench_providers(options.provider)) {
    const char* provider = fabric.provider.c_str();
    for (int world : {2, 4}) {
      if (options.quick && world > 2)
        continue;
      if (options.ranks != 0 && world != options.ranks)
        continue;
      ok = run_forked_ranks(world, fabric, "allreduce",
                            [&](int rank, int ranks, net::libfabric_transport& net) {
                              return time_sizes(rank, ranks, net, options, copy_rate);
                            })
           && ok;
    }
  }
  return ok ? 0 : 1;
#else
  std::printf("this build has no libfabric: nothing to measure\n");
  return 0;
#endif
}

} // namespace ds::bench
