#define BOOST_TEST_MODULE plan_validation
#include <boost/test/unit_test.hpp>

#include <thread>

#include "config_test_support.hpp"

using namespace ds;
using namespace ds::testing;
using strings = std::vector<std::string>;

namespace {

/// gen → work → out with `work_keys` (each line indented by four spaces) at line 9.
std::string with_work_keys(const std::string& work_keys) {
  return "version: 1\n"
         "stages:\n"
         "  gen:\n"
         "    actor: synthetic_source\n"
         "  work:\n"
         "    actor: transform\n"
         "    inputs: [gen.out]\n"
         "  # work's extra keys start at line 9\n"
         + work_keys
         + "  out:\n"
           "    actor: sink\n"
           "    inputs: [work.out]\n";
}

} // namespace

BOOST_AUTO_TEST_CASE(keys_from_the_file_are_typed_and_located) {
  auto plan = plan_text(linear_pipeline);
  const auto& gen = *plan.find("gen");
  BOOST_TEST(gen.config.stage_name() == "gen");
  const auto* count = gen.config.find("count");
  BOOST_TEST(std::get<std::int64_t>(count->data) == 10);
  BOOST_TEST(count->origin.describe() == "p.yaml:5:12");
  BOOST_TEST(gen.origin.describe() == "p.yaml:3:3");
  BOOST_TEST(gen.type->schema.name == "synthetic_source");
}

BOOST_AUTO_TEST_CASE(defaults_fill_every_key_the_file_leaves_out) {
  auto plan = plan_text(linear_pipeline);
  const auto& gen = *plan.find("gen");
  BOOST_TEST(gen.config.get_string("pattern") == "zeros");
  BOOST_TEST((gen.config.find("pattern")->origin.from == value_origin::source::schema_default));
  const auto& work = *plan.find("work");
  BOOST_TEST(work.config.get_number("scale") == 1.0);
  BOOST_TEST(!work.config.get_bool("verbose"));
  BOOST_TEST(work.config.get_string_list("tags").empty());
  BOOST_TEST(work.replicas == 1u);
  BOOST_TEST(!work.replicas_auto);
  BOOST_TEST(work.device == "cpu");
  BOOST_TEST(work.window == 16u);
  BOOST_TEST(work.supervision.max_restarts == 3);
}

