#define BOOST_TEST_MODULE collectives
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "dsflow/memory.hpp"
#include "net/collectives.hpp"
#include "net/inproc_transport.hpp"

// Ring allreduce and broadcast between ranks that are threads (inproc_transport). Values are
// small integers, so every sum is exact in float32 and the result must equal the reference.

using namespace std::chrono_literals;
namespace net = ds::net;

namespace {

float value(int rank, std::size_t index) {
  return static_cast<float>(static_cast<int>((index * 7 + static_cast<std::size_t>(rank) * 13) % 101) - 50);
}

/// Runs `body(rank)` on one thread per rank; rethrows the first failure.
template <typename Body>
void on_every_rank(int world, Body body) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(world));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world; ++rank)
    threads.emplace_back([&, rank] {
      try {
        body(rank);
      } catch (...) {
        errors[static_cast<std::size_t>(rank)] = std::current_exception();
      }
    });
  for (auto& thread : threads)
    thread.join();
  for (auto& error : errors)
    if (error)
      std::rethrow_exception(error);
}

/// Index of the first element that differs from the sum over `world` ranks, or -1.
long first_wrong_sum(const std::vector<float>& got, int world) {
  for (std::size_t index = 0; index < got.size(); ++index) {
    float expected = 0;
    for (int rank = 0; rank < world; ++rank)
      expected += value(rank, index);
    if (got[index] != expected)
      return static_cast<long>(index);
  }
  return -1;
}

/// `in_place`: the overload on a pool buffer (no copy in or out; final sums received
/// straight into it) instead of the one on a std::span.
void check_allreduce(int world, std::size_t count, std::size_t segment_bytes, bool in_place) {
  auto ranks = net::make_inproc_world(world);
  ds::memory_pool pool{ds::make_host_allocator()};
  std::vector<std::vector<float>> data(static_cast<std::size_t>(world));
  net::collective_options options;
  options.segment_bytes = segment_bytes;
  options.timeout = 20s;
  on_every_rank(world, [&](int rank) {
    auto& mine = data[static_cast<std::size_t>(rank)];
    mine.resize(count);
    for (std::size_t index = 0; index < count; ++index)
      mine[index] = value(rank, index);
    auto& net = *ranks[static_cast<std::size_t>(rank)];
    if (!in_place) {
      net::allreduce_sum(net, mine, 5, pool, options);
      return;
    }
    ds::buffer block = pool.allocate(count * sizeof(float));
    std::memcpy(block.data(), mine.data(), count * sizeof(float));
    net::allreduce_sum(net, block, 5, pool, options);
    std::memcpy(mine.data(), block.data(), count * sizeof(float));
  });
  for (int rank = 0; rank < world; ++rank)
    BOOST_TEST(first_wrong_sum(data[static_cast<std::size_t>(rank)], world) == -1,
               "world " << world << ", " << count << " elements, segment " << segment_bytes
                        << " B" << (in_place ? ", in place" : "") << ": rank " << rank << " wrong");
}

} // namespace

BOOST_AUTO_TEST_CASE(allreduce_sums_exactly_on_every_rank) {
  for (bool in_place : {false, true})
    for (int world : {1, 2, 3, 4}) {
      // Sizes below, at and above the world size, not divisible by it, and large.
      for (std::size_t count : {1u, 2u, 3u, 5u, 7u, 64u, 1023u, 4097u, 65537u})
        for (std::size_t segment : {std::size_t{16}, std::size_t{4096}, std::size_t{1} << 20})
          check_allreduce(world, count, segment, in_place);
      check_allreduce(world, std::size_t{1} << 20, std::size_t{1} << 20, in_place);  // 1 M elements
      check_allreduce(world, (std::size_t{1} << 20) + 3, std::size_t{256} << 10, in_place);
    }
}

BOOST_AUTO_TEST_CASE(an_in_place_buffer_of_partial_floats_is_refused) {
  auto ranks = net::make_inproc_world(2);
  ds::memory_pool pool{ds::make_host_allocator()};
  BOOST_CHECK_THROW(net::allreduce_sum(*ranks[0], pool.allocate(6), 1, pool), net::net_error);
}

