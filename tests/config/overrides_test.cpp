#define BOOST_TEST_MODULE overrides
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"

using namespace ds;
using namespace ds::testing;
using strings = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(a_stage_name_first_is_short_for_stages_dot_name) {
  auto plan = plan_text(linear_pipeline, {"gen.count=5"});
  BOOST_TEST(plan.find("gen")->config.get_int("count") == 5);
}

BOOST_AUTO_TEST_CASE(a_full_path_override_sets_the_value_and_records_the_command_line) {
  auto plan = plan_text(linear_pipeline, {"stages.gen.count=7"});
  const auto* count = plan.find("gen")->config.find("count");
  BOOST_TEST(std::get<std::int64_t>(count->data) == 7);
  BOOST_TEST((count->origin.from == value_origin::source::command_line));
  BOOST_TEST(count->origin.file == "stages.gen.count=7");
}

BOOST_AUTO_TEST_CASE(the_last_of_two_overrides_of_one_key_wins) {
  auto plan = plan_text(linear_pipeline, {"gen.count=5", "gen.count=6"});
  BOOST_TEST(plan.find("gen")->config.get_int("count") == 6);
}

BOOST_AUTO_TEST_CASE(a_plus_override_adds_keys_the_file_does_not_have) {
  auto plan = plan_text(linear_pipeline,
                        {"+work.replicas=2", "+work.scale=3e-4", "+work.verbose=true",
                         "+work.tags=[a, b]", "+runtime.window=4"});
  const auto& work = *plan.find("work");
  BOOST_TEST(work.replicas == 2u);
  BOOST_TEST(work.config.get_number("scale") == 3e-4);
  BOOST_TEST(work.config.get_bool("verbose"));
  BOOST_TEST(work.config.get_string_list("tags") == strings({"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(plan.runtime.window == 4u);
  BOOST_TEST(work.window == 4u);
}

BOOST_AUTO_TEST_CASE(a_plus_override_of_an_existing_key_replaces_it) {
  auto plan = plan_text(linear_pipeline, {"+gen.count=3"});
  BOOST_TEST(plan.find("gen")->config.get_int("count") == 3);
}

BOOST_AUTO_TEST_CASE(an_override_value_is_yaml_so_a_flow_list_rebinds_inputs) {
  auto plan = plan_text(linear_pipeline, {"out.inputs=[gen.out,work.out]"});
  const auto& inputs = plan.find("out")->inputs;
  BOOST_TEST_REQUIRE(inputs.size() == 2u);
  BOOST_TEST(inputs[0].from_stage == "gen");
  BOOST_TEST(inputs[1].from_stage == "work");
}

BOOST_AUTO_TEST_CASE(an_override_of_a_mistyped_stage_key_suggests_the_closest_one) {
  // Keys inside a stage may be set without '+' (the schema knows them), so a
  // typo is caught by validation, which blames the override.
  BOOST_TEST(plan_errors(linear_pipeline, {"gen.cont=5"})
               == strings{"command line: stages.gen.cont: unknown key 'cont' for actor "
                          "'synthetic_source'; did you mean 'count'? (in override 'gen.cont=5')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_schema_key_left_out_of_the_file_can_be_overridden_without_a_plus) {
  auto plan = plan_text(linear_pipeline, {"runtime.window=4", "runtime.supervision.backoff_ms=7"});
  BOOST_TEST(plan.runtime.window == 4u);
  BOOST_TEST(plan.runtime.supervision.backoff_ms == 7);
}

BOOST_AUTO_TEST_CASE(an_override_of_a_missing_top_level_section_needs_a_plus) {
  BOOST_TEST(plan_errors(linear_pipeline, {"plugins.x=4"})
               == strings{"command line: plugins: unknown key 'plugins' at the top level "
                          "('+plugins.x=...' adds a new key) (in override 'plugins.x=4')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_override_without_equals_sign_is_malformed) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gen.count"})
               == strings{"command line: malformed override: expected 'key=value' "
                          "(in override 'gen.count')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_override_with_an_empty_key_component_is_malformed) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gen..count=1"})
               == strings{"command line: gen..count: malformed override: empty key in "
                          "'key=value' (in override 'gen..count=1')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_override_naming_neither_a_section_nor_a_stage_suggests_one) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gne.count=1"})
               == strings{"command line: gne: 'gne' is neither a top-level key (version, "
                          "plugins, runtime, stages) nor a stage name; did you mean 'gen'? "
                          "(in override 'gne.count=1')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_override_cannot_go_through_a_scalar) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gen.count.x=1"})
               == strings{"command line: stages.gen.count.x: cannot set 'x': 'stages.gen.count' "
                          "is '10', not a map (in override 'gen.count.x=1')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_override_value_with_a_yaml_error_is_reported) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gen.count=[1"})
               == strings{"command line: stages.gen.count: YAML syntax error: end of sequence "
                          "flow not found (in override 'gen.count=[1')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_overridden_value_is_validated_and_blamed_on_the_override) {
  BOOST_TEST(plan_errors(linear_pipeline, {"gen.count=0"})
               == strings{"command line: stages.gen.count: value 0 is out of range "
                          "[1, 1000000000] (in override 'gen.count=0')"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_bad_override_is_reported_at_once) {
  auto errors = plan_errors(linear_pipeline, {"gen.count", "gne.count=1", "plugins.x=2"});
  BOOST_TEST(errors.size() == 3u);
}
