// Two real processes exchange buffers over libfabric (no stand-ins): eager and
// RMA sizes with content checks, per-tag order for 10 000 small messages, the
// zero-copy send path and the registration cache.
//
// usage: transport_multiproc_test PROVIDER [DOMAIN]
// Exit codes: 0 passed, 1 failed, 77 skipped (the provider is not available here).
// Not Boost.Test: the checks run in forked children, and the parent turns their
// exit codes into Meson's.

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "dsflow/memory.hpp"
#include "net/fault_injecting_transport.hpp"
#include "net/libfabric_transport.hpp"
#include "support/socket_channel.hpp"

using namespace std::chrono_literals;
using ds::net::completion;

namespace {

constexpr int skipped = 77;
constexpr auto wait_limit = 20s;

std::string tag_of_run;  // "[r0 shm]"

#define CHECK(condition, text)                                                                   \
  do {                                                                                           \
    if (!(condition))                                                                            \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " \
                               + #condition + ": " + (text));                                   \
  } while (false)

void note(const std::string& text) {
  std::cout << tag_of_run << " " << text << std::endl;
}

std::uint8_t pattern(std::size_t index, std::uint8_t seed) {
  return static_cast<std::uint8_t>(index * 131 + seed + (index >> 12));
}

ds::buffer filled(ds::memory_pool& pool, std::size_t size, std::uint8_t seed) {
  auto bytes = pool.allocate(size);
  auto* data = reinterpret_cast<std::uint8_t*>(bytes.data());
  for (std::size_t index = 0; index < size; ++index)
    data[index] = pattern(index, seed);
  return bytes;
}

/// Index of the first wrong byte, or -1.
long first_wrong(const ds::buffer& bytes, std::uint8_t seed) {
  auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  for (std::size_t index = 0; index < bytes.size(); ++index)
    if (data[index] != pattern(index, seed))
      return static_cast<long>(index);
  return -1;
}

completion wait(std::future<completion>& result, const std::string& what) {
  auto done = ds::net::wait_for(result, wait_limit, tag_of_run + " " + what);
  CHECK(done.ok(), what + ": " + done.error->what());
  return done;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

struct rank_context {
  int rank;
  int peer;
  ds::net::fault_injecting_transport& net;  ///< passes through until a test arms a fault
  ds::test::socket_channel& channel;
  ds::memory_pool& pool;
  std::uint32_t step = 0;
  void barrier() { channel.barrier(++step); }
};

/// Rank 0 sends one payload of each size to rank 1, which checks every byte.
void sizes_from_zero_to_one(rank_context& context) {
  const std::size_t sizes[] = {1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 1 << 20, 64 << 20};
  auto before = context.net.stats();
  std::uint64_t tag = 100;
  for (auto size : sizes) {
    auto seed = static_cast<std::uint8_t>(size);
    auto label = std::to_string(size) + " B";
    auto start = std::chrono::steady_clock::now();
    if (context.rank == 0) {
      auto sent = context.net.send(1, tag, filled(context.pool, size, seed));
      wait(sent, "send " + label);
    } else {
      auto received = context.net.recv(0, tag, context.pool);
      auto done = wait(received, "recv " + label);
      CHECK(done.payload.size() == size, label + ": got " + std::to_string(done.payload.size()));
      auto wrong = first_wrong(done.payload, seed);
      CHECK(wrong < 0, label + ": byte " + std::to_string(wrong) + " differs");
      CHECK(done.peer == 0 && done.tag == tag, label + ": wrong peer or tag");
    }
    note(label + (size > 16 * 1024 ? " (rma)" : " (eager)") + " ok in "
         + std::to_string(ms_since(start)) + " ms");
    ++tag;
  }
  if (context.rank == 0) {
    auto after = context.net.stats();
    CHECK(after.eager_sends - before.eager_sends == 3, "3 sizes up to 16 KiB go eagerly");
    CHECK(after.rma_sends - before.rma_sends == 3, "3 sizes above 16 KiB go by RMA");
  }
  context.barrier();
}

/// The sender's buffer is held exactly until the receiver's ack.
void a_large_send_holds_its_buffer_until_the_ack(rank_context& context) {
  constexpr std::size_t size = 8 << 20;
  if (context.rank == 0) {
    auto payload = filled(context.pool, size, 9);
    auto sent = context.net.send(1, 200, payload);
    std::this_thread::sleep_for(100ms);  // the receiver has not posted its recv yet
    CHECK(sent.wait_for(0s) == std::future_status::timeout, "finished before the receiver read");
    CHECK(payload.use_count() == 2, "the transport holds the buffer while the peer may read it");
    context.barrier();  // now the receiver posts
    wait(sent, "held send");
    CHECK(payload.use_count() == 1, "the transport let the buffer go after the ack");
  } else {
    context.barrier();
    auto received = context.net.recv(0, 200, context.pool);
    auto done = wait(received, "held recv");
    CHECK(first_wrong(done.payload, 9) < 0, "content of the held send");
  }
  note("a large send holds its buffer until the ack: ok");
  context.barrier();
}

/// One registration per pool block, however often and however sliced it is sent.
void each_block_is_registered_once(rank_context& context) {
  constexpr std::size_t size = 1 << 20;
  if (context.rank == 0) {
    ds::memory_pool fresh{ds::make_host_allocator()};  // a block no earlier test registered
    auto before = context.net.stats();
    auto payload = filled(fresh, size, 3);
    for (int round = 0; round < 3; ++round) {
      auto sent = context.net.send(1, 300, payload);
      wait(sent, "repeat send");
    }
    auto sent = context.net.send(1, 300, payload.slice(4096, size / 2));
    wait(sent, "slice send");
    auto after = context.net.stats();
    CHECK(after.registrations - before.registrations == 1,
          std::to_string(after.registrations - before.registrations) + " registrations");
    CHECK(after.registration_hits - before.registration_hits == 3, "3 cache hits");
  } else {
    for (int round = 0; round < 4; ++round) {
      auto received = context.net.recv(0, 300, context.pool);
      auto done = wait(received, "repeat recv");
      CHECK(done.payload.size() == (round < 3 ? size : size / 2), "repeat size");
    }
  }
  note("each block registered once: ok");
  context.barrier();
}

/// 10 000 messages of 64 B on one tag arrive complete and in order.
void many_small_messages_in_order(rank_context& context) {
  constexpr int count = 10000;
  auto start = std::chrono::steady_clock::now();
  if (context.rank == 0) {
    std::promise<void> all_sent;
    std::atomic<int> sent{0};
    std::atomic<int> failed{0};
    for (int index = 0; index < count; ++index) {
      auto bytes = context.pool.allocate(64);
      std::memset(bytes.data(), index & 0xff, 64);
      std::memcpy(bytes.data(), &index, sizeof index);
      context.net.send(1, 400, std::move(bytes), [&](completion done) {
        if (!done.ok())
          ++failed;
        if (++sent == count)
          all_sent.set_value();
      });
    }
    CHECK(all_sent.get_future().wait_for(wait_limit) == std::future_status::ready,
          std::to_string(sent.load()) + " of 10000 sends finished");
    CHECK(failed == 0, std::to_string(failed.load()) + " sends failed");
  } else {
    std::promise<void> all_received;
    std::atomic<int> next{0};
    std::atomic<int> wrong{0};
    for (int index = 0; index < count; ++index)
      context.net.recv(0, 400, context.pool, [&](completion done) {
        int value = -1;
        if (done.ok() && done.payload.size() == 64)
          std::memcpy(&value, done.payload.data(), sizeof value);
        if (value != next.load()
            || std::to_integer<int>(done.payload.data()[63]) != (value & 0xff))
          ++wrong;
        if (++next == count)
          all_received.set_value();
      });
    CHECK(all_received.get_future().wait_for(wait_limit) == std::future_status::ready,
          std::to_string(next.load()) + " of 10000 messages arrived");
    CHECK(wrong == 0, std::to_string(wrong.load()) + " messages out of order or damaged");
  }
  note("10000 x 64 B in order: ok in " + std::to_string(ms_since(start)) + " ms");
  context.barrier();
}

/// Small and large messages mixed on one tag keep their order; both ranks send at once.
void mixed_sizes_both_ways_keep_order(rank_context& context) {
  const std::size_t sizes[] = {100, 300000, 7, 2 << 20, 16 * 1024 + 1, 50};
  std::vector<std::future<completion>> sends;
  for (std::size_t index = 0; index < std::size(sizes); ++index)
    sends.push_back(context.net.send(context.peer, 500,
                                     filled(context.pool, sizes[index],
                                            static_cast<std::uint8_t>(index + context.rank))));
  for (std::size_t index = 0; index < std::size(sizes); ++index) {
    auto received = context.net.recv(context.peer, 500, context.pool);
    auto done = wait(received, "mixed recv " + std::to_string(index));
    CHECK(done.payload.size() == sizes[index], "mixed message " + std::to_string(index)
                                                 + " has " + std::to_string(done.payload.size())
                                                 + " bytes: out of order");
    CHECK(first_wrong(done.payload, static_cast<std::uint8_t>(index + context.peer)) < 0,
          "mixed content");
  }
  for (auto& sent : sends)
    wait(sent, "mixed send");
  note("mixed sizes both ways in order: ok");
  context.barrier();
}

/// Messages that all arrive before any receive is posted (the provider's
/// unexpected queue) still match in send order, eager and descriptor alike.
void early_arrivals_keep_their_order(rank_context& context) {
  const std::size_t sizes[] = {64, 500000, 1, 16 * 1024 + 1, 32, 3 << 20, 16 * 1024};
  if (context.rank == 0) {
    std::vector<std::future<completion>> sends;
    for (std::size_t index = 0; index < std::size(sizes); ++index)
      sends.push_back(context.net.send(1, 600, filled(context.pool, sizes[index],
                                                     static_cast<std::uint8_t>(index))));
    std::this_thread::sleep_for(50ms);  // let them all land at the receiver
    context.barrier();
    for (auto& sent : sends)
      wait(sent, "early send");
  } else {
    context.barrier();
    for (std::size_t index = 0; index < std::size(sizes); ++index) {
      auto received = context.net.recv(0, 600, context.pool);
      auto done = wait(received, "early recv " + std::to_string(index));
      CHECK(done.payload.size() == sizes[index],
            "early message " + std::to_string(index) + " has " + std::to_string(done.payload.size())
              + " bytes: out of order");
      CHECK(first_wrong(done.payload, static_cast<std::uint8_t>(index)) < 0, "early content");
    }
  }
  note("early arrivals keep their order: ok");
  context.barrier();
}

/// Faults injected around the real transport: a failed send is reported and
/// never arrives, a delayed one keeps its place, a killed peer fails a waiting receive.
void injected_faults_over_libfabric(rank_context& context) {
  if (context.rank == 0) {
    auto next = context.net.sends_seen() + 1;
    context.net.fail_send(next);
    context.net.delay_send(next + 1, 100ms);
    auto failed = context.net.send(1, 700, filled(context.pool, 10, 1));
    auto delayed = context.net.send(1, 700, filled(context.pool, 100000, 2));
    auto behind = context.net.send(1, 700, filled(context.pool, 20, 3));
    auto outcome = ds::net::wait_for(failed, wait_limit, "failed send");
    CHECK(!outcome.ok() && outcome.error->code() == ds::net::net_errc::injected,
          "the injected failure is reported");
    wait(delayed, "delayed send");
    wait(behind, "send behind the delayed one");
    context.barrier();
    auto waiting = context.net.recv(1, 701, context.pool);  // rank 1 never sends it
    context.net.kill_peer(1);
    auto dead = ds::net::wait_for(waiting, wait_limit, "recv from a killed peer");
    CHECK(!dead.ok() && dead.error->code() == ds::net::net_errc::peer_failed,
          "a killed peer fails the waiting receive");
  } else {
    auto first = context.net.recv(0, 700, context.pool);
    auto second = context.net.recv(0, 700, context.pool);
    auto got = wait(first, "recv after a failed send");
    CHECK(got.payload.size() == 100000 && first_wrong(got.payload, 2) < 0,
          "the failed send never arrived; the delayed one came first");
    got = wait(second, "recv behind the delayed one");
    CHECK(got.payload.size() == 20 && first_wrong(got.payload, 3) < 0, "order behind a delay");
    context.barrier();
  }
  note("injected faults over libfabric: ok");
  context.barrier();
}

void errors_name_the_peer(rank_context& context) {
  try {
    context.net.send(7, 1, context.pool.allocate(1), [](completion) {});
    CHECK(false, "a send to rank 7 of 2 was accepted");
  } catch (const ds::net::net_error& error) {
    CHECK(std::string(error.what()).find("peer 7 is not a rank") != std::string::npos,
          error.what());
  }
}

int run_rank(int rank, int fd, const std::string& provider, const std::string& domain) {
  tag_of_run = "[r" + std::to_string(rank) + " " + provider + "]";
  ds::test::socket_channel channel{fd};
  ds::net::libfabric_options options;
  options.provider = provider;
  options.domain = domain;
  std::string why;
  if (!ds::net::libfabric_available(options, &why)) {
    note("skipped: " + why);
    return skipped;
  }
  ds::reset_payload_bytes_copied();
  ds::memory_pool pool{ds::make_host_allocator()};
  {
    // Every test goes through the fault injector; it passes through until armed.
    ds::net::fault_injecting_transport net{std::make_unique<ds::net::libfabric_transport>(options)};
    auto theirs = channel.exchange(net.local_address());
    std::vector<std::vector<std::byte>> addresses(2);
    addresses[static_cast<std::size_t>(rank)] = net.local_address();
    addresses[static_cast<std::size_t>(1 - rank)] = theirs;
    net.add_peers(addresses);
    CHECK(net.rank() == rank && net.world_size() == 2, "rank and world size");
    note("using " + net.name());
    rank_context context{rank, 1 - rank, net, channel, pool};
    context.barrier();
    sizes_from_zero_to_one(context);
    a_large_send_holds_its_buffer_until_the_ack(context);
    each_block_is_registered_once(context);
    many_small_messages_in_order(context);
    mixed_sizes_both_ways_keep_order(context);
    early_arrivals_keep_their_order(context);
    errors_name_the_peer(context);
    injected_faults_over_libfabric(context);  // last: rank 0 has killed rank 1 afterwards
    CHECK(ds::payload_bytes_copied() == 0,
          std::to_string(ds::payload_bytes_copied()) + " payload bytes copied");
    note("payload bytes copied: 0");
    context.barrier();  // nobody closes while the other still reads from it
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: transport_multiproc_test PROVIDER [DOMAIN]\n";
    return 2;
  }
  std::string provider = argv[1];
  std::string domain = argc > 2 ? argv[2] : "";
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    std::perror("socketpair");
    return 1;
  }
  pid_t children[2];
  for (int rank = 0; rank < 2; ++rank) {
    children[rank] = ::fork();
    if (children[rank] < 0) {
      std::perror("fork");
      return 1;
    }
    if (children[rank] == 0) {
      ::close(fds[1 - rank]);
      int code = 1;
      try {
        code = run_rank(rank, fds[rank], provider, domain);
      } catch (const std::exception& error) {
        std::cerr << "[r" << rank << " " << provider << "] FAILED: " << error.what() << std::endl;
      }
      std::cout.flush();
      std::_Exit(code);
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  // Wait for both, at most 50 s: a hang fails the test instead of blocking the suite.
  int codes[2] = {-1, -1};
  int left = 2;
  auto deadline = std::chrono::steady_clock::now() + 50s;
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    auto pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(10ms);
      continue;
    }
    for (int rank = 0; rank < 2; ++rank)
      if (pid == children[rank]) {
        codes[rank] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        --left;
      }
  }
  if (left > 0) {
    std::cerr << "timed out after 50 s; killing the ranks\n";
    for (int rank = 0; rank < 2; ++rank)
      if (codes[rank] < 0) {
        ::kill(children[rank], SIGKILL);
        ::waitpid(children[rank], nullptr, 0);
      }
    return 1;
  }
  if (codes[0] == skipped && codes[1] == skipped)
    return skipped;
  if (codes[0] != 0 || codes[1] != 0) {
    std::cerr << "rank exit codes: " << codes[0] << ", " << codes[1] << "\n";
    return 1;
  }
  return 0;
}
