#define BOOST_TEST_MODULE cross_rank_job
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "../support/stage_totals.hpp"
#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "dsflow/buffer.hpp"
#include "net/fault_injecting_transport.hpp"
#include "net/inproc_transport.hpp"
#include "runtime/job.hpp"

// Stages pinned to ranks, with the ranks as threads of this process joined by the in-process
// transport: every rank plans the same config and runs its own job, as ds-run does.

namespace {

/// One rank: its own pools, metrics and interrupt counter, as a separate process has.
struct rank_state {
  ds::memory_pools pools;  // before the transport: receives allocate from it until it goes
  std::unique_ptr<ds::net::transport> net;
  ds::metrics_registry metrics;
  std::atomic<int> interrupts{0};

  std::uint64_t total(const std::string& stage, ds::counter ds::replica_metrics::*field) const {
    return ds::test::stage_total(metrics, stage, field);
  }
};

struct ranks_fixture {
  ds::registry reg;
  std::vector<std::unique_ptr<rank_state>> ranks;

  /// Rank 0's transport, wrapped so that a test can make its sends fail.
  ds::net::fault_injecting_transport* rank0_faults = nullptr;

  explicit ranks_fixture(int world_size = 2, std::size_t eager_threshold = 16 * 1024) {
    ds::register_builtin_stages(reg);
    auto world = ds::net::make_inproc_world(world_size, eager_threshold);
    for (auto& net : world) {
      ranks.push_back(std::make_unique<rank_state>());
      ranks.back()->net = std::move(net);
    }
    auto faults = std::make_unique<ds::net::fault_injecting_transport>(std::move(ranks[0]->net));
    rank0_faults = faults.get();
    ranks[0]->net = std::move(faults);
  }

  ds::pipeline_plan plan(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return ds::plan_pipeline(ds::parse_config(yaml, "test.yaml", overrides), reg);
  }

  ds::job_options options(int rank) {
    auto& r = *ranks[static_cast<std::size_t>(rank)];
    ds::job_options options;
    options.pools = &r.pools;
    options.metrics = &r.metrics;
    options.interrupts = &r.interrupts;
    options.rank = rank;
    options.world_size = static_cast<int>(ranks.size());
    options.transport = r.net.get();
    return options;
  }

  /// Runs every rank's job on its own thread. A rank whose job fails aborts the others, as
  /// ds-run's lost-peer signal does; a job still running after 60 s fails the test.
  std::vector<ds::job_result> run(const ds::pipeline_plan& plan) {
    std::vector<std::future<ds::job_result>> running;
    for (int rank = 0; rank < static_cast<int>(ranks.size()); ++rank)
      running.push_back(std::async(std::launch::async, [this, &plan, rank] {
        return ds::run_job(plan, options(rank));
      }));
    std::vector<std::optional<ds::job_result>> results(running.size());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto abort_all = [&] {
      for (auto& rank : ranks)
        rank->interrupts = 2;
    };
    for (std::size_t left = running.size(); left > 0;) {
      for (std::size_t i = 0; i < running.size(); ++i) {
        if (results[i] || running[i].wait_for(std::chrono::milliseconds(5)) != std::future_status::ready)
          continue;
        results[i] = running[i].get();
        --left;
        if (results[i]->outcome == ds::job_outcome::failed)
          abort_all();
      }
      if (left > 0 && std::chrono::steady_clock::now() > deadline) {
        abort_all();
        BOOST_ERROR("a rank's job did not finish within 60 s");
      }
    }
    std::vector<ds::job_result> done;
    for (auto& result : results)
      done.push_back(std::move(*result));
    return done;
  }
};

// generate on rank 0 → work on every rank (2 replicas each) → check on rank 1, which
// verifies each item's order and checksum.
const std::string spread_and_gather = R"(version: 1
runtime: {window: 8, threads: 2, supervision: {max_restarts: 3, backoff_ms: 1}}
stages:
  generate: {actor: synthetic_source, rank: 0, count: 3000, size: 3000}
  work: {actor: transform, inputs: [generate.out], replicas: 2, hash_rounds: 1}
  check: {actor: sink, rank: 1, inputs: [work.out], expect_count: 3000}
)";

} // namespace

BOOST_AUTO_TEST_CASE(a_pinned_source_feeds_every_rank_and_a_pinned_sink_gets_all_in_order) {
  // 3000-byte items: a frame of several is above a 4 KiB eager threshold, so both the
  // eager and the zero-copy path carry items.
  ranks_fixture world{2, 4096};
  ds::reset_payload_bytes_copied();
  auto results = world.run(world.plan(spread_and_gather));
  for (const auto& result : results)
    BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  auto& rank0 = *world.ranks[0];
  auto& rank1 = *world.ranks[1];
  BOOST_TEST(rank0.total("generate", &ds::replica_metrics::items_out) == 3000u);
  BOOST_TEST(rank1.total("generate", &ds::replica_metrics::items_out) == 0u);  // not on rank 1
  const auto work0 = rank0.total("work", &ds::replica_metrics::items_in);
  const auto work1 = rank1.total("work", &ds::replica_metrics::items_in);
  BOOST_TEST(work0 + work1 == 3000u);
  BOOST_TEST(work0 > 0u);  // the work is spread over both ranks
  BOOST_TEST(work1 > 0u);
  BOOST_TEST(rank1.total("check", &ds::replica_metrics::items_in) == 3000u);
  BOOST_TEST(rank0.total("check", &ds::replica_metrics::items_in) == 0u);
  BOOST_TEST(ds::payload_bytes_copied() == 0u);  // handles moved, never the bytes
}

