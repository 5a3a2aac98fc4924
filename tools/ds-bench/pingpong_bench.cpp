#include "pingpong_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>
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

/// Waits for the reply: blocked on the future, or polling it (yielding the core) as
/// fi_pingpong polls its completion queue; waking a blocked thread is part of what the first
/// costs. Throws after 10 s.
net::completion wait_reply(std::future<net::completion>& reply, bool poll) {
  if (poll) {
    auto give_up = bench_clock::now() + std::chrono::seconds(10);
    while (reply.wait_for(std::chrono::seconds(0)) != std::future_status::ready
           && bench_clock::now() < give_up)
      std::this_thread::yield();
  }
  return net::wait_for(reply, std::chrono::seconds(10), "pingpong reply");
}

/// The round trips of one size, seconds each, or an empty vector after a failed reply.
std::vector<double> time_round_trips(net::libfabric_transport& net, memory_pool& pool,
                                     std::size_t bytes, int round_trips, bool poll) {
  const int warm_up = std::max(1, round_trips / 10);
  buffer message = pool.allocate(bytes);
  std::memset(message.data(), 0x5a, bytes);
  std::vector<double> times;
  for (int i = 0; i < warm_up + round_trips; ++i) {
    auto start = bench_clock::now();
    auto reply = net.recv(1, pong_tag, pool);  // posted before the ping goes
    net.send(1, ping_tag, message, [](net::completion) {});
    auto pong = wait_reply(reply, poll);
    double t = std::chrono::duration<double>(bench_clock::now() - start).count();
    if (!pong.ok() || pong.payload.size() != bytes) {
      std::fprintf(stderr, "ds-bench pingpong: rank 0: reply %d of %zu bytes: %s\n", i, bytes,
                   pong.ok() ? "wrong size" : pong.error->what());
      return {};
    }
    if (i >= warm_up)
      times.push_back(t);
  }
  return times;
}

/// Rank 0: times the round trips of every size, blocking then polling, and prints a row per size.
int ping(net::libfabric_transport& net, memory_pool& pool, int round_trips) {
  for (std::size_t bytes : sizes) {
    auto blocking = time_round_trips(net, pool, bytes, round_trips, false);
    auto polling = time_round_trips(net, pool, bytes, round_trips, true);
    if (blocking.empty() || polling.empty())
      return 1;
    double mid = median(polling);
    std::printf("%-12s %9zu B %10.2f us %10.2f us %10.2f us %10.2f us %10.2f us\n",
                net.provider().c_str(), bytes, median(blocking) * 1e6, mid * 1e6,
                percentile(polling, 0.1) * 1e6, percentile(polling, 0.9) * 1e6, mid / 2 * 1e6);
    std::fflush(stdout);
  }
  return 0;
}

#endif

} // namespace

int run_pingpong_bench(const pingpong_bench_options& options) {
#if DSFLOW_HAVE_LIBFABRIC
  const int round_trips = std::max(1, options.round_trips);
  // Rank 1 echoes every ping of both passes (blocking, polling) and their warm-ups.
  const std::size_t per_rank = 2 * std::size(sizes) * static_cast<std::size_t>(round_trips + std::max(1, round_trips / 10));
  std::printf("transport round trip between 2 forked ranks, %d timed round trips per size and wait, "
              "medians;\nthe caller blocks on the reply, or polls for it (p10, p90 and one-way: "
              "polling; one-way is\nhalf the median round trip, what fi_pingpong calls usec/xfer)\n\n",
              round_trips);
  std::printf("%-12s %11s %13s %13s %13s %13s %13s\n", "provider", "size", "blocking", "polling",
              "p10", "p90", "one-way");
  bool ok = true;
  for (const auto& fabric : bench_providers(options.provider)) {
    const char* provider = fabric.provider.c_str();
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
