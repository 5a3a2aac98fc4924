// Ring allreduce and broadcast between real processes over libfabric: 2 and 4 forked ranks,
// 1, 1023, 1 M and 16 M (64 MiB) float32 elements with both overloads, exact against a
// reference (small integers, so every float sum is exact); then an allreduce that the last
// rank never joins must be released by fail_peer, naming it.
//
// usage: collectives_multiproc_test PROVIDER [DOMAIN]
// Exit codes: 0 passed, 1 failed, 77 skipped (the provider is not available here).
// The parent only passes the address table around (a socketpair per rank, standing in for
// the rendezvous) and turns the children's exit codes into Meson's.

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dsflow/memory.hpp"
#include "net/collectives.hpp"
#include "net/libfabric_transport.hpp"
#include "support/socket_channel.hpp"

namespace {

constexpr int skipped = 77;

float value(int rank, std::size_t index) {
  return static_cast<float>(static_cast<int>((index * 7 + static_cast<std::size_t>(rank) * 13) % 101) - 50);
}

void send_blob(ds::test::socket_channel& channel, const std::vector<std::byte>& blob) {
  auto size = static_cast<std::uint64_t>(blob.size());
  channel.write_bytes(&size, sizeof size);
  channel.write_bytes(blob.data(), blob.size());
}

std::vector<std::byte> read_blob(ds::test::socket_channel& channel) {
  std::uint64_t size = 0;
  channel.read_bytes(&size, sizeof size);
  if (size > (1u << 20))
    throw std::runtime_error("an address of " + std::to_string(size) + " bytes");
  std::vector<std::byte> blob(size);
  channel.read_bytes(blob.data(), blob.size());
  return blob;
}

int run_rank(int rank, int world, ds::net::libfabric_options options, int fd) {
  const std::string who = "[r" + std::to_string(rank) + "/" + std::to_string(world) + " "
                          + options.provider + "]";
  try {
    ds::test::socket_channel parent{fd, 60000};
    auto net = std::make_unique<ds::net::libfabric_transport>(options);
    send_blob(parent, net->local_address());
    std::vector<std::vector<std::byte>> table;
    for (int r = 0; r < world; ++r)
      table.push_back(read_blob(parent));
    net->add_peers(table);
    ds::memory_pool pool{ds::make_host_allocator()};
    std::uint64_t op = 1;
    for (std::size_t count : {std::size_t{1}, std::size_t{1023}, std::size_t{1} << 20,
                              std::size_t{16} << 20}) {
      std::vector<float> data(count);
      for (std::size_t i = 0; i < count; ++i)
        data[i] = value(rank, i);
      auto start = std::chrono::steady_clock::now();
      ds::net::allreduce_sum(*net, data, op++, pool);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      for (std::size_t i = 0; i < count; ++i) {
        float expected = 0;
        for (int r = 0; r < world; ++r)
          expected += value(r, i);
        if (data[i] != expected)
          throw std::runtime_error("allreduce of " + std::to_string(count) + " elements: element "
                                   + std::to_string(i) + " is " + std::to_string(data[i])
                                   + ", expected " + std::to_string(expected));
      }
      if (rank == 0)
        std::cout << who << " allreduce " << count << " elements: exact, " << ms << " ms" << std::endl;
    }
    // The in-place overload: final sums are read (RMA) or copied (eager) straight into it.
    for (std::size_t count : {std::size_t{1}, std::size_t{1023}, std::size_t{1} << 20,
                              std::size_t{16} << 20}) {
      ds::buffer block = pool.allocate(count * sizeof(float));
      auto* data = reinterpret_cast<float*>(block.data());
      for (std::size_t i = 0; i < count; ++i)
        data[i] = value(rank, i);
      ds::net::allreduce_sum(*net, block, op++, pool);
      for (std::size_t i = 0; i < count; ++i) {
        float expected = 0;
        for (int r = 0; r < world; ++r)
          expected += value(r, i);
        if (data[i] != expected)
          throw std::runtime_error("in-place allreduce of " + std::to_string(count)
                                   + " elements: element " + std::to_string(i) + " is "
                                   + std::to_string(data[i]) + ", expected " + std::to_string(expected));
      }
    }
    if (rank == 0)
      std::cout << who << " in-place allreduce 1 .. 16 M elements: exact" << std::endl;
    // Broadcast from the last rank, 3 MiB + 1 byte.
    std::vector<std::byte> bytes((std::size_t{3} << 20) + 1, std::byte{0});
    auto pattern = [](std::size_t i) { return static_cast<std::byte>((i * 131 + 7) & 0xff); };
    if (rank == world - 1)
      for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = pattern(i);
    ds::net::broadcast(*net, bytes, world - 1, op++, pool);
    for (std::size_t i = 0; i < bytes.size(); ++i)
      if (bytes[i] != pattern(i))
        throw std::runtime_error("broadcast: byte " + std::to_string(i) + " differs");
    if (rank == 0)
      std::cout << who << " broadcast 3 MiB + 1 from rank " << world - 1 << ": exact" << std::endl;
    // The last rank never joins this allreduce; 200 ms in, the others declare it lost (as
    // ds-run does when the session reports it), and each must throw naming it within 2 s,
    // though the collective's timeout is 60 s.
    const int lost = world - 1;
    if (rank != lost) {
      std::vector<float> data(std::size_t{4} << 20, 1.0f);
      std::thread declare{[&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        net->fail_peer(lost, "rank " + std::to_string(lost) + " died (test)");
      }};
      auto start = std::chrono::steady_clock::now();
      std::string error;
      try {
        ds::net::allreduce_sum(*net, data, op, pool);
      } catch (const ds::net::net_error& e) {
        error = e.what();
      }
      declare.join();
      auto took = std::chrono::steady_clock::now() - start;
      const std::string expected = "rank " + std::to_string(lost) + " was declared lost: rank "
                                   + std::to_string(lost) + " died (test)";
      if (error.find(expected) == std::string::npos)
        throw std::runtime_error("allreduce with a lost rank: expected an error with '" + expected
                                 + "', got '" + error + "'");
      if (took > std::chrono::milliseconds(2200))
        throw std::runtime_error("allreduce with a lost rank: released only after "
                                 + std::to_string(std::chrono::duration<double>(took).count()) + " s");
      if (rank == 0)
        std::cout << who << " allreduce released by fail_peer(" << lost << "): " << error << std::endl;
    }
    parent.barrier(1);  // nobody closes its endpoint while another still needs it
    net.reset();  // its receives left pending by the lost-rank case use `pool`: close first
    return 0;
  } catch (const std::exception& e) {
    std::cerr << who << " FAILED: " << e.what() << std::endl;
    return 1;
  }
}

/// Forks `world` ranks, passes the address table around, waits for them.
bool run_world(int world, const ds::net::libfabric_options& options) {
  std::vector<pid_t> children;
  std::vector<std::unique_ptr<ds::test::socket_channel>> channels;
  for (int rank = 0; rank < world; ++rank) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      for (auto& channel : channels)
        channel.reset();  // the other ranks' parent ends
      std::_Exit(run_rank(rank, world, options, fds[1]));
    }
    ::close(fds[1]);
    children.push_back(pid);
    channels.push_back(std::make_unique<ds::test::socket_channel>(fds[0], 60000));
  }
  bool ok = true;
  try {
    std::vector<std::vector<std::byte>> table;
    for (auto& channel : channels)
      table.push_back(read_blob(*channel));
    for (auto& channel : channels)
      for (const auto& address : table)
        send_blob(*channel, address);
    std::vector<std::uint32_t> steps(channels.size());
    for (auto& channel : channels) {
      std::uint32_t step = 0;
      channel->read_bytes(&step, sizeof step);
    }
    for (auto& channel : channels) {
      std::uint32_t step = 1;
      channel->write_bytes(&step, sizeof step);
    }
  } catch (const std::exception& e) {
    std::cerr << "world " << world << ": " << e.what() << std::endl;
    ok = false;
    for (pid_t pid : children)
      ::kill(pid, SIGKILL);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ok = false;
  }
  return ok;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROVIDER [DOMAIN]\n", argv[0]);
    return 2;
  }
  ds::net::libfabric_options options;
  options.provider = argv[1];
  if (argc > 2)
    options.domain = argv[2];
  std::string why;
  if (!ds::net::libfabric_available(options, &why)) {
    std::cout << "skipped: " << why << std::endl;
    return skipped;
  }
  bool ok = true;
  for (int world : {2, 4}) {
    auto start = std::chrono::steady_clock::now();
    bool passed = run_world(world, options);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << options.provider << " world " << world << ": " << (passed ? "passed" : "FAILED")
              << " in " << s << " s" << std::endl;
    ok = ok && passed;
  }
  return ok ? 0 : 1;
}
