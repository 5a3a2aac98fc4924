#define BOOST_TEST_MODULE runtime_params
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "config_test_support.hpp"

using namespace ds;
using namespace ds::testing;
using strings = std::vector<std::string>;

namespace {

/// Sets an environment variable for one test and removes it afterwards.
struct scoped_env {
  scoped_env(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~scoped_env() { unsetenv(name_); }
  const char* name_;
};

/// `linear_pipeline` with a `runtime:` section inserted after the version.
std::string with_runtime(const std::string& section) {
  return "version: 1\nruntime:\n" + section + linear_pipeline.substr(linear_pipeline.find('\n') + 1);
}

const param_entry& param(const pipeline_plan& plan, const std::string& key) {
  for (const auto& entry : plan.params)
    if (entry.key == key)
      return entry;
  BOOST_FAIL("no param " + key);
  return plan.params.front();
}

} // namespace

BOOST_AUTO_TEST_CASE(every_knob_is_listed_with_its_variable_default_and_help) {
  auto plan = plan_text(linear_pipeline);
  strings keys, envs, values;
  for (const auto& entry : plan.params) {
    keys.push_back(entry.key);
    envs.push_back(entry.env);
    values.push_back(entry.value);
    BOOST_TEST(!entry.help.empty());
    BOOST_TEST(entry.origin.describe() == "default");
  }
  BOOST_TEST(keys == strings({"runtime.window", "runtime.threads", "runtime.metrics_interval_ms",
                              "runtime.log_level", "runtime.supervision.max_restarts",
                              "runtime.supervision.backoff_ms", "runtime.rendezvous_timeout_ms",
                              "runtime.heartbeat_interval_ms", "runtime.heartbeat_timeout_ms",
                              "runtime.fabric_provider"}),
             boost::test_tools::per_element());
  BOOST_TEST(envs == strings({"DS_WINDOW", "DS_THREADS", "DS_METRICS_INTERVAL_MS", "DS_LOG_LEVEL",
                              "DS_MAX_RESTARTS", "DS_RESTART_BACKOFF_MS", "DS_RENDEZVOUS_TIMEOUT_MS",
                              "DS_HEARTBEAT_INTERVAL_MS", "DS_HEARTBEAT_TIMEOUT_MS",
                              "DS_FABRIC_PROVIDER"}),
             boost::test_tools::per_element());
  BOOST_TEST(values == strings({"16", "0", "1000", "info", "3", "50", "60000", "1000", "10000",
                                "auto"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(knobs_in_the_file_are_read_and_located) {
  auto plan = plan_text(with_runtime("  window: 8\n  threads: 2\n  metrics_interval_ms: 500\n"
                                     "  log_level: debug\n"
                                     "  supervision: {max_restarts: 7, backoff_ms: 0}\n"));
  BOOST_TEST(plan.runtime.window == 8u);
  BOOST_TEST(plan.runtime.threads == 2u);
  BOOST_TEST(plan.runtime.metrics_interval_ms == 500u);
  BOOST_TEST(plan.runtime.log_level == "debug");
  BOOST_TEST(plan.runtime.supervision.max_restarts == 7);
  BOOST_TEST(plan.runtime.supervision.backoff_ms == 0);
  BOOST_TEST(param(plan, "runtime.window").origin.describe() == "p.yaml:3:11");
  BOOST_TEST(param(plan, "runtime.supervision.max_restarts").value == "7");
}

BOOST_AUTO_TEST_CASE(the_fabric_provider_comes_from_the_file_or_its_variable) {
  BOOST_TEST(plan_text(with_runtime("  window: 8\n")).runtime.fabric_provider == "auto");
  auto plan = plan_text(with_runtime("  fabric_provider: tcp;ofi_rxm\n"));
  BOOST_TEST(plan.runtime.fabric_provider == "tcp;ofi_rxm");
  scoped_env provider{"DS_FABRIC_PROVIDER", "shm"};
  plan = plan_text(with_runtime("  fabric_provider: tcp;ofi_rxm\n"));
  BOOST_TEST(plan.runtime.fabric_provider == "shm");
  BOOST_TEST(param(plan, "runtime.fabric_provider").origin.describe() == "env DS_FABRIC_PROVIDER");
}

BOOST_AUTO_TEST_CASE(stages_inherit_the_runtime_window_and_supervision) {
  auto plan = plan_text(with_runtime("  window: 8\n  supervision: {max_restarts: 7}\n"));
  BOOST_TEST(plan.find("work")->window == 8u);
  BOOST_TEST(plan.find("work")->supervision.max_restarts == 7);
  BOOST_TEST(plan.find("work")->supervision.backoff_ms == 50);
}

BOOST_AUTO_TEST_CASE(the_environment_beats_the_file) {
  scoped_env window{"DS_WINDOW", "32"};
  auto plan = plan_text(with_runtime("  window: 8\n"));
  BOOST_TEST(plan.runtime.window == 32u);
  BOOST_TEST(param(plan, "runtime.window").origin.describe() == "env DS_WINDOW");
}

BOOST_AUTO_TEST_CASE(the_environment_beats_the_default) {
  scoped_env level{"DS_LOG_LEVEL", "warn"};
  scoped_env backoff{"DS_RESTART_BACKOFF_MS", "5"};
  auto plan = plan_text(linear_pipeline);
  BOOST_TEST(plan.runtime.log_level == "warn");
  BOOST_TEST(plan.runtime.supervision.backoff_ms == 5);
  BOOST_TEST(plan.find("gen")->supervision.backoff_ms == 5);
}

BOOST_AUTO_TEST_CASE(the_command_line_beats_the_environment) {
  scoped_env window{"DS_WINDOW", "32"};
  auto plan = plan_text(with_runtime("  window: 8\n"), {"runtime.window=4"});
  BOOST_TEST(plan.runtime.window == 4u);
  BOOST_TEST(param(plan, "runtime.window").origin.describe() == "command line 'runtime.window=4'");
}

BOOST_AUTO_TEST_CASE(an_invalid_environment_value_names_the_variable) {
  scoped_env threads{"DS_THREADS", "abc"};
  scoped_env window{"DS_WINDOW", "0"};
  scoped_env level{"DS_LOG_LEVEL", "inf"};
  BOOST_TEST(plan_errors(linear_pipeline)
               == strings({"environment: runtime.window: value 0 is out of range [1, 65536] "
                           "(from DS_WINDOW)",
                           "environment: runtime.threads: expected an integer, got 'abc' "
                           "(from DS_THREADS)",
                           "environment: runtime.log_level: 'inf' is not one of trace, debug, "
                           "info, warn, error, off; did you mean 'info'? (from DS_LOG_LEVEL)"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_runtime_values_in_the_file_are_located) {
  BOOST_TEST(plan_errors(with_runtime("  metrics_interval_ms: 5\n  log_level: [info]\n"))
               == strings({"p.yaml:3:24: runtime.metrics_interval_ms: value 5 is out of range "
                           "[10, 3600000]",
                           "p.yaml:4:14: runtime.log_level: expected a string, got a list"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_runtime_key_suggests_the_closest_one) {
  BOOST_TEST(plan_errors(with_runtime("  windw: 4\n  supervision:\n    max_restart: 1\n"))
               == strings({"p.yaml:3:3: runtime.windw: unknown key 'windw'; did you mean 'window'?",
                           "p.yaml:5:5: runtime.supervision.max_restart: unknown key "
                           "'max_restart'; did you mean 'max_restarts'?"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_runtime_section_that_is_not_a_map_is_an_error) {
  BOOST_TEST(plan_errors("version: 1\nruntime: 5\n" + linear_pipeline.substr(11))
               == strings{"p.yaml:2:10: runtime: expected a map, got '5'"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(with_runtime("  supervision: off\n"))
               == strings{"p.yaml:3:16: runtime.supervision: expected a map, got 'off'"},
             boost::test_tools::per_element());
}
