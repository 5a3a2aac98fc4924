#define BOOST_TEST_MODULE local_ranks
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <sstream>

#include "dsflow_build_config.hpp"
#include "process_runner.hpp"
#include "../support/child_process.hpp"
#include "../support/test_text.hpp"

// `ds-run --local-ranks N`: real ranks on loopback, with the rendezvous and heartbeats.

using ds::test::contains;
using ds::test::run_process;

namespace {

const std::string ds_run = DS_RUN_PATH;
const std::string synthetic = std::string(DSFLOW_SOURCE_DIR) + "/configs/synthetic.yaml";

/// Lines of `text` that start with `prefix`.
int lines_starting_with(const std::string& text, const std::string& prefix) {
  std::istringstream lines{text};
  int count = 0;
  for (std::string line; std::getline(lines, line);)
    count += line.starts_with(prefix) ? 1 : 0;
  return count;
}

} // namespace

BOOST_AUTO_TEST_CASE(two_local_ranks_run_the_synthetic_pipeline_with_prefixed_output) {
  auto result = run_process({ds_run, "--local-ranks", "2", synthetic, "generate.count=2000"});
  BOOST_TEST(result.exit_code == 0, result.err << result.out);
  for (const std::string rank : {"0", "1"}) {
    BOOST_TEST(contains(result.out, "[r" + rank + "] completed in"), result.out);
    BOOST_TEST(lines_starting_with(result.out, "[r" + rank + "] ") > 2, result.out);
  }
  // Every line is marked with its rank, the logger's own "[r1 stage]" not twice.
  BOOST_TEST(lines_starting_with(result.out, "[r") == lines_starting_with(result.out, ""), result.out);
  BOOST_TEST(lines_starting_with(result.err, "[r") + lines_starting_with(result.err, "ds-run")
               == lines_starting_with(result.err, ""),
             result.err);
  BOOST_TEST(!contains(result.err, "[r0] [r0"), result.err);
  BOOST_TEST(contains(result.err, "[r0 coordinator] info: all 2 ranks joined"), result.err);
}

BOOST_AUTO_TEST_CASE(a_failing_rank_makes_the_launch_fail_naming_it) {
  // The sink expects DS_RANK items of none: rank 0 passes, rank 1's sink fails at the end.
  auto result = run_process({ds_run, "--local-ranks", "2", synthetic, "generate.count=0",
                             "check.expect_count=${env:DS_RANK}", "runtime.supervision.backoff_ms=1"});
  BOOST_TEST(result.exit_code == 1, result.err << result.out);
  BOOST_TEST(contains(result.err, "ds-run: rank 1 failed: a stage failed (exit 1)"), result.err);
  BOOST_TEST(!contains(result.err, "rank 0 failed"), result.err);
}

BOOST_AUTO_TEST_CASE(a_rank_with_a_bad_config_stops_the_others_within_the_grace) {
  // Rank 0 plans 0 replicas (the config reads DS_RANK) and exits 2 before it serves the
  // rendezvous; rank 1 keeps trying to reach it until the launcher stops it.
  auto started = std::chrono::steady_clock::now();
  auto result = run_process({ds_run, "--local-ranks", "2", synthetic, "generate.count=10",
                             "work.replicas=${env:DS_RANK}"});
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(result.exit_code == 2, result.err << result.out);
  BOOST_TEST(contains(result.err, "ds-run: rank 0 exited with code 2 (bad usage or config); the other "
                                  "ranks get 5.0 s to stop"),
             result.err);
  BOOST_TEST(contains(result.err, "ds-run: rank 1 did not stop within 5.0 s; killing it"), result.err);
  BOOST_TEST(contains(result.err, "ds-run: rank 0 failed: bad usage or config (exit 2)"), result.err);
  BOOST_TEST(took < 15.0);
}

BOOST_AUTO_TEST_CASE(sigint_reaches_every_rank_once_and_they_drain) {
  ds::test::child_process launcher({ds_run, "--local-ranks", "2", synthetic, "generate.count=100000000",
                                    "generate.size=64", "work.hash_rounds=1", "check.expect_count=-1",
                                    "runtime.metrics_interval_ms=50"});
  // Both pipelines run (they log progress) before the interrupt.
  BOOST_REQUIRE_MESSAGE(launcher.wait_for_output("[r0 progress]", std::chrono::seconds(30)), launcher.output());
  BOOST_REQUIRE_MESSAGE(launcher.wait_for_output("[r1 progress]", std::chrono::seconds(30)), launcher.output());
  launcher.signal(SIGINT);
  BOOST_TEST(launcher.wait(std::chrono::seconds(30)) == 3, launcher.output());
  BOOST_TEST(contains(launcher.output(), "[r0] interrupted (drained)"), launcher.output());
  BOOST_TEST(contains(launcher.output(), "[r1] interrupted (drained)"), launcher.output());
}

BOOST_AUTO_TEST_CASE(a_rank_without_a_job_token_or_coordinator_is_told_what_to_set) {
  ds::test::process_options no_token;
  no_token.env = {{"DS_RANK", "0"}, {"DS_WORLD_SIZE", "2"}, {"DS_COORDINATOR", "127.0.0.1:1"},
                  {"DS_JOB_TOKEN", ""}};
  auto result = run_process({ds_run, synthetic, "generate.count=10"}, no_token);
  BOOST_TEST(result.exit_code == 2, result.err);
  BOOST_TEST(contains(result.err, "DS_JOB_TOKEN is not set"), result.err);

  ds::test::process_options mpi;
  mpi.env = {{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}};
  result = run_process({ds_run, synthetic, "generate.count=10"}, mpi);
  BOOST_TEST(result.exit_code == 2, result.err);
  BOOST_TEST(contains(result.err, "Open MPI says rank 1 of 2"), result.err);
  BOOST_TEST(contains(result.err, "DS_COORDINATOR"), result.err);

  auto both = run_process({ds_run, "--local-ranks", "2", "--rank", "0", synthetic});
  BOOST_TEST(both.exit_code == 2);
  BOOST_TEST(contains(both.err, "--local-ranks chooses every rank itself"), both.err);
}
