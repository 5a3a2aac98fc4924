#define BOOST_TEST_MODULE inproc_transport
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "dsflow/memory.hpp"
#include "net/inproc_transport.hpp"

using namespace std::chrono_literals;
using ds::net::completion;

namespace {

ds::buffer filled(ds::memory_pool& pool, std::size_t size, std::uint8_t seed) {
  auto bytes = pool.allocate(size);
  for (std::size_t index = 0; index < size; ++index)
    bytes.data()[index] = static_cast<std::byte>((index * 31 + seed) & 0xff);
  return bytes;
}

bool has_pattern(const ds::buffer& bytes, std::size_t size, std::uint8_t seed) {
  if (bytes.size() != size)
    return false;
  for (std::size_t index = 0; index < size; ++index)
    if (bytes.data()[index] != static_cast<std::byte>((index * 31 + seed) & 0xff))
      return false;
  return true;
}

completion wait(std::future<completion>& result) {
  return ds::net::wait_for(result, 5s, "test wait");
}

struct two_ranks {
  std::vector<std::unique_ptr<ds::net::transport>> world = ds::net::make_inproc_world(2, 1024);
  ds::net::transport& zero = *world[0];
  ds::net::transport& one = *world[1];
  ds::memory_pool pool{ds::make_host_allocator()};
};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_message_arrives_with_its_bytes_peer_and_tag, two_ranks) {
  BOOST_TEST(zero.rank() == 0);
  BOOST_TEST(one.rank() == 1);
  BOOST_TEST(one.world_size() == 2);
  auto received = one.recv(0, 42, pool);
  auto sent = zero.send(1, 42, filled(pool, 100, 7));
  BOOST_TEST(wait(sent).ok());
  auto done = wait(received);
  BOOST_TEST(done.ok());
  BOOST_TEST(done.peer == 0);
  BOOST_TEST(done.tag == 42u);
  BOOST_TEST(has_pattern(done.payload, 100, 7));
}

BOOST_FIXTURE_TEST_CASE(small_and_large_messages_of_one_tag_arrive_in_send_order, two_ranks) {
  std::vector<std::future<completion>> sends;
  const std::size_t sizes[] = {1, 5000, 10, 1025, 1024, 70000, 3};
  for (std::size_t index = 0; index < std::size(sizes); ++index)
    sends.push_back(zero.send(1, 9, filled(pool, sizes[index], static_cast<std::uint8_t>(index))));
  for (std::size_t index = 0; index < std::size(sizes); ++index) {
    auto received = one.recv(0, 9, pool);
    auto done = wait(received);
    BOOST_TEST(done.ok());
    BOOST_TEST(has_pattern(done.payload, sizes[index], static_cast<std::uint8_t>(index)));
  }
  for (auto& sent : sends)
    BOOST_TEST(wait(sent).ok());
  BOOST_TEST(zero.stats().eager_sends == 4u);
  BOOST_TEST(zero.stats().rma_sends == 3u);
}

BOOST_FIXTURE_TEST_CASE(tags_are_independent_queues, two_ranks) {
  auto first = zero.send(1, 1, filled(pool, 10, 1));
  auto second = zero.send(1, 2, filled(pool, 20, 2));
  auto on_two = one.recv(0, 2, pool);
  BOOST_TEST(has_pattern(wait(on_two).payload, 20, 2));
  auto on_one = one.recv(0, 1, pool);
  BOOST_TEST(has_pattern(wait(on_one).payload, 10, 1));
  wait(first);
  wait(second);
}

BOOST_FIXTURE_TEST_CASE(the_receiver_gets_the_senders_block_and_nothing_is_copied, two_ranks) {
  auto copied_before = ds::payload_bytes_copied();
  auto payload = filled(pool, 5000, 3);
  auto* address = payload.data();
  auto sent = zero.send(1, 5, payload);
  auto received = one.recv(0, 5, pool);
  auto done = wait(received);
  BOOST_TEST(done.payload.data() == address);
  BOOST_TEST(ds::payload_bytes_copied() == copied_before);
  wait(sent);
}

BOOST_FIXTURE_TEST_CASE(a_large_send_holds_its_buffer_until_a_receive_takes_it, two_ranks) {
  auto payload = filled(pool, 4096, 4);
  std::atomic<bool> finished{false};
  zero.send(1, 6, payload, [&](completion done) {
    BOOST_TEST(done.ok());
    finished = true;
  });
  std::this_thread::sleep_for(50ms);
  BOOST_TEST(!finished.load());
  BOOST_TEST(payload.use_count() == 2);
  auto received = one.recv(0, 6, pool);
  auto done = wait(received);
  for (int tries = 0; tries < 500 && !finished; ++tries)
    std::this_thread::sleep_for(1ms);
  BOOST_TEST(finished.load());
  BOOST_TEST(payload.use_count() == 2);  // ours and the receiver's, no transport handle
}

BOOST_FIXTURE_TEST_CASE(handlers_run_on_the_transports_thread_never_inline, two_ranks) {
  auto caller = std::this_thread::get_id();
  std::promise<std::thread::id> ran_on;
  auto result = ran_on.get_future();
  auto received = one.recv(0, 1, pool);
  zero.send(1, 1, filled(pool, 8, 0), [&](completion) { ran_on.set_value(std::this_thread::get_id()); });
  BOOST_REQUIRE(result.wait_for(5s) == std::future_status::ready);
  BOOST_TEST((result.get() != caller));
  wait(received);
}

