#define BOOST_TEST_MODULE ds_run
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "dsflow_build_config.hpp"
#include "process_runner.hpp"
#include "../support/test_text.hpp"

namespace fs = std::filesystem;
using ds::test::run_process;

namespace {

const std::string ds_run = DS_RUN_PATH;

/// Writes `text` to a fresh file in a temporary folder and returns its path.
std::string write_config(const std::string& name, const std::string& text) {
  auto dir = fs::temp_directory_path() / ("dsflow-ds-run-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto path = dir / name;
  std::ofstream{path} << text;
  return path.string();
}

using ds::test::contains;

const std::string small_pipeline = R"(version: 1
stages:
  generate:
    actor: synthetic_source
    count: 500
  work:
    actor: transform
    inputs: [generate.out]
  check:
    actor: sink
    inputs: [work.out]
)";

} // namespace

BOOST_AUTO_TEST_CASE(every_file_in_configs_passes_dry_run) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path{DSFLOW_SOURCE_DIR} / "configs")) {
    if (entry.path().extension() != ".yaml")
      continue;
    auto result = run_process({ds_run, entry.path().string(), "--dry-run"});
    BOOST_TEST(result.exit_code == 0, entry.path() << ": " << result.err);
    BOOST_TEST(contains(result.out, "stages:"));
    ++checked;
  }
  BOOST_TEST(checked > 0);
}

BOOST_AUTO_TEST_CASE(a_mistyped_key_is_named_with_file_line_column_and_a_suggestion) {
  auto path = write_config("typo.yaml", small_pipeline + "    replicass: 2\n");
  auto result = run_process({ds_run, path, "--dry-run"});
  BOOST_TEST(result.exit_code == 2);
  BOOST_TEST(contains(result.err, path + ":12:5: stages.check.replicass: unknown key 'replicass' "
                                         "for actor 'sink'; did you mean 'replicas'?"),
             result.err);
}

BOOST_AUTO_TEST_CASE(overrides_and_references_reach_the_plan) {
  auto path = write_config("refs.yaml", R"(version: 1
stages:
  generate: {actor: synthetic_source, count: 77}
  check:
    actor: sink
    inputs: [generate.out]
    expect_count: ${stages.generate.count}
)");
  auto result = run_process({ds_run, path, "--dry-run", "generate.count=78"});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "count: 78"));
  BOOST_TEST(contains(result.out, "expect_count: 78"));
  auto bad = run_process({ds_run, path, "--dry-run", "generate.cuont=1"});
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.err, "did you mean 'count'?"), bad.err);
}

BOOST_AUTO_TEST_CASE(devices_are_resolved_once_at_start_and_a_missing_gpu_names_the_stage) {
  auto path = write_config("devices.yaml", small_pipeline);
  auto automatic = run_process({ds_run, path, "work.device=auto", "check.device=auto"});
  BOOST_TEST(automatic.exit_code == 0, automatic.err);
  // Without a usable GPU "auto" means the CPU, said once for the whole job; with one, cuda:0.
  const auto notice = automatic.err.find("running on the CPU");
  if (notice != std::string::npos) {
    BOOST_TEST(contains(automatic.err, "device auto: no CUDA device"), automatic.err);
    BOOST_TEST(automatic.err.find("running on the CPU", notice + 1) == std::string::npos,
               automatic.err);
  }
  auto missing = run_process({ds_run, path, "work.device=cuda:999"});
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(contains(missing.err, "stages.work.device: stage 'work': device cuda:999 does not "
                                   "exist: this machine has "),
             missing.err);
  auto dry = run_process({ds_run, path, "work.device=cuda:999", "--dry-run"});
  BOOST_TEST(dry.exit_code == 0, "--dry-run plans for any machine: " << dry.err);
}

BOOST_AUTO_TEST_CASE(a_run_ends_with_a_summary_and_writes_metrics_and_graph) {
  auto path = write_config("run.yaml", small_pipeline);
  auto metrics = path + ".metrics.jsonl";
  auto graph = path + ".dot";
  auto result = run_process({ds_run, path, "--metrics-out", metrics, "--graph", graph});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "completed in"));
  std::ifstream lines{metrics};
  std::string line;
  bool saw_sink = false;
  while (std::getline(lines, line))
    saw_sink = saw_sink || (contains(line, "\"stage\":\"check\"") && contains(line, "\"items_in\":500"));
  BOOST_TEST(saw_sink);
  std::ifstream dot{graph};
  std::string first;
  std::getline(dot, first);
  BOOST_TEST(contains(first, "digraph"));
}

