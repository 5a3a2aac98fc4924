// resolve_plan_devices: every stage's `device` becomes the device it runs on, and a device the
// machine lacks is a config error naming the stage, its key and where the stage is declared.
#define BOOST_TEST_MODULE plan_devices
#include <boost/test/unit_test.hpp>

#include <string>

#include "config/config_error.hpp"
#include "config/plan_devices.hpp"

namespace {

constexpr const char* no_driver = "no CUDA device: cudaErrorInsufficientDriver (...)";

ds::pipeline_plan plan_with(std::initializer_list<std::pair<const char*, const char*>> stages) {
  ds::pipeline_plan plan;
  int line = 3;
  for (const auto& [name, device] : stages) {
    ds::stage_plan stage;
    stage.name = name;
    stage.device = device;
    stage.origin.from = ds::value_origin::source::config_file;
    stage.origin.file = "job.yaml";
    stage.origin.line = line;
    stage.origin.column = 3;
    line += 4;
    plan.stages.push_back(std::move(stage));
  }
  return plan;
}

} // namespace

BOOST_AUTO_TEST_CASE(without_a_gpu_auto_becomes_cpu_with_one_notice_for_all_stages) {
  auto plan = plan_with({{"reader", "cpu"}, {"compute", "auto"}, {"loss", "auto"}});
  auto notices = ds::resolve_plan_devices(plan, 0, no_driver);
  BOOST_TEST(notices.size() == 1u);
  BOOST_TEST(notices.front() == std::string{"device auto: "} + no_driver
                                  + "; running on the CPU");
  for (const auto& stage : plan.stages)
    BOOST_TEST(stage.device == "cpu");
}

BOOST_AUTO_TEST_CASE(with_gpus_auto_becomes_cuda_0_and_cuda_n_stays) {
  auto plan = plan_with({{"compute", "auto"}, {"other", "cuda:1"}});
  BOOST_TEST(ds::resolve_plan_devices(plan, 2, "").empty());
  BOOST_TEST(plan.stages[0].device == "cuda:0");
  BOOST_TEST(plan.stages[1].device == "cuda:1");
  BOOST_TEST(ds::resolve_plan_devices(plan, 2, "").empty(), "resolving twice is harmless");
  BOOST_TEST(plan.stages[0].device == "cuda:0");
}

BOOST_AUTO_TEST_CASE(a_missing_gpu_names_the_stage_the_key_and_the_place) {
  auto plan = plan_with({{"reader", "auto"}, {"compute", "cuda:0"}, {"bad", "gpu"}});
  try {
    ds::resolve_plan_devices(plan, 0, no_driver);
    BOOST_FAIL("expected ds::config_error");
  } catch (const ds::config_error& error) {
    const auto& problems = error.diagnostics();
    BOOST_REQUIRE(problems.size() == 2u);
    const std::string missing = problems[0].to_string();
    BOOST_TEST(missing.starts_with("job.yaml:7:3: stages.compute.device: stage 'compute': "
                                   "device cuda:0 does not exist: this machine has 0 usable "
                                   "CUDA devices"),
               missing);
    const std::string bad = problems[1].to_string();
    BOOST_TEST(bad.find("stages.bad.device: stage 'bad': invalid device 'gpu'")
                 != std::string::npos,
               bad);
  }
  BOOST_TEST(plan.stages[0].device == "auto", "a failed resolution changes nothing");
}
