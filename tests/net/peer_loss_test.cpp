#define BOOST_TEST_MODULE peer_loss
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dsflow/memory.hpp"
#include "net/collectives.hpp"
#include "net/fault_injecting_transport.hpp"
#include "net/inproc_transport.hpp"

// transport::fail_peer, as ds-run calls it when the session declares a rank lost: pending
// and later operations with that rank fail with peer_failed naming it, and a collective
// blocked on any rank is released at once instead of at its timeout.

using namespace std::chrono_literals;
namespace net = ds::net;
using steady = std::chrono::steady_clock;

namespace {

/// Ranks of an inproc world, each behind a fault_injecting_transport when `wrapped`.
std::vector<std::unique_ptr<net::transport>> make_world(int world, bool wrapped) {
  auto ranks = net::make_inproc_world(world);
  if (wrapped)
    for (auto& rank : ranks)
      rank = std::make_unique<net::fault_injecting_transport>(std::move(rank));
  return ranks;
}

struct outcome {
  std::string error;
  net::net_errc code = net::net_errc::closed;
  int peer = -1;
  steady::time_point at;
};

/// Ranks 0 and 1 of a 3-rank world start an allreduce that rank 2 never joins (60 s
/// timeout); 100 ms later rank 2 is declared lost on both. Returns when both calls ended.
std::vector<outcome> allreduce_with_a_lost_rank(std::vector<std::unique_ptr<net::transport>>& ranks,
                                                steady::time_point& declared) {
  ds::memory_pool pool{ds::make_host_allocator()};
  net::collective_options options;
  options.timeout = 60s;
  std::vector<outcome> outcomes(2);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank)
    threads.emplace_back([&, rank] {
      auto& out = outcomes[static_cast<std::size_t>(rank)];
      std::vector<float> data(100000, 1.0f);
      try {
        net::allreduce_sum(*ranks[static_cast<std::size_t>(rank)], data, 7, pool, options);
        out.error = "(returned)";
      } catch (const net::net_error& e) {
        out.error = e.what();
        out.code = e.code();
        out.peer = e.peer();
      }
      out.at = steady::now();
    });
  std::this_thread::sleep_for(100ms);
  declared = steady::now();
  ranks[0]->fail_peer(2, "rank 2 died (test)");
  ranks[1]->fail_peer(2, "rank 2 died (test)");
  for (auto& thread : threads)
    thread.join();
  return outcomes;
}

void check_released(bool wrapped) {
  auto ranks = make_world(3, wrapped);
  steady::time_point declared;
  auto outcomes = allreduce_with_a_lost_rank(ranks, declared);
  for (int rank = 0; rank < 2; ++rank) {
    const auto& out = outcomes[static_cast<std::size_t>(rank)];
    BOOST_TEST_CONTEXT("rank " << rank << (wrapped ? " (fault_injecting)" : " (inproc)")) {
      BOOST_TEST(out.error.find("allreduce op 7 (rank " + std::to_string(rank) + " of 3)")
                   != std::string::npos,
                 out.error);
      BOOST_TEST(out.error.find("rank 2 was declared lost: rank 2 died (test)") != std::string::npos,
                 out.error);
      BOOST_TEST((out.code == net::net_errc::peer_failed));
      BOOST_TEST(out.peer == 2);
      // Released by the declaration, not by the 60 s timeout.
      BOOST_TEST((out.at - declared < 2s));
    }
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(a_pending_allreduce_fails_naming_the_lost_rank_soon_after_fail_peer) {
  check_released(false);
}

BOOST_AUTO_TEST_CASE(the_same_holds_behind_a_fault_injecting_transport) {
  check_released(true);
}

BOOST_AUTO_TEST_CASE(an_allreduce_started_after_a_loss_fails_at_once) {
  auto ranks = make_world(2, false);
  ranks[0]->fail_peer(1, "rank 1 stopped responding (no heartbeat for 10.1 s)");
  ds::memory_pool pool{ds::make_host_allocator()};
  std::vector<float> data(1000, 1.0f);
  auto start = steady::now();
  try {
    net::allreduce_sum(*ranks[0], data, 1, pool);
    BOOST_FAIL("the allreduce returned");
  } catch (const net::net_error& e) {
    BOOST_TEST(std::string(e.what()).find("rank 1 was declared lost: rank 1 stopped responding")
                 != std::string::npos,
               e.what());
  }
  BOOST_TEST((steady::now() - start < 2s));
}

BOOST_AUTO_TEST_CASE(waiting_and_later_operations_with_the_lost_peer_fail_and_others_go_on) {
  for (bool wrapped : {false, true}) {
    BOOST_TEST_CONTEXT((wrapped ? "fault_injecting" : "inproc")) {
      auto ranks = make_world(3, wrapped);
      ds::memory_pool pool{ds::make_host_allocator()};
      auto waiting = ranks[0]->recv(1, 9, pool);
      ranks[0]->fail_peer(1, "rank 1 died");
      auto done = net::wait_for(waiting, 5s, "the waiting receive");
      BOOST_REQUIRE(!done.ok());
      BOOST_TEST((done.error->code() == net::net_errc::peer_failed));
      BOOST_TEST(std::string(done.error->what()).find("(peer 1, tag 9") != std::string::npos,
                 done.error->what());
      BOOST_TEST(std::string(done.error->what()).find("rank 1 was declared lost: rank 1 died")
                   != std::string::npos,
                 done.error->what());

      auto later = ranks[0]->send(1, 9, pool.allocate(8));
      auto sent = net::wait_for(later, 5s, "a later send");
      BOOST_TEST((!sent.ok() && sent.error->code() == net::net_errc::peer_failed));

      // Rank 2 is not lost: messages with it still flow.
      auto from_two = ranks[0]->recv(2, 3, pool);
      auto to_zero = ranks[2]->send(0, 3, pool.allocate(16));
      BOOST_TEST(net::wait_for(from_two, 5s, "rank 2's message").ok());
      BOOST_TEST(net::wait_for(to_zero, 5s, "rank 2's send").ok());
    }
  }
}

BOOST_AUTO_TEST_CASE(the_first_reason_is_kept_and_a_late_watcher_hears_at_once) {
  auto ranks = make_world(2, false);
  BOOST_TEST(!ranks[0]->lost_peer().has_value());
  ranks[0]->fail_peer(1, "first");
  ranks[0]->fail_peer(1, "second");
  BOOST_REQUIRE(ranks[0]->lost_peer().has_value());
  BOOST_TEST(std::string(ranks[0]->lost_peer()->what()) == "rank 1 was declared lost: first");
  std::string heard;
  auto id = ranks[0]->watch_losses([&](const net::net_error& e) { heard = e.what(); });
  ranks[0]->unwatch_losses(id);
  BOOST_TEST(heard == "rank 1 was declared lost: first");
}
