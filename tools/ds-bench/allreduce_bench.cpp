#include "allreduce_bench.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_stats.hpp"
#include "dsflow_build_config.hpp"
#include "dsflow/memory.hpp"
#include "net/collectives.hpp"
#if DSFLOW_HAVE_LIBFABRIC
#include "net/libfabric_transport.hpp"
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

void write_all(int fd, const void* data, std::size_t size) {
  auto* at = static_cast<const char*>(data);
  while (size > 0) {
    auto n = ::write(fd, at, size);
    if (n <= 0)
      throw std::runtime_error("allreduce bench: a rank's pipe closed (write)");
    at += n;
    size -= static_cast<std::size_t>(n);
  }
}

void read_all(int fd, void* data, std::size_t size) {
  auto* at = static_cast<char*>(data);
  while (size > 0) {
    auto n = ::read(fd, at, size);
    if (n <= 0)
      throw std::runtime_error("allreduce bench: a rank's pipe closed (read)");
    at += n;
    size -= static_cast<std::size_t>(n);
  }
}

void write_blob(int fd, const std::vector<std::byte>& blob) {
  std::uint64_t size = blob.size();
  write_all(fd, &size, sizeof size);
  write_all(fd, blob.data(), blob.size());
}

std::vector<std::byte> read_blob(int fd) {
  std::uint64_t size = 0;
  read_all(fd, &size, sizeof size);
  std::vector<std::byte> blob(size);
  read_all(fd, blob.data(), size);
  return blob;
}

std::vector<std::size_t> sizes_of(const allreduce_bench_options& options) {
  std::vector<std::size_t> sizes;
  for (std::size_t bytes = 4096; bytes <= (options.quick ? std::size_t{4} << 20 : std::size_t{64} << 20);
       bytes *= 4)
    sizes.push_back(bytes);
  return sizes;
}

/// One rank: joins through the parent's pipe, times every size; rank 0 prints the rows.
int run_rank(int rank, int world, const net::libfabric_options& fabric, int fd,
             const allreduce_bench_options& options, double copy_rate) {
  try {
    net::libfabric_transport net{fabric};
    write_blob(fd, net.local_address());
    std::vector<std::vector<std::byte>> table;
    for (int r = 0; r < world; ++r)
      table.push_back(read_blob(fd));
    net.add_peers(table);
    memory_pool pool{make_host_allocator()};
    std::uint64_t op = 1;
    for (std::size_t bytes : sizes_of(options)) {
      std::vector<float> data(bytes / sizeof(float), 1.0f);
      const int repeats = bytes < (std::size_t{1} << 20) ? 4 * options.repeats : options.repeats;
      std::vector<double> times;
      for (int i = 0; i <= repeats; ++i) {
        auto start = bench_clock::now();
        net::allreduce_sum(net, data, op, pool);  // successive calls may share an id
        if (i > 0)
          times.push_back(seconds_since(start));
      }
      if (rank == 0) {
        double t = median(times);
        double algbw = static_cast<double>(bytes) / t / 1e9;
        double busbw = algbw * 2.0 * (world - 1) / world;
        std::printf("%-12s %5d %10.1f KiB %10.1f us %9.2f %9.2f %8.0f%%\n", fabric.provider.c_str(),
                    world, static_cast<double>(bytes) / 1024, t * 1e6, algbw, busbw,
                    100.0 * busbw * 1e9 / copy_rate);
        std::fflush(stdout);
      }
    }
    char done = 1;
    write_all(fd, &done, 1);  // wait for every rank before closing the endpoint
    read_all(fd, &done, 1);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-bench allreduce: rank %d of %d (%s): %s\n", rank, world,
                 fabric.provider.c_str(), e.what());
    return 1;
  }
}

bool run_world(int world, const net::libfabric_options& fabric, const allreduce_bench_options& options,
               double copy_rate) {
  std::vector<pid_t> children;
  std::vector<int> pipes;
  std::fflush(stdout);
  for (int rank = 0; rank < world; ++rank) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      for (int fd : pipes)
        ::close(fd);
      std::_Exit(run_rank(rank, world, fabric, fds[1], options, copy_rate));
    }
    ::close(fds[1]);
    children.push_back(pid);
    pipes.push_back(fds[0]);
  }
  bool ok = true;
  try {
    std::vector<std::vector<std::byte>> table;
    for (int fd : pipes)
      table.push_back(read_blob(fd));
    for (int fd : pipes)
      for (const auto& address : table)
        write_blob(fd, address);
    char done = 0;
    for (int fd : pipes)
      read_all(fd, &done, 1);
    for (int fd : pipes)
      write_all(fd, &done, 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-bench allreduce: world %d: %s\n", world, e.what());
    ok = false;
  }
  for (int fd : pipes)
    ::close(fd);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

#endif

} // namespace

int run_allreduce_bench(const allreduce_bench_options& options) {
  const double copy_rate = memcpy_bandwidth();
  std::printf("memcpy (64 MiB, one thread): %.2f GB/s\n", copy_rate / 1e9);
#if DSFLOW_HAVE_LIBFABRIC
  std::printf("ring allreduce_sum of float32, %d timed runs per size (4x below 1 MiB), medians;\n"
              "algbw = bytes / time, busbw = algbw * 2(n-1)/n (GB/s); last column busbw / memcpy\n\n",
              options.repeats);
  std::printf("%-12s %5s %14s %13s %9s %9s %9s\n", "provider", "ranks", "size", "time", "algbw",
              "busbw", "/memcpy");
  bool ok = true;
  for (const char* provider : {"shm", "tcp;ofi_rxm"}) {
    net::libfabric_options fabric;
    fabric.provider = provider;
    if (fabric.provider.starts_with("tcp"))
      fabric.domain = "lo";
    std::string why;
    if (!net::libfabric_available(fabric, &why)) {
      std::printf("%-12s skipped: %s\n", provider, why.c_str());
      continue;
    }
    for (int world : {2, 4}) {
      if (options.quick && world > 2)
        continue;
      ok = run_world(world, fabric, options, copy_rate) && ok;
    }
  }
  return ok ? 0 : 1;
#else
  std::printf("this build has no libfabric: nothing to measure\n");
  return 0;
#endif
}

} // namespace ds::bench
