#define BOOST_TEST_MODULE references
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "config_test_support.hpp"

using namespace ds;
using namespace ds::testing;
using strings = std::vector<std::string>;

namespace {

const std::string pipeline = R"(version: 1
runtime:
  window: ${stages.gen.count}
stages:
  gen:
    actor: synthetic_source
    count: 10
    pattern: random
  work:
    actor: transform
    inputs: [gen.out]
    scale: ${stages.gen.count}
    tags: ["${stages.gen.pattern}-${stages.gen.count}", "${env:DS_TEST_TAG,none}"]
  out:
    actor: sink
    inputs: [work.out, "${stages.work.inputs.0}"]
)";

strings parse_errors(const std::string& text) {
  return errors_of([&] { parse_config(text, "p.yaml", {}); });
}

/// `version: 1` and a `stages:` map with `body` under it.
std::string stages(const std::string& body) {
  return "version: 1\nstages:\n" + body;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_lone_reference_takes_the_type_and_value_of_its_target) {
  auto plan = plan_text(pipeline);
  BOOST_TEST(plan.runtime.window == 10u);
  const auto* scale = plan.find("work")->config.find("scale");
  BOOST_TEST(std::get<double>(scale->data) == 10.0);
  BOOST_TEST(plan.find("out")->inputs.at(1).from_stage == "gen");
}

BOOST_AUTO_TEST_CASE(a_referenced_value_is_located_where_the_reference_is_written) {
  auto plan = plan_text(pipeline);
  const auto& origin = plan.find("work")->config.find("scale")->origin;
  BOOST_TEST((origin.from == value_origin::source::config_file));
  BOOST_TEST(origin.file == "p.yaml");
  BOOST_TEST(origin.line == 12);
  BOOST_TEST(origin.column == 12);
}

BOOST_AUTO_TEST_CASE(a_reference_inside_text_is_interpolated_into_a_string) {
  unsetenv("DS_TEST_TAG");
  auto plan = plan_text(pipeline);
  BOOST_TEST(plan.find("work")->config.get_string_list("tags") == strings({"random-10", "none"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_interpolated_number_is_a_string_not_an_integer) {
  auto errors = plan_errors(stages("  gen:\n    actor: synthetic_source\n    count: 1${stages.gen.pattern}\n"
                                   "    pattern: zeros\n"));
  BOOST_TEST(errors.at(0)
             == "p.yaml:5:12: stages.gen.count: expected an integer, got the string \"1zeros\"");
}

BOOST_AUTO_TEST_CASE(an_environment_reference_reads_the_variable) {
  setenv("DS_TEST_TAG", "from-env", 1);
  auto plan = plan_text(pipeline);
  unsetenv("DS_TEST_TAG");
  BOOST_TEST(plan.find("work")->config.get_string_list("tags").at(1) == "from-env");
}

BOOST_AUTO_TEST_CASE(a_lone_environment_reference_is_typed_like_plain_text) {
  setenv("DS_TEST_COUNT", "42", 1);
  auto plan = plan_text(
    stages("  gen:\n    actor: synthetic_source\n    count: ${env:DS_TEST_COUNT}\n"
           "  out:\n    actor: sink\n    inputs: [gen.out]\n"));
  unsetenv("DS_TEST_COUNT");
  BOOST_TEST(plan.find("gen")->config.get_int("count") == 42);
}

BOOST_AUTO_TEST_CASE(references_resolve_after_overrides) {
  auto plan = plan_text(pipeline, {"gen.count=20"});
  BOOST_TEST(plan.find("work")->config.get_number("scale") == 20.0);
  BOOST_TEST(plan.runtime.window == 20u);
}

BOOST_AUTO_TEST_CASE(a_reference_may_lead_through_another_reference) {
  auto doc = stages("  gen:\n    actor: synthetic_source\n    count: ${stages.alias.count}\n"
                    "  alias: ${stages.base}\n  base:\n    count: 3\n");
  auto errors = plan_errors(doc);
  // The alias is a stage without an actor, but the reference through it resolved.
  BOOST_TEST(errors == strings({"p.yaml:6:3: stages.alias: missing required key 'actor' "
                                "(the stage type; ds-run --list-actors lists them)",
                                "p.yaml:7:3: stages.base: missing required key 'actor' "
                                "(the stage type; ds-run --list-actors lists them)",
                                "p.yaml:3:3: stages.gen: output port 'gen.out' is not connected"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unset_environment_variable_without_default_is_an_error) {
  unsetenv("DS_TEST_UNSET");
  BOOST_TEST(parse_errors(stages("  gen:\n    count: ${env:DS_TEST_UNSET}\n"))
               == strings{"p.yaml:4:12: stages.gen.count: environment variable 'DS_TEST_UNSET' "
                          "is not set; write '${env:DS_TEST_UNSET,default}' to give a default"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_reference_cycle_is_reported_with_its_chain) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: ${stages.work.scale}\n"
                                 "  work:\n    scale: ${stages.gen.count}\n"))
               == strings{"p.yaml:6:12: stages.work.scale: reference cycle: stages.gen.count -> "
                          "stages.work.scale -> stages.gen.count"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_value_referring_to_itself_is_a_cycle) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: ${stages.gen.count}\n"))
               == strings{"p.yaml:4:12: stages.gen.count: reference cycle: stages.gen.count -> "
                          "stages.gen.count"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_map_referring_to_its_parent_is_a_cycle) {
  BOOST_TEST(parse_errors(stages("  gen:\n    copy: ${stages.gen}\n"))
               == strings{"p.yaml:4:11: stages.gen.copy: reference cycle: stages.gen -> "
                          "stages.gen.copy -> stages.gen"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_reference_suggests_the_closest_key) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: 1\n    other: ${stages.gen.cont}\n"))
               == strings{"p.yaml:5:12: stages.gen.other: unknown reference "
                          "'${stages.gen.cont}': 'stages.gen' has no key 'cont'; did you mean "
                          "'count'?"},
             boost::test_tools::per_element());
  BOOST_TEST(parse_errors(stages("  gen:\n    count: ${stagse.gen}\n"))
               == strings{"p.yaml:4:12: stages.gen.count: unknown reference '${stagse.gen}': "
                          "the top level has no key 'stagse'; did you mean 'stages'?"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_reference_cannot_go_into_a_scalar_or_past_a_list) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: 1\n    other: ${stages.gen.count.x}\n"
                                 "    list: [a]\n    item: ${stages.gen.list.1}\n"))
               == strings({"p.yaml:5:12: stages.gen.other: unknown reference "
                           "'${stages.gen.count.x}': 'stages.gen.count' has no key 'x'",
                           "p.yaml:7:11: stages.gen.item: unknown reference "
                           "'${stages.gen.list.1}': 'stages.gen.list' has no key '1'"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unterminated_reference_is_an_error) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: ${stages.gen\n"))
               == strings{"p.yaml:4:12: stages.gen.count: unterminated reference in "
                          "'${stages.gen': missing '}'"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_map_cannot_be_interpolated_into_text) {
  BOOST_TEST(parse_errors(stages("  gen:\n    count: 1\n  work:\n    name: x${stages.gen}\n"))
               == strings{"p.yaml:6:11: stages.work.name: cannot insert '${stages.gen}' into "
                          "text: it is a map"},
             boost::test_tools::per_element());
}
