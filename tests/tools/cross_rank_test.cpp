#define BOOST_TEST_MODULE cross_rank
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <regex>

#include "dsflow_build_config.hpp"
#include "process_runner.hpp"
#include "../support/test_text.hpp"

// Stages pinned to ranks (`rank:`) with `ds-run --local-ranks 2`: real processes, the
// libfabric transport over shm and tcp, the rendezvous and the lost-peer path.

using ds::test::contains;
using ds::test::run_process;

namespace {

const std::string ds_run = DS_RUN_PATH;
const std::string config = std::string(DSFLOW_SOURCE_DIR) + "/configs/synthetic_cross_rank.yaml";

/// The "items in" column of `stage`'s row in rank `rank`'s summary, or -1.
long items_in(const std::string& out, int rank, const std::string& stage) {
  std::smatch match;
  std::regex row{"\\[r" + std::to_string(rank) + "\\] " + stage + " +[0-9]+ +([0-9]+)"};
  return std::regex_search(out, match, row) ? std::stol(match[1]) : -1;
}

void runs_over(const std::string& provider) {
  ds::test::process_options options;
  options.env = {{"DS_FABRIC_PROVIDER", provider}};
  // 40 KiB items: over the eager limit, so every payload is read zero-copy by the receiver.
  auto result = run_process({ds_run, "--local-ranks", "2", config, "generate.count=3000",
                             "generate.size=40960", "work.hash_rounds=1"},
                            options);
  BOOST_TEST(result.exit_code == 0, result.err << result.out);
  BOOST_TEST(contains(result.err, "transport libfabric(" + provider + ")"), result.err);
  // The sink on rank 1 checked all 3000 in order; the work was shared by both ranks.
  BOOST_TEST(items_in(result.out, 1, "check") == 3000, result.out);
  const auto work0 = items_in(result.out, 0, "work");
  const auto work1 = items_in(result.out, 1, "work");
  BOOST_TEST(work0 + work1 == 3000, result.out);
  BOOST_TEST(work0 > 0);
  BOOST_TEST(work1 > 0);
  BOOST_TEST(items_in(result.out, 1, "generate") == -1, result.out);  // only on rank 0
  // Each item crossed once, always from rank 0 (generate → rank 1's work, or rank 0's work
  // → check), as a zero-copy read; rank 1 sent only headers and credits.
  const std::string line = "] transport libfabric(" + provider + "): ";
  BOOST_TEST(contains(result.out, "[r0" + line), result.out);
  BOOST_TEST(contains(result.out, ", 3000 zero-copy reads), "), result.out);
  BOOST_TEST(contains(result.out, ", 0 zero-copy reads), 117."), result.out);  // rank 1's
}

} // namespace

BOOST_AUTO_TEST_CASE(items_cross_ranks_over_shm) {
  runs_over("shm");
}

BOOST_AUTO_TEST_CASE(items_cross_ranks_over_tcp) {
  runs_over("tcp;ofi_rxm");
}

BOOST_AUTO_TEST_CASE(a_consumer_rank_that_fails_stops_the_producer_rank_blocked_on_its_credits) {
  // Rank 1's only consumer fails at item 500 for good; rank 0's source, far from done and
  // waiting for credits rank 1 will never return, is stopped by the lost-peer signal.
  auto started = std::chrono::steady_clock::now();
  auto result = run_process({ds_run, "--local-ranks", "2", config, "generate.count=10000000",
                             "work.rank=1", "work.fail_items=[500]",
                             "work.supervision.max_restarts=0"});
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(result.exit_code == 1, result.err << result.out);
  BOOST_TEST(contains(result.err, "ds-run: rank 1 failed: a stage failed (exit 1); rank 0 exited 4"),
             result.err);
  BOOST_TEST(contains(result.err, "[r0] ds-run: rank 0 stopped: rank 1 failed: stage 'work'"),
             result.err);
  BOOST_TEST(took < 20.0);
}

BOOST_AUTO_TEST_CASE(a_stage_on_a_rank_the_job_lacks_is_a_config_error) {
  auto result = run_process({ds_run, "--local-ranks", "2", config, "check.rank=5"});
  BOOST_TEST(result.exit_code == 2, result.err);
  BOOST_TEST(contains(result.err, "stages.check.rank: stage 'check' is placed on rank 5, but the job "
                                  "has 2 ranks (0 to 1)"),
             result.err);
}
