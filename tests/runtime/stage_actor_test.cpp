#define BOOST_TEST_MODULE stage_actor
#include <boost/test/unit_test.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "../support/stage_totals.hpp"
#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "runtime/job_graph.hpp"

// The actor wrapper under CAF's deterministic scheduler: every message is
// delivered by the test, one at a time, and timeouts fire only when told to.

namespace {

using namespace ds::runtime;

struct job_reports {
  std::size_t done = 0;
  std::vector<std::string> fatal;
  std::vector<std::string> failed_items;
};

caf::behavior collector(caf::event_based_actor*, job_reports* reports) {
  return {
    [=](done_atom, const std::string&, std::uint32_t) { ++reports->done; },
    [=](fatal_atom, const std::string& why) { reports->fatal.push_back(why); },
    [=](item_failed_atom, const std::string& stage, const std::string& report) {
      reports->failed_items.push_back(stage + ": " + report);
    },
  };
}

caf::actor_system_config deterministic_config() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

struct fixture {
  ds::registry reg;
  ds::memory_pools pools;
  ds::metrics_registry metrics;
  ds::pipeline_plan plan;
  job_reports reports;
  caf::actor_system_config cfg = deterministic_config();
  caf::actor_system system{cfg};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
  std::unique_ptr<job_graph> graph;

  fixture() { ds::register_builtin_stages(reg); }
  ~fixture() {
    for (const auto& actor : graph->all_actors())
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void start(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    plan = ds::plan_pipeline(ds::parse_config(yaml, "test.yaml", overrides), reg);
    ds::job_options options;
    options.pools = &pools;
    options.metrics = &metrics;
    auto job = system.spawn(collector, &reports);
    graph = std::make_unique<job_graph>(spawn_job_graph(system, plan, options, job));
    graph->start(plan);
  }

  std::uint64_t total(const std::string& stage, ds::counter ds::replica_metrics::*field) {
    return ds::test::stage_total(metrics, stage, field);
  }
};

const std::string pipeline = R"(version: 1
runtime: {window: 4, supervision: {max_restarts: 2, backoff_ms: 1000}}
stages:
  generate: {actor: synthetic_source, count: 200, size: 128}
  work: {actor: transform, inputs: [generate.out], replicas: 2}
  check: {actor: sink, inputs: [work.out], expect_count: 200}
)";

} // namespace

BOOST_FIXTURE_TEST_SUITE(deterministic, fixture)

BOOST_AUTO_TEST_CASE(every_replica_finishes_and_every_item_reaches_the_sink) {
  start(pipeline);
  sched.run();
  BOOST_TEST(reports.done == graph->replica_count);
  BOOST_TEST(reports.fatal.empty());
  BOOST_TEST(total("check", &ds::replica_metrics::items_in) == 200u);
}

BOOST_AUTO_TEST_CASE(items_in_flight_to_a_stage_never_exceed_its_windows) {
  start(pipeline);
  const std::uint64_t bound = 4 * 2 + 1;  // window × replicas + one waiting in the outbox
  std::uint64_t worst = 0;
  while (sched.try_run_once()) {
    auto sent = total("generate", &ds::replica_metrics::items_out);
    auto processed = total("work", &ds::replica_metrics::items_out);
    worst = std::max(worst, sent - processed);
    BOOST_REQUIRE(sent - processed <= bound);
  }
  BOOST_TEST(worst == bound);  // the window is used fully, and never overrun
  BOOST_TEST(reports.done == graph->replica_count);
}

BOOST_AUTO_TEST_CASE(a_restart_waits_for_the_supervisors_backoff) {
  start(pipeline, {"work.flaky_items=[10]"});
  sched.run();
  BOOST_TEST(reports.done < graph->replica_count);
  BOOST_TEST(sched.has_pending_timeout());
  BOOST_TEST(total("work", &ds::replica_metrics::restarts) == 0u);
  sched.trigger_timeouts();
  sched.run();
  BOOST_TEST(total("work", &ds::replica_metrics::restarts) == 1u);
  BOOST_TEST(reports.done == graph->replica_count);
  BOOST_TEST(total("check", &ds::replica_metrics::items_in) == 200u);
}

BOOST_AUTO_TEST_CASE(the_supervisor_gives_up_after_max_restarts_naming_the_stage) {
  start(pipeline, {"work.fail_items=[10, 11, 12, 13, 14, 15]", "work.replicas=1"});
  while (reports.fatal.empty() && (sched.run() > 0 || sched.trigger_timeouts() > 0)) {
  }
  BOOST_REQUIRE(reports.fatal.size() == 1u);
  BOOST_TEST(reports.fatal[0].find("stage 'work' replica 0 failed after 2 restarts") == 0u,
             reports.fatal[0]);
}

BOOST_AUTO_TEST_SUITE_END()
