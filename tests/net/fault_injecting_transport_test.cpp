#define BOOST_TEST_MODULE fault_injecting_transport
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "dsflow/memory.hpp"
#include "net/fault_injecting_transport.hpp"
#include "net/inproc_transport.hpp"

using namespace std::chrono_literals;
using ds::net::completion;
using ds::net::net_errc;

namespace {

/// Rank 0 behind a fault injector, rank 1 plain.
struct faulty_pair {
  faulty_pair() {
    auto world = ds::net::make_inproc_world(2, 1024);
    one = std::move(world[1]);
    zero = std::make_unique<ds::net::fault_injecting_transport>(std::move(world[0]));
  }
  ds::buffer bytes(std::uint8_t value, std::size_t size = 16) {
    auto block = pool.allocate(size);
    std::memset(block.data(), value, size);
    return block;
  }
  static std::uint8_t first_byte(const completion& done) {
    return std::to_integer<std::uint8_t>(done.payload.data()[0]);
  }
  ds::memory_pool pool{ds::make_host_allocator()};
  std::unique_ptr<ds::net::transport> one;
  std::unique_ptr<ds::net::fault_injecting_transport> zero;
};

completion wait(std::future<completion>& result) {
  return ds::net::wait_for(result, 5s, "test wait");
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_dropped_send_reports_success_but_never_arrives, faulty_pair) {
  zero->drop_send(2);
  auto first = zero->send(1, 1, bytes(1));
  auto second = zero->send(1, 1, bytes(2));
  auto third = zero->send(1, 1, bytes(3));
  BOOST_TEST(wait(first).ok());
  BOOST_TEST(wait(second).ok());
  BOOST_TEST(wait(third).ok());
  auto a = one->recv(0, 1, pool);
  auto b = one->recv(0, 1, pool);
  BOOST_TEST(first_byte(wait(a)) == 1);
  BOOST_TEST(first_byte(wait(b)) == 3);
  auto c = one->recv(0, 1, pool);
  BOOST_TEST((c.wait_for(100ms) == std::future_status::timeout));
  BOOST_TEST(zero->sends_seen() == 3u);
  one.reset();  // fails `c` before the fixture's pool goes
}

BOOST_FIXTURE_TEST_CASE(a_failed_send_reports_an_injected_error_and_sends_nothing, faulty_pair) {
  zero->fail_send(1);
  auto first = zero->send(1, 4, bytes(1));
  auto done = wait(first);
  BOOST_REQUIRE(!done.ok());
  BOOST_TEST(done.error->code() == net_errc::injected);
  BOOST_TEST(std::string(done.error->what()).find("send #1 failed by fault injection")
             != std::string::npos);
  auto second = zero->send(1, 4, bytes(2));
  auto received = one->recv(0, 4, pool);
  BOOST_TEST(first_byte(wait(received)) == 2);
  wait(second);
}

BOOST_FIXTURE_TEST_CASE(a_delayed_send_arrives_late_and_its_route_keeps_order, faulty_pair) {
  zero->delay_send(1, 150ms);
  auto start = std::chrono::steady_clock::now();
  auto first = zero->send(1, 5, bytes(1));
  auto second = zero->send(1, 5, bytes(2));        // same route: waits behind the first
  auto other_tag = zero->send(1, 6, bytes(9));     // other route: not held
  auto on_six = one->recv(0, 6, pool);
  BOOST_TEST(first_byte(wait(on_six)) == 9);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 150ms));
  auto a = one->recv(0, 5, pool);
  auto b = one->recv(0, 5, pool);
  BOOST_TEST(first_byte(wait(a)) == 1);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 150ms));
  BOOST_TEST(first_byte(wait(b)) == 2);
  wait(first);
  wait(second);
  wait(other_tag);
}

BOOST_FIXTURE_TEST_CASE(a_killed_peer_fails_waiting_receives_and_new_operations, faulty_pair) {
  auto waiting = zero->recv(1, 8, pool);
  zero->kill_peer(1);
  auto done = wait(waiting);
  BOOST_REQUIRE(!done.ok());
  BOOST_TEST(done.error->code() == net_errc::peer_failed);
  BOOST_TEST(std::string(done.error->what()).find("peer 1, tag 8") != std::string::npos);
  auto sent = zero->send(1, 8, bytes(1));
  BOOST_TEST(wait(sent).error->code() == net_errc::peer_failed);
  auto later = zero->recv(1, 9, pool);
  BOOST_TEST(wait(later).error->code() == net_errc::peer_failed);
}

BOOST_FIXTURE_TEST_CASE(destroying_the_wrapper_fails_sends_still_delayed, faulty_pair) {
  zero->delay_send(1, 10s);
  auto delayed = zero->send(1, 1, bytes(1));
  auto start = std::chrono::steady_clock::now();
  zero.reset();
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
  auto done = wait(delayed);
  BOOST_REQUIRE(!done.ok());
  BOOST_TEST(done.error->code() == net_errc::closed);
}

BOOST_FIXTURE_TEST_CASE(faults_pass_through_to_a_clean_send_otherwise, faulty_pair) {
  auto received = one->recv(0, 2, pool);
  auto sent = zero->send(1, 2, bytes(5, 4000));  // above the threshold: the "zero-copy" path
  BOOST_TEST(wait(sent).ok());
  auto done = wait(received);
  BOOST_TEST(done.payload.size() == 4000u);
  BOOST_TEST(zero->stats().rma_sends == 1u);
  BOOST_TEST(zero->name() == "fault_injecting(inproc)");
}
