#define BOOST_TEST_MODULE rendezvous
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <memory>

#include "launch/tcp.hpp"
#include "../support/child_process.hpp"
#include "../support/test_text.hpp"

// Real processes on loopback: each rank is a `launch_peer` (tests/launch/launch_peer.cpp).

using ds::test::child_process;
using ds::test::contains;
using namespace std::chrono_literals;

namespace {

const std::string peer_program = LAUNCH_PEER_PATH;

struct job {
  std::string coordinator = "127.0.0.1:" + std::to_string(ds::launch::free_loopback_port());
  std::map<std::string, std::string> env{{"DS_JOB_TOKEN", "the-right-token-4711"},
                                         {"DS_RENDEZVOUS_TIMEOUT_MS", "10000"},
                                         {"DS_HEARTBEAT_INTERVAL_MS", "100"},
                                         {"DS_HEARTBEAT_TIMEOUT_MS", "1000"}};

  std::unique_ptr<child_process> start(int rank, int world, const std::string& mode,
                                       const std::string& address = "",
                                       std::map<std::string, std::string> extra = {}) {
    auto vars = env;
    for (auto& [key, value] : extra)
      vars[key] = value;
    return std::make_unique<child_process>(
      std::vector<std::string>{peer_program, std::to_string(rank), std::to_string(world), coordinator,
                               mode, address},
      vars);
  }

  /// `world` ranks that just wait, returned once each has joined.
  std::vector<std::unique_ptr<child_process>> start_joined(int world) {
    std::vector<std::unique_ptr<child_process>> ranks;
    for (int rank = 0; rank < world; ++rank)
      ranks.push_back(start(rank, world, "hold"));
    for (auto& r : ranks)
      BOOST_REQUIRE_MESSAGE(r->wait_for_output("joined", 15s), r->output());
    return ranks;
  }
};

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

} // namespace

BOOST_AUTO_TEST_CASE(two_ranks_exchange_their_addresses) {
  job j;
  auto r0 = j.start(0, 2, "table", "alpha");
  auto r1 = j.start(1, 2, "table", "beta");
  BOOST_TEST(r1->wait(15s) == 0, r1->output());
  BOOST_TEST(r0->wait(15s) == 0, r0->output());
  for (auto* r : {r0.get(), r1.get()}) {
    BOOST_TEST(contains(r->output(), "table: 0=alpha 1=beta\n"), r->output());
    BOOST_TEST(contains(r->output(), "broadcast: hello from rank 1\n"), r->output());
  }
}

