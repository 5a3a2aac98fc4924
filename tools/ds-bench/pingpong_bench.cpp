#include "pingpong_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <future>
#include <vector>

#include "bench_stats.hpp"
#include "dsflow/memory.hpp"
#include "dsflow_build_config.hpp"
#if DSFLOW_HAVE_LIBFABRIC
#include "forked_ranks.hpp"
#endif

namespace ds::bench {
namespace {

#if DSFLOW_HAVE_LIBFABRIC

using bench_clock = std::chrono::steady_clock;
constexpr std::uint64_t ping_tag = 1;
constexpr std::uint64_t pong_tag = 2;
// Up to 16 KiB a message goes eagerly; 64 KiB and 1 MiB are read by the receiver (RMA).
constexpr std::size_t sizes[] = {1, 64, 1024, 4096, 16384, 65536, 1 << 20};

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

/// Rank 1: every ping is sent back as it is, from the progress thread, and the next receive
/// posted; `total` pings in all, then the rank returns.
int echo(net::libfabric_transport& net, memory_pool& pool, std::size_t total) {
  std::promise<int> finished;
  std::size_t left = total;
  std::function<void(net::completion)> on_ping = [&](net::completion ping) {
    if (!ping.ok()) {
      std::fprintf(stderr, "ds-bench pingpong: rank 1: %s\n", ping.error->what());
      finished.set_value(1);
      return;
    }
    net.send(0, pong_tag, std::move(ping.payload), [](net::completion) {});
    if (--left > 0)
      net.recv(0, ping_tag, pool, on_ping);
    else
      finished.set_value(0);
  };
  net.recv(0, ping_tag, pool, on_ping);
  return finished.get_future().get();
}

/// Rank 0: times each round trip of every size and prints a row per size.
int ping(net::libfabric_transport& net, memory_pool& pool, int round_trips) {
  const int warm_up = std::max(1, round_trips / 10);
  for (std::size_t bytes : sizes) {
    buffer message = pool.allocate(bytes);
    std::memset(message.data(), 0x5a, bytes);
    std::vector<double> times;
    for (int i = 0; i < warm_up + round_trips; ++i) {
      auto start = bench_clock::now();
      auto reply = net.recv(1, pong_tag, pool);  // posted before the ping goes
      net.send(1, ping_tag, message, [](net::completion) {});
      auto pong = net::wait_for(reply, std::chrono::seconds(10), "pingpong reply");
      double t = std::chrono::duration<double>(bench_clock::now() - start).count();
      if (!pong.ok() || pong.payload.size() != bytes) {
        std::fprintf(stderr, "ds-bench pingpong: rank 0: reply %d of %zu bytes: %s\n", i, bytes,
                     pong.ok() ? "wrong size" : pong.error->what());
        return 1;
      }
      if (i >= warm_up)
        times.push_back(t);
    }
    double mid = median(times);
    std::printf("%-12s %9zu B %10.2f us %10.2f us %10.2f us %10.2f us\n", net.provider().c_str(),
                bytes, mid * 1e6, percentile(times, 0.1) * 1e6, percentile(times, 0.9) * 1e6,
                mid / 2 * 1e6);
    std::fflush(stdout);
  }
  return 0;
}

#endif

} // namespace

int run_pingpong_bench(const pingpong_bench_options& options) {
#if DSFLOW_HAVE_LIBFABRIC
  const int round_trips = std::max(1, options.round_trips);
  const std::size_t per_rank = std::size(sizes) * static_cast<std::size_t>(round_trips + std::max(1, round_trips / 10));
  std::printf("transport round trip between 2 forked ranks, %d timed round trips per size, "
              "medians;\nthe last column is half the median round trip (fi_pingpong's usec/xfer)\n\n",
              round_trips);
  std::printf("%-12s %11s %13s %13s %13s %13s\n", "provider", "size", "round trip", "p10", "p90",
              "one-way");
  bool ok = true;
  for (const char* provider : {"shm", "tcp;ofi_rxm"}) {
    if (!options.provider.empty() && options.provider != provider)
      continue;
    net::libfabric_options fabric;
    fabric.provider = provider;
    if (fabric.provider.starts_with("tcp"))
      fabric.domain = "lo";
    std::string why;
    if (!net::libfabric_available(fabric, &why)) {
      std::printf("%-12s skipped: %s\n", provider, why.c_str());
      continue;
    }
    ok = run_forked_ranks(2, fabric, "pingpong",
                          [&](int rank, int, net::libfabric_transport& net) {
                            memory_pool pool{make_host_allocator()};
                            return rank == 0 ? ping(net, pool, round_trips)
                                             : echo(net, pool, per_rank);
                          })
         && ok;
  }
  return ok ? 0 : 1;
#else
  (void)options;
  std::printf("this build has no libfabric: nothing to measure\n");
  return 0;
#endif
}

} // namespace ds::bench