BOOST_AUTO_TEST_CASE(a_producer_never_runs_more_than_the_window_ahead_of_a_slow_remote_consumer) {
  ranks_fixture world;
  auto plan = world.plan(R"(version: 1
runtime: {window: 4, threads: 2}
stages:
  generate: {actor: synthetic_source, rank: 0, count: 150, size: 256}
  slow: {actor: transform, rank: 1, inputs: [generate.out], delay_us: 2000}
  check: {actor: sink, rank: 1, inputs: [slow.out], expect_count: 150}
)");
  std::atomic<bool> done{false};
  std::uint64_t worst_lead = 0;
  std::thread watch{[&] {
    while (!done) {
      // Read the producer first: the lead can then only be understated, so a lead over the
      // bound is real (reading the other way round, a fast enough producer could show one).
      auto sent = world.ranks[0]->total("generate", &ds::replica_metrics::items_out);
      auto received = world.ranks[1]->total("slow", &ds::replica_metrics::items_in);
      if (sent > received)
        worst_lead = std::max(worst_lead, sent - received);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }};
  auto results = world.run(plan);
  done = true;
  watch.join();
  for (const auto& result : results)
    BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  // The window (4) plus the one item the source may hold while blocked on credit.
  BOOST_TEST_MESSAGE("largest lead of the producer: " << worst_lead << " items");
  BOOST_TEST(worst_lead <= 5u);
  BOOST_TEST(worst_lead >= 3u);  // the watch did see the producer run ahead
}

BOOST_AUTO_TEST_CASE(gaps_cross_ranks_so_an_ordered_consumer_skips_a_failed_item) {
  ranks_fixture world;
  auto results = world.run(world.plan(spread_and_gather, {"work.fail_items=[17]",
                                                          "check.expect_count=2999"}));
  for (const auto& result : results)
    BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  const auto failed = results[0].failed_items.size() + results[1].failed_items.size();
  BOOST_TEST(failed == 1u);
  BOOST_TEST(world.ranks[1]->total("check", &ds::replica_metrics::items_in) == 2999u);
}

BOOST_AUTO_TEST_CASE(an_interrupt_on_the_source_rank_drains_the_other_rank) {
  ranks_fixture world;
  auto plan = world.plan(R"(version: 1
runtime: {window: 8, threads: 2}
stages:
  generate: {actor: synthetic_source, rank: 0, count: 1000000, size: 64, rate: 20000}
  check: {actor: sink, rank: 1, inputs: [generate.out]}
)");
  std::thread interrupt{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    world.ranks[0]->interrupts = 1;
  }};
  auto results = world.run(plan);
  interrupt.join();
  BOOST_TEST((results[0].outcome == ds::job_outcome::interrupted), results[0].error);
  BOOST_TEST((results[1].outcome == ds::job_outcome::completed), results[1].error);
  const auto sent = world.ranks[0]->total("generate", &ds::replica_metrics::items_out);
  const auto received = world.ranks[1]->total("check", &ds::replica_metrics::items_in);
  BOOST_TEST(sent > 0u);
  BOOST_TEST(sent < 1000000u);
  BOOST_TEST(received == sent);  // nothing in flight is lost
}

BOOST_AUTO_TEST_CASE(a_stage_on_a_rank_the_job_lacks_fails_the_job_naming_it) {
  ranks_fixture world;
  auto plan = world.plan(spread_and_gather, {"check.rank=2"});
  auto result = ds::run_job(plan, world.options(0));
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("stage 'check' is placed on rank 2, but the job has 2 ranks")
               != std::string::npos,
             result.error);
}

BOOST_AUTO_TEST_CASE(a_cross_rank_edge_without_a_transport_fails_the_job_naming_the_edge) {
  ranks_fixture world;
  auto options = world.options(0);
  options.transport = nullptr;
  auto result = ds::run_job(world.plan(spread_and_gather), options);
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("edge generate.out of generate#0 (rank 0) → work#0 (rank 1) "
                               "crosses ranks, but this process has no transport")
               != std::string::npos,
             result.error);
}

BOOST_AUTO_TEST_CASE(a_failed_send_on_a_link_stops_the_job_naming_the_edge) {
  ranks_fixture world;
  world.rank0_faults->fail_send(40);  // some frame of the items rank 0 sends rank 1
  auto results = world.run(world.plan(spread_and_gather));
  BOOST_TEST((results[0].outcome == ds::job_outcome::failed));
  BOOST_TEST(results[0].error.find("cross-rank edge ") != std::string::npos, results[0].error);
  BOOST_TEST(results[0].error.find("(rank 0) → ") != std::string::npos, results[0].error);
  BOOST_TEST(results[0].error.find("(rank 1)") != std::string::npos, results[0].error);
  BOOST_TEST(results[0].error.find("failed by fault injection") != std::string::npos, results[0].error);
  // Rank 1, left waiting for the lost frames, is stopped as ds-run's lost-peer signal would.
  BOOST_TEST((results[1].outcome != ds::job_outcome::completed));
}