BOOST_AUTO_TEST_CASE(the_reserved_stage_keys_are_read) {
  auto plan = plan_text(with_work_keys("    replicas: 2\n    device: cuda:1\n    window: 4\n"
                                       "    supervision: {max_restarts: 5, backoff_ms: 10}\n"
                                       "    scale: 5\n    tags: [a, b]\n    verbose: true\n"));
  const auto& work = *plan.find("work");
  BOOST_TEST(work.replicas == 2u);
  BOOST_TEST(work.device == "cuda:1");
  BOOST_TEST(work.window == 4u);
  BOOST_TEST(work.supervision.max_restarts == 5);
  BOOST_TEST(work.supervision.backoff_ms == 10);
  BOOST_TEST(work.config.get_number("scale") == 5.0);  // an integer is a number too
  BOOST_TEST(work.config.get_string_list("tags") == strings({"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(work.config.get_bool("verbose"));
}

BOOST_AUTO_TEST_CASE(replicas_auto_means_one_per_core) {
  auto plan = plan_text(with_work_keys("    replicas: auto\n    device: auto\n"));
  const auto& work = *plan.find("work");
  BOOST_TEST(work.replicas_auto);
  BOOST_TEST(work.replicas == std::max(1u, std::thread::hardware_concurrency()));
  BOOST_TEST(work.device == "auto");
}

BOOST_AUTO_TEST_CASE(the_version_is_required_and_must_be_one) {
  auto body = linear_pipeline.substr(linear_pipeline.find('\n') + 1);
  BOOST_TEST(plan_errors(body)
               == strings{"p.yaml:1:1: version: missing required key 'version' (write 'version: 1')"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: 2\n" + body)
               == strings{"p.yaml:1:10: version: unsupported version 2; only version 1 is supported"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: one\n" + body)
               == strings{"p.yaml:1:10: version: expected an integer, got 'one'"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_top_level_key_suggests_the_closest_one) {
  BOOST_TEST(plan_errors(linear_pipeline + "plugin: [a.so]\n")
               == strings{"p.yaml:12:1: plugin: unknown top-level key 'plugin'; did you mean "
                          "'plugins'?"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stages_are_required_as_a_non_empty_map) {
  BOOST_TEST(plan_errors("version: 1\n")
               == strings{"p.yaml:1:1: stages: missing required key 'stages' (a map from stage "
                          "name to stage)"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: 1\nstages: [gen]\n")
               == strings{"p.yaml:2:9: stages: expected a map from stage name to stage, got a list"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: 1\nstages: {}\n")
               == strings{"p.yaml:2:9: stages: no stages: a pipeline needs at least one stage"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stage_that_is_not_a_map_is_an_error) {
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen: synthetic_source\n")
               == strings{"p.yaml:3:8: stages.gen: expected a map with 'actor' and the stage's "
                          "keys, got 'synthetic_source'"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stage_name_must_be_lowercase_snake_case) {
  BOOST_TEST(plan_errors("version: 1\nstages:\n  Gen:\n    actor: sink\n    inputs: [9s.out]\n"
                         "  9s:\n    actor: synthetic_source\n")
               == strings({"p.yaml:3:3: stages.Gen: invalid stage name 'Gen': use lowercase "
                           "letters, digits and '_', not starting with a digit",
                           "p.yaml:6:3: stages.9s: invalid stage name '9s': use lowercase "
                           "letters, digits and '_', not starting with a digit"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stage_needs_a_known_actor) {
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen:\n    count: 1\n")
               == strings{"p.yaml:3:3: stages.gen: missing required key 'actor' (the stage type; "
                          "ds-run --list-actors lists them)"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen:\n    actor: synthetic_sorce\n")
               == strings{"p.yaml:4:12: stages.gen.actor: unknown actor 'synthetic_sorce'; did "
                          "you mean 'synthetic_source'? (ds-run --list-actors lists them)"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen:\n    actor: [sink]\n")
               == strings{"p.yaml:4:12: stages.gen.actor: expected a string, got a list"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_stage_key_suggests_the_closest_one) {
  BOOST_TEST(plan_errors(with_work_keys("    replicass: 2\n    scal: 2\n    colour: red\n"))
               == strings({"p.yaml:9:5: stages.work.replicass: unknown key 'replicass' for actor "
                           "'transform'; did you mean 'replicas'?",
                           "p.yaml:10:5: stages.work.scal: unknown key 'scal' for actor "
                           "'transform'; did you mean 'scale'?",
                           "p.yaml:11:5: stages.work.colour: unknown key 'colour' for actor "
                           "'transform'"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(values_of_the_wrong_type_are_errors) {
  BOOST_TEST(plan_errors(with_work_keys("    scale: abc\n    verbose: yes\n    tags: a\n"
                                        "    replicas: \"2\"\n"))
               == strings({"p.yaml:9:12: stages.work.scale: expected a number, got 'abc'",
                           "p.yaml:10:14: stages.work.verbose: expected true or false, got 'yes'",
                           "p.yaml:11:11: stages.work.tags: expected a list of strings such as "
                           "[a, b], got 'a'",
                           "p.yaml:12:15: stages.work.replicas: expected an integer, got the "
                           "string \"2\""}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_integer_key_rejects_fractions_and_words) {
  auto doc = [](const std::string& count) {
    return "version: 1\nstages:\n  gen:\n    actor: synthetic_source\n    count: " + count
           + "\n  out:\n    actor: sink\n    inputs: [gen.out]\n";
  };
  BOOST_TEST(plan_errors(doc("1.5"))
               == strings{"p.yaml:5:12: stages.gen.count: expected an integer, got '1.5'"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(doc("abc"))
               == strings{"p.yaml:5:12: stages.gen.count: expected an integer, got 'abc'"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(doc("{n: 1}"))
               == strings{"p.yaml:5:12: stages.gen.count: expected an integer, got a map"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(doc(""))
               == strings{"p.yaml:5:5: stages.gen.count: expected an integer, got nothing"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_list_item_that_is_not_a_string_is_an_error) {
  BOOST_TEST(plan_errors(with_work_keys("    tags: [a, [b]]\n"))
               == strings{"p.yaml:9:15: stages.work.tags.1: expected a string, got a list"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(values_out_of_range_name_the_range) {
  BOOST_TEST(plan_errors(with_work_keys("    scale: 101\n    window: 0\n    replicas: 2000\n"))
               == strings({"p.yaml:9:12: stages.work.scale: value 101 is out of range [0, 100]",
                           "p.yaml:10:13: stages.work.window: value 0 is out of range [1, 65536]",
                           "p.yaml:11:15: stages.work.replicas: value 2000 is out of range "
                           "[1, 1024]"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_string_outside_its_choices_lists_them) {
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen:\n    actor: synthetic_source\n"
                         "    pattern: rand\n  out:\n    actor: sink\n    inputs: [gen.out]\n")
               == strings{"p.yaml:5:14: stages.gen.pattern: 'rand' is not one of zeros, random; "
                          "did you mean 'random'?"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_required_key_left_out_is_an_error) {
  BOOST_TEST(plan_errors("version: 1\nstages:\n  gen:\n    actor: file_source\n"
                         "  out:\n    actor: sink\n    inputs: [gen.out]\n")
               == strings{"p.yaml:3:3: stages.gen: missing required key 'path' (string: file to "
                          "read)"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_invalid_device_is_an_error) {
  BOOST_TEST(plan_errors(with_work_keys("    device: gpu\n"))
               == strings{"p.yaml:9:13: stages.work.device: invalid device 'gpu': expected cpu, "
                          "cuda:N or auto"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(with_work_keys("    device: cuda:x\n")).at(0)
             == "p.yaml:9:13: stages.work.device: invalid device 'cuda:x': expected cpu, cuda:N "
                "or auto");
}

BOOST_AUTO_TEST_CASE(a_bad_supervision_override_is_an_error) {
  BOOST_TEST(plan_errors(with_work_keys("    supervision: {max_restarts: -1, backof_ms: 1}\n"))
               == strings({"p.yaml:9:33: stages.work.supervision.max_restarts: value -1 is out "
                           "of range [0, 1000]",
                           "p.yaml:9:37: stages.work.supervision.backof_ms: unknown key "
                           "'backof_ms'; did you mean 'backoff_ms'?"}),
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(with_work_keys("    supervision: 3\n"))
               == strings{"p.yaml:9:18: stages.work.supervision: expected a map such as "
                          "{max_restarts: 3, backoff_ms: 50}, got '3'"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ordered_and_non_replicable_stages_run_as_one_replica) {
  auto doc = [](const std::string& actor, const std::string& replicas) {
    return "version: 1\nstages:\n  gen:\n    actor: synthetic_source\n  mid:\n    actor: " + actor
           + "\n    inputs: [gen.out]\n    replicas: " + replicas
           + "\n  out:\n    actor: sink\n    inputs: [mid.out]\n";
  };
  BOOST_TEST(plan_errors(doc("reorder", "2"))
               == strings{"p.yaml:8:15: stages.mid.replicas: actor 'reorder' has ordered input: "
                          "ordered stages run as one replica"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(doc("singleton", "auto"))
               == strings{"p.yaml:8:15: stages.mid.replicas: actor 'singleton' cannot run as "
                          "several replicas"},
             boost::test_tools::per_element());
  BOOST_TEST(plan_text(doc("singleton", "1")).find("mid")->replicas == 1u);
}

BOOST_AUTO_TEST_CASE(a_source_runs_as_one_replica_because_it_numbers_the_stream) {
  auto doc = "version: 1\nstages:\n  gen:\n    actor: synthetic_source\n    replicas: 2\n"
             "  out:\n    actor: sink\n    inputs: [gen.out]\n";
  BOOST_TEST(plan_errors(doc)
               == strings{"p.yaml:5:15: stages.gen.replicas: actor 'synthetic_source' is a source: "
                          "sources run as one replica (they number the stream)"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_at_once) {
  auto errors = plan_errors("version: 3\nruntim: {}\nstages:\n  gen:\n    actor: synthetic_source\n"
                            "    count: 0\n  out:\n    actor: snk\n    inputs: [gen.out]\n");
  BOOST_TEST(errors
               == strings({"p.yaml:2:1: runtim: unknown top-level key 'runtim'; did you mean "
                           "'runtime'?",
                           "p.yaml:1:10: version: unsupported version 3; only version 1 is "
                           "supported",
                           "p.yaml:6:12: stages.gen.count: value 0 is out of range "
                           "[1, 1000000000]",
                           "p.yaml:8:12: stages.out.actor: unknown actor 'snk'; did you mean "
                           "'sink'? (ds-run --list-actors lists them)"}),
             boost::test_tools::per_element());
}
