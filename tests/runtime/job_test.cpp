#define BOOST_TEST_MODULE job
#include <boost/test/unit_test.hpp>

#include <thread>

#include "../support/stage_totals.hpp"
#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "dsflow/messages.hpp"
#include "runtime/job.hpp"

namespace {

/// A stage that holds even items back, so replicas finish out of order.
struct uneven_delay final : ds::stage {
  static ds::stage_schema schema() {
    return ds::schema_builder("uneven_delay", "sleeps 200 us on even items")
      .input("in", "blob", "in")
      .output("out", "blob", "out");
  }
  void process(const ds::item& in, ds::emitter& out) override {
    if (in.key.seq % 2 == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    out.emit(0, in.payload);
  }
};

struct job_fixture {
  ds::registry reg;
  ds::memory_pools pools;
  ds::metrics_registry metrics;
  std::atomic<int> interrupts{0};

  job_fixture() {
    ds::register_builtin_stages(reg);
    ds::add_stage<uneven_delay>(reg);
  }

  ds::job_result run(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    auto plan = ds::plan_pipeline(ds::parse_config(yaml, "test.yaml", overrides), reg);
    ds::job_options options;
    options.pools = &pools;
    options.metrics = &metrics;
    options.interrupts = &interrupts;
    return ds::run_job(plan, options);
  }

  /// Sum of a counter over a stage's replicas.
  std::uint64_t total(const std::string& stage, ds::counter ds::replica_metrics::*field) {
    return ds::test::stage_total(metrics, stage, field);
  }
  std::uint64_t sink_received() {
    return total("check", &ds::replica_metrics::items_in);
  }
};

const std::string three_stages = R"(version: 1
runtime: {window: 8, threads: 2, supervision: {max_restarts: 3, backoff_ms: 1}}
stages:
  generate: {actor: synthetic_source, count: 2000, size: 512}
  work: {actor: transform, inputs: [generate.out], replicas: 3}
  check: {actor: sink, inputs: [work.out], expect_count: -1}
)";

} // namespace

BOOST_FIXTURE_TEST_SUITE(running_jobs, job_fixture)

BOOST_AUTO_TEST_CASE(end_of_stream_ends_the_job_when_every_item_reached_the_sink) {
  ds::reset_payload_bytes_copied();
  auto result = run(three_stages, {"check.expect_count=2000"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(sink_received() == 2000u);
  BOOST_TEST(total("work", &ds::replica_metrics::items_in) == 2000u);
  BOOST_TEST(total("work", &ds::replica_metrics::items_out) == 2000u);
  BOOST_TEST(total("check", &ds::replica_metrics::bytes_in) == 2000u * 512u);
  // Only handles moved between stages.
  BOOST_TEST(ds::payload_bytes_copied() == 0u);
}

BOOST_AUTO_TEST_CASE(replicas_finishing_out_of_order_still_feed_the_sink_in_order) {
  auto result = run(R"(version: 1
runtime: {window: 4, threads: 2}
stages:
  generate: {actor: synthetic_source, count: 400, size: 64}
  work: {actor: uneven_delay, inputs: [generate.out], replicas: 4}
  check: {actor: sink, inputs: [work.out], expect_count: 400}
)");
  // The sink throws on any out-of-order item, which would fail the job.
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(sink_received() == 400u);
}

BOOST_AUTO_TEST_CASE(a_slow_consumer_bounds_memory_by_the_window) {
  constexpr std::uint64_t item_bytes = 64 * 1024;
  auto result = run(R"(version: 1
runtime: {window: 4, threads: 2}
stages:
  generate: {actor: synthetic_source, count: 300, size: 65536, fill: none}
  work: {actor: transform, inputs: [generate.out], delay_us: 300}
  check: {actor: sink, inputs: [work.out], expect_count: 300}
)");
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  // In flight at most: 4 per edge, one being processed, one waiting in each
  // producer's outbox — never the 300 the source could make.
  auto peak = pools.host().stats().peak_in_use;
  BOOST_TEST(peak <= (2 * 4 + 4) * item_bytes);
  BOOST_TEST(total("generate", &ds::replica_metrics::blocked_ns) > 0u);
}

BOOST_AUTO_TEST_CASE(a_transient_failure_restarts_the_replica_and_loses_nothing) {
  auto result = run(three_stages, {"work.flaky_items=[5, 700]", "check.expect_count=2000"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(sink_received() == 2000u);
  BOOST_TEST(total("work", &ds::replica_metrics::restarts) == 2u);
  BOOST_TEST(result.failed_items.empty());
}

BOOST_AUTO_TEST_CASE(a_poison_item_is_reported_by_stage_and_id_and_the_counts_reconcile) {
  auto result = run(three_stages, {"work.fail_items=[7]", "check.expect_count=1999"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_REQUIRE(result.failed_items.size() == 1u);
  BOOST_TEST(result.failed_items[0] == "work: item 7.0: injected failure for item 7");
  auto in = total("work", &ds::replica_metrics::items_in);
  auto out = total("work", &ds::replica_metrics::items_out);
  auto failed = total("work", &ds::replica_metrics::items_failed);
  BOOST_TEST(in == out + failed);
  BOOST_TEST(failed == 1u);
}

BOOST_AUTO_TEST_CASE(exhausted_restarts_stop_the_run_naming_the_stage_and_cause) {
  auto result = run(three_stages, {"work.fail_items=[1, 2, 3, 4, 5, 6]", "work.replicas=1"});
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("stage 'work' replica 0") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("max_restarts=3") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("injected failure") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(a_failing_close_fails_the_run_with_its_reason) {
  auto result = run(three_stages, {"check.expect_count=5"});
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("expected 5 items, received 2000") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(a_first_interrupt_drains_and_a_second_aborts) {
  const std::string slow = R"(version: 1
runtime: {threads: 2}
stages:
  generate: {actor: synthetic_source, count: 100000, size: 64, rate: 2000}
  check: {actor: sink, inputs: [generate.out]}
)";
  std::thread interrupter([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    interrupts = 1;
  });
  auto drained = run(slow);
  interrupter.join();
  BOOST_TEST((drained.outcome == ds::job_outcome::interrupted));
  auto received = sink_received();
  BOOST_TEST(received > 0u);
  BOOST_TEST(received < 100000u);
  BOOST_TEST(received == total("generate", &ds::replica_metrics::items_out));

  interrupts = 0;
  std::thread aborter([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    interrupts = 2;
  });
  auto aborted = run(R"(version: 1
runtime: {threads: 2}
stages:
  generate: {actor: synthetic_source, count: 100000, size: 64}
  work: {actor: transform, inputs: [generate.out], delay_us: 100000}
  check: {actor: sink, inputs: [work.out]}
)");
  aborter.join();
  BOOST_TEST((aborted.outcome == ds::job_outcome::aborted));
}

BOOST_AUTO_TEST_SUITE_END()