BOOST_AUTO_TEST_CASE(four_ranks_started_in_any_order_get_the_same_table_and_broadcast) {
  job j;
  std::vector<std::unique_ptr<child_process>> ranks(4);
  for (int rank : {3, 1, 0, 2})  // rank 0 is not first: the others retry until it listens
    ranks[static_cast<std::size_t>(rank)] = j.start(rank, 4, "table", "ep" + std::to_string(rank));
  for (auto& r : ranks) {
    BOOST_TEST(r->wait(15s) == 0, r->output());
    BOOST_TEST(contains(r->output(), "table: 0=ep0 1=ep1 2=ep2 3=ep3\n"), r->output());
    BOOST_TEST(contains(r->output(), "broadcast: hello from rank 3\n"), r->output());
    BOOST_TEST(contains(r->output(), "finished"), r->output());
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_or_missing_token_is_refused_and_logged_without_the_token) {
  job j;
  auto r0 = j.start(0, 2, "table", "alpha");
  auto wrong = j.start(1, 2, "table", "mallory", {{"DS_JOB_TOKEN", "a-guessed-token-1234"}});
  BOOST_TEST(wrong->wait(15s) == 3, wrong->output());
  BOOST_TEST(contains(wrong->output(), "refused rank 1: wrong job token"), wrong->output());
  auto missing = j.start(1, 2, "table", "mallory", {{"DS_JOB_TOKEN", ""}});
  BOOST_TEST(missing->wait(15s) == 3, missing->output());
  BOOST_TEST(contains(missing->output(), "refused rank 1: no job token"), missing->output());
  // The refusals did not spoil the rendezvous: the real rank 1 still joins.
  auto r1 = j.start(1, 2, "table", "beta");
  BOOST_TEST(r1->wait(15s) == 0, r1->output());
  BOOST_TEST(r0->wait(15s) == 0, r0->output());
  BOOST_TEST(contains(r1->output(), "table: 0=alpha 1=beta\n"), r1->output());
  const auto& log = r0->output();
  BOOST_TEST(contains(log, "refused a connection from 127.0.0.1:"), log);
  BOOST_TEST(contains(log, "(claiming rank 1): wrong job token"), log);
  BOOST_TEST(contains(log, "(claiming rank 1): no job token"), log);
  BOOST_TEST(!contains(log, "the-right-token-4711"), log);
  BOOST_TEST(!contains(log, "a-guessed-token-1234"), log);
}

BOOST_AUTO_TEST_CASE(a_second_process_claiming_a_joined_rank_is_refused) {
  job j;
  auto r0 = j.start(0, 3, "table", "a", {{"DS_LOG_LEVEL", "debug"}});
  auto r1 = j.start(1, 3, "table", "b");
  BOOST_REQUIRE_MESSAGE(r0->wait_for_output("rank 1 joined from", 15s), r0->output());
  auto twin = j.start(1, 3, "table", "b2");
  BOOST_TEST(twin->wait(15s) == 3, twin->output());
  BOOST_TEST(contains(twin->output(), "refused rank 1: rank 1 already joined from 127.0.0.1:"),
             twin->output());
  auto r2 = j.start(2, 3, "table", "c");
  BOOST_TEST(r2->wait(15s) == 0, r2->output());
  BOOST_TEST(r1->wait(15s) == 0, r1->output());
  BOOST_TEST(r0->wait(15s) == 0, r0->output());
  BOOST_TEST(contains(r2->output(), "table: 0=a 1=b 2=c\n"), r2->output());
}

BOOST_AUTO_TEST_CASE(a_rank_that_never_arrives_is_named_when_the_rendezvous_times_out) {
  job j;
  j.env["DS_RENDEZVOUS_TIMEOUT_MS"] = "1500";
  auto start = clock_type::now();
  auto r0 = j.start(0, 3, "table");
  auto r2 = j.start(2, 3, "table");
  BOOST_TEST(r0->wait(15s) == 3, r0->output());
  BOOST_TEST(r2->wait(15s) == 3, r2->output());
  for (auto* r : {r0.get(), r2.get()})
    BOOST_TEST(contains(r->output(), "join failed: rendezvous timed out after 1.5 s: rank 1 never "
                                     "arrived (2 of 3 joined)"),
               r->output());
  BOOST_TEST(seconds_since(start) < 6.0);
}

BOOST_AUTO_TEST_CASE(a_rank_killed_with_sigkill_is_reported_to_every_other_rank) {
  job j;
  auto ranks = j.start_joined(3);
  auto killed = clock_type::now();
  ranks[2]->signal(SIGKILL);
  for (int rank : {0, 1}) {
    auto& r = ranks[static_cast<std::size_t>(rank)];
    BOOST_TEST(r->wait(10s) == 4, r->output());
    BOOST_TEST(contains(r->output(), "lost rank 2: rank 2 died"), r->output());
  }
  // A dead process's connection closes at once; well under the 1 s heartbeat timeout.
  BOOST_TEST(seconds_since(killed) < 2.0);
}

BOOST_AUTO_TEST_CASE(a_stopped_rank_is_declared_lost_after_the_heartbeat_timeout) {
  job j;
  auto ranks = j.start_joined(3);
  auto stopped = clock_type::now();
  ranks[1]->signal(SIGSTOP);  // alive, connected, silent
  for (int rank : {0, 2}) {
    auto& r = ranks[static_cast<std::size_t>(rank)];
    BOOST_TEST(r->wait(10s) == 4, r->output());
    BOOST_TEST(contains(r->output(), "lost rank 1: rank 1 stopped responding (no heartbeat for"),
               r->output());
  }
  auto took = seconds_since(stopped);
  BOOST_TEST(took >= 0.9);  // not before the 1 s timeout (minus a heartbeat in flight)
  BOOST_TEST(took < 3.0);   // timeout + interval + the coordinator's 50 ms tick, with margin
  ranks[1]->signal(SIGKILL);
}

BOOST_AUTO_TEST_CASE(the_coordinator_rank_killed_is_reported_by_the_others) {
  job j;
  auto ranks = j.start_joined(3);
  auto killed = clock_type::now();
  ranks[0]->signal(SIGKILL);
  for (int rank : {1, 2}) {
    auto& r = ranks[static_cast<std::size_t>(rank)];
    BOOST_TEST(r->wait(10s) == 4, r->output());
    BOOST_TEST(contains(r->output(), "lost rank 0: rank 0 (the coordinator) died"), r->output());
  }
  BOOST_TEST(seconds_since(killed) < 2.0);
}