BOOST_AUTO_TEST_CASE(successive_and_concurrent_allreduces_keep_their_data_apart) {
  const int world = 3;
  auto ranks = net::make_inproc_world(world);
  ds::memory_pool pool{ds::make_host_allocator()};
  net::collective_options options;
  options.segment_bytes = 64;
  on_every_rank(world, [&](int rank) {
    auto& net = *ranks[static_cast<std::size_t>(rank)];
    for (int round = 0; round < 3; ++round) {
      // Two collectives at once per rank (ids 1 and 2), the same ids again next round.
      std::vector<float> a(1000, static_cast<float>(rank + round));
      std::vector<float> b(777, static_cast<float>(10 * rank));
      std::thread other{[&] { net::allreduce_sum(net, b, 2, pool, options); }};
      net::allreduce_sum(net, a, 1, pool, options);
      other.join();
      for (float x : a)
        BOOST_REQUIRE_EQUAL(x, static_cast<float>(0 + 1 + 2 + 3 * round));
      for (float x : b)
        BOOST_REQUIRE_EQUAL(x, 30.0f);
    }
  });
}

BOOST_AUTO_TEST_CASE(broadcast_copies_the_roots_bytes_to_every_rank) {
  for (int world : {1, 2, 3, 4})
    for (std::size_t size : {std::size_t{1}, std::size_t{1000}, std::size_t{3} << 20})
      for (int root = 0; root < world; ++root) {
        auto ranks = net::make_inproc_world(world);
        ds::memory_pool pool{ds::make_host_allocator()};
        net::collective_options options;
        options.segment_bytes = 100000;
        std::vector<std::vector<std::byte>> data(static_cast<std::size_t>(world));
        on_every_rank(world, [&](int rank) {
          auto& mine = data[static_cast<std::size_t>(rank)];
          mine.assign(size, std::byte{0});
          if (rank == root)
            for (std::size_t i = 0; i < size; ++i)
              mine[i] = static_cast<std::byte>((i * 31 + 7) & 0xff);
          net::broadcast(*ranks[static_cast<std::size_t>(rank)], mine, root, 9, pool, options);
        });
        for (int rank = 0; rank < world; ++rank)
          BOOST_TEST((data[static_cast<std::size_t>(rank)] == data[static_cast<std::size_t>(root)]),
                     "world " << world << " root " << root << " size " << size << " rank " << rank);
      }
}

BOOST_AUTO_TEST_CASE(a_dead_peer_fails_the_allreduce_naming_it_without_hanging) {
  auto ranks = net::make_inproc_world(3);
  ranks[2].reset();  // rank 2 is gone
  ds::memory_pool pool{ds::make_host_allocator()};
  net::collective_options options;
  options.timeout = 2s;
  std::vector<std::string> errors(2);
  auto start = std::chrono::steady_clock::now();
  on_every_rank(2, [&](int rank) {
    std::vector<float> data(100000, 1.0f);
    try {
      net::allreduce_sum(*ranks[static_cast<std::size_t>(rank)], data, 3, pool, options);
    } catch (const net::net_error& e) {
      errors[static_cast<std::size_t>(rank)] = e.what();
    }
  });
  BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
  // Rank 0 receives from rank 2; rank 1 sends to rank 2.
  BOOST_TEST(errors[0].find("allreduce op 3 (rank 0 of 3): receive from rank 2 failed") != std::string::npos, errors[0]);
  BOOST_TEST(errors[1].find("rank 2") != std::string::npos, errors[1]);
  BOOST_TEST(!errors[1].empty());
}

BOOST_AUTO_TEST_CASE(a_silent_peer_times_out_naming_it) {
  auto ranks = net::make_inproc_world(3);  // rank 2 exists but never joins the collective
  ds::memory_pool pool{ds::make_host_allocator()};
  net::collective_options options;
  options.timeout = 300ms;
  std::vector<std::string> errors(2);
  on_every_rank(2, [&](int rank) {
    std::vector<float> data(100000, 1.0f);
    try {
      net::allreduce_sum(*ranks[static_cast<std::size_t>(rank)], data, 4, pool, options);
    } catch (const net::net_error& e) {
      errors[static_cast<std::size_t>(rank)] = e.what();
    }
  });
  BOOST_TEST(errors[0].find("nothing from rank 2 for 300 ms") != std::string::npos, errors[0]);
  // Rank 1 waits on rank 0, which is stuck waiting on rank 2.
  BOOST_TEST(errors[1].find("nothing from rank 0") != std::string::npos, errors[1]);
}

BOOST_AUTO_TEST_CASE(a_bad_op_id_is_refused) {
  auto ranks = net::make_inproc_world(2);
  ds::memory_pool pool{ds::make_host_allocator()};
  std::vector<float> data(4);
  BOOST_CHECK_THROW(net::allreduce_sum(*ranks[0], data, net::max_collective_op + 1, pool),
                    net::net_error);
}