BOOST_FIXTURE_TEST_CASE(a_bad_peer_or_a_reserved_tag_is_refused_naming_it, two_ranks) {
  try {
    zero.send(2, 1, filled(pool, 1, 0), [](completion) {});
    BOOST_FAIL("expected a net_error");
  } catch (const ds::net::net_error& error) {
    BOOST_TEST(error.code() == ds::net::net_errc::invalid_argument);
    BOOST_TEST(std::string(error.what()).find("peer 2 is not a rank of this job (world size 2)")
               != std::string::npos);
  }
  try {
    one.recv(0, ds::net::max_user_tag + 1, pool, [](completion) {});
    BOOST_FAIL("expected a net_error");
  } catch (const ds::net::net_error& error) {
    BOOST_TEST(std::string(error.what()).find("reserves") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(add_peers_refuses_a_list_without_this_ranks_address) {
  auto hub = ds::net::make_inproc_hub();
  ds::net::inproc_transport first{hub}, second{hub}, third{hub};
  BOOST_CHECK_EXCEPTION(first.add_peers({second.local_address(), third.local_address()}),
                        ds::net::net_error, [](const ds::net::net_error& error) {
                          return std::string(error.what()).find("own address is not among the 2")
                                 != std::string::npos;
                        });
  BOOST_CHECK_THROW(first.add_peers({{std::byte{1}, std::byte{2}}}), ds::net::net_error);
}

BOOST_AUTO_TEST_CASE(destroying_a_transport_fails_what_waits_on_it) {
  auto world = ds::net::make_inproc_world(2, 1024);
  ds::memory_pool pool{ds::make_host_allocator()};
  auto own_receive = world[1]->recv(0, 3, pool);      // waits at rank 1
  auto peer_receive = world[0]->recv(1, 4, pool);     // rank 0 waits for rank 1
  world[1].reset();
  auto own = wait(own_receive);
  BOOST_REQUIRE(!own.ok());
  BOOST_TEST(own.error->code() == ds::net::net_errc::closed);
  auto peer = wait(peer_receive);
  BOOST_REQUIRE(!peer.ok());
  BOOST_TEST(peer.error->code() == ds::net::net_errc::peer_failed);
  auto sent = world[0]->send(1, 4, pool.allocate(10));
  auto to_gone = wait(sent);
  BOOST_REQUIRE(!to_gone.ok());
  BOOST_TEST(to_gone.error->code() == ds::net::net_errc::peer_failed);
  BOOST_TEST(std::string(to_gone.error->what()).find("peer 1, tag 4") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(ten_thousand_small_messages_arrive_in_order_per_tag, two_ranks) {
  constexpr int count = 10000;
  std::thread sender([&] {
    for (int index = 0; index < count; ++index) {
      auto bytes = pool.allocate(64);
      std::memcpy(bytes.data(), &index, sizeof index);
      zero.send(1, 77, std::move(bytes), [](completion) {});
    }
  });
  std::atomic<int> next{0};
  std::atomic<int> out_of_order{0};
  std::promise<void> all;
  for (int index = 0; index < count; ++index)
    one.recv(0, 77, pool, [&](completion done) {
      int value = -1;
      std::memcpy(&value, done.payload.data(), sizeof value);
      if (value != next)
        ++out_of_order;
      if (++next == count)
        all.set_value();
    });
  sender.join();
  BOOST_REQUIRE(all.get_future().wait_for(10s) == std::future_status::ready);
  BOOST_TEST(out_of_order.load() == 0);
}

BOOST_AUTO_TEST_CASE(recv_into_fills_the_destination_or_names_both_sizes) {
  auto ranks = ds::net::make_inproc_world(2);
  ds::memory_pool pool{ds::make_host_allocator()};
  auto message = pool.allocate(5);
  std::memcpy(message.data(), "hello", 5);
  auto destination = pool.allocate(5);
  auto promise = std::make_shared<std::promise<completion>>();
  auto received = promise->get_future();
  ranks[1]->recv_into(0, 4, destination, [promise](completion done) { promise->set_value(std::move(done)); });
  auto sent = ranks[0]->send(1, 4, message);
  auto done = ds::net::wait_for(received, 5s, "recv_into");
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(done.payload.data() == destination.data());
  BOOST_TEST(std::memcmp(destination.data(), "hello", 5) == 0);
  BOOST_TEST(ds::net::wait_for(sent, 5s, "send").ok());

  auto small = std::make_shared<std::promise<completion>>();
  auto refused = small->get_future();
  ranks[1]->recv_into(0, 4, pool.allocate(3), [small](completion done) { small->set_value(std::move(done)); });
  ranks[0]->send(1, 4, message);
  auto wrong = ds::net::wait_for(refused, 5s, "recv_into of the wrong size");
  BOOST_REQUIRE(!wrong.ok());
  BOOST_TEST(std::string(wrong.error->what()).find("5 bytes arrived for a destination of 3")
               != std::string::npos,
             wrong.error->what());
}