BOOST_AUTO_TEST_CASE(a_stage_that_exhausts_its_restarts_exits_1_naming_it) {
  auto path = write_config("fail.yaml", small_pipeline);
  auto result = run_process({ds_run, path, "work.fail_items=[1,2,3,4,5]",
                             "runtime.supervision.backoff_ms=1"});
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(contains(result.out, "stage 'work' replica 0"), result.out);
}

BOOST_AUTO_TEST_CASE(sigint_drains_with_exit_3_and_a_second_one_aborts_with_130) {
  auto path = write_config("slow.yaml", R"(version: 1
stages:
  generate: {actor: synthetic_source, count: 1000000, rate: 5000}
  check: {actor: sink, inputs: [generate.out]}
)");
  ds::test::process_options once;
  once.signals = {{std::chrono::milliseconds(700), SIGINT}};
  auto drained = run_process({ds_run, path}, once);
  BOOST_TEST(drained.exit_code == 3, drained.err);
  BOOST_TEST(contains(drained.out, "interrupted (drained)"));

  auto stuck = write_config("stuck.yaml", R"(version: 1
stages:
  generate: {actor: synthetic_source, count: 1000000}
  work: {actor: transform, inputs: [generate.out], delay_us: 200000}
  check: {actor: sink, inputs: [work.out]}
)");
  ds::test::process_options twice;
  twice.signals = {{std::chrono::milliseconds(700), SIGINT}, {std::chrono::milliseconds(900), SIGINT}};
  auto aborted = run_process({ds_run, stuck}, twice);
  BOOST_TEST(aborted.exit_code == 130, aborted.err);
}

BOOST_AUTO_TEST_CASE(describe_and_list_actors_show_the_schemas) {
  auto described = run_process({ds_run, "--describe", "transform"});
  BOOST_TEST(described.exit_code == 0);
  BOOST_TEST(contains(described.out, "hash_rounds"));
  auto unknown = run_process({ds_run, "--describe", "transfrom"});
  BOOST_TEST(unknown.exit_code == 2);
  auto listed = run_process({ds_run, "--list-actors"});
  BOOST_TEST(contains(listed.out, "synthetic_source"));
  BOOST_TEST(contains(listed.out, "sink"));
}

BOOST_AUTO_TEST_CASE(a_plugin_named_in_the_config_runs_its_stage) {
  auto path = write_config("plugin.yaml", std::string(R"(version: 1
plugins: [)") + EXAMPLE_PLUGIN_PATH + R"(]
stages:
  generate: {actor: synthetic_source, count: 300}
  shout: {actor: uppercase, inputs: [generate.out]}
  check: {actor: sink, inputs: [shout.out], expect_count: 300}
)");
  auto result = run_process({ds_run, path});
  BOOST_TEST(result.exit_code == 0, result.err << result.out);
  auto listed = run_process({ds_run, "--list-actors", "--plugin", EXAMPLE_PLUGIN_PATH});
  BOOST_TEST(contains(listed.out, "uppercase"));
}

BOOST_AUTO_TEST_CASE(a_plugin_of_another_abi_is_refused_with_the_reason) {
  auto result = run_process({ds_run, "--list-actors", "--plugin", BAD_ABI_PLUGIN_PATH});
  BOOST_TEST(result.exit_code == 2);
  BOOST_TEST(contains(result.err, "ABI v999"), result.err);
}

BOOST_AUTO_TEST_CASE(dump_params_says_where_each_value_came_from) {
  auto path = write_config("params.yaml", small_pipeline);
  ds::test::process_options env;
  env.env = {{"DS_WINDOW", "7"}};
  auto result = run_process({ds_run, path, "--dump-params", "runtime.threads=1"}, env);
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "DS_WINDOW"));
  BOOST_TEST(contains(result.out, "stages.generate.count"));
}
