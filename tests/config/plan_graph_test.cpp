#define BOOST_TEST_MODULE plan_graph
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"

using namespace ds;
using namespace ds::testing;
using strings = std::vector<std::string>;

namespace {

strings stage_order(const pipeline_plan& plan) {
  strings names;
  for (const auto& stage : plan.stages)
    names.push_back(stage.name);
  return names;
}

/// "version: 1\nstages:\n" then `body`: the first stage is on line 3.
std::string stages(const std::string& body) {
  return "version: 1\nstages:\n" + body;
}

} // namespace

BOOST_AUTO_TEST_CASE(stages_come_out_producers_first_and_otherwise_in_file_order) {
  auto plan = plan_text(stages("  out:\n    actor: sink\n    inputs: [work.out]\n"
                               "  work:\n    actor: transform\n    inputs: [gen.out]\n"
                               "  gen:\n    actor: synthetic_source\n"
                               "  gen2:\n    actor: synthetic_source\n"
                               "  out2:\n    actor: sink\n    inputs: [gen2.out]\n"));
  BOOST_TEST(stage_order(plan) == strings({"gen", "work", "out", "gen2", "out2"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_list_of_inputs_binds_to_the_single_input_port) {
  auto plan = plan_text(stages("  a:\n    actor: synthetic_source\n"
                               "  b:\n    actor: synthetic_source\n"
                               "  out:\n    actor: sink\n    inputs: [a.out, b.out]\n"));
  const auto& inputs = plan.find("out")->inputs;
  BOOST_TEST_REQUIRE(inputs.size() == 2u);
  BOOST_TEST(inputs[0].port == "in");
  BOOST_TEST(inputs[0].from_stage == "a");
  BOOST_TEST(inputs[0].from_port == "out");
  BOOST_TEST(inputs[0].message_type == "blob");
  BOOST_TEST(inputs[1].from_stage == "b");
}

BOOST_AUTO_TEST_CASE(a_map_of_inputs_binds_each_port_to_one_or_several_producers) {
  auto plan = plan_text(stages("  a:\n    actor: synthetic_source\n"
                               "  b:\n    actor: synthetic_source\n"
                               "  c:\n    actor: synthetic_source\n"
                               "  both:\n    actor: merge\n"
                               "    inputs: {left: a.out, right: [b.out, c.out]}\n"
                               "  out:\n    actor: sink\n    inputs: {in: both.out}\n"));
  const auto& inputs = plan.find("both")->inputs;
  BOOST_TEST_REQUIRE(inputs.size() == 3u);
  BOOST_TEST(inputs[0].port == "left");
  BOOST_TEST(inputs[1].port == "right");
  BOOST_TEST(inputs[2].from_stage == "c");
  BOOST_TEST(plan.find("out")->inputs.at(0).from_stage == "both");
}

BOOST_AUTO_TEST_CASE(consumers_of_a_port_and_find_look_stages_up) {
  auto plan = plan_text(linear_pipeline);
  auto consumers = plan.consumers_of("gen", "out");
  BOOST_TEST_REQUIRE(consumers.size() == 1u);
  BOOST_TEST(consumers[0]->name == "work");
  BOOST_TEST(plan.consumers_of("out", "out").empty());
  BOOST_TEST(plan.find("missing") == nullptr);
  BOOST_TEST(plan.find("out")->name == "out");
}

BOOST_AUTO_TEST_CASE(a_source_takes_no_inputs) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n    inputs: [gen2.out]\n"
                                "  gen2:\n    actor: synthetic_source\n"
                                "  out:\n    actor: sink\n    inputs: [gen.out]\n"))
               == strings{"p.yaml:5:13: stages.gen.inputs: stage 'gen' is a source (actor "
                          "'synthetic_source' has no input ports) and takes no inputs"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_list_of_inputs_needs_a_stage_with_one_input_port) {
  BOOST_TEST(plan_errors(stages("  a:\n    actor: synthetic_source\n"
                                "  both:\n    actor: merge\n    inputs: [a.out]\n"
                                "  out:\n    actor: sink\n    inputs: [both.out]\n"))
               == strings({"p.yaml:7:13: stages.both.inputs: a list binds to the single input "
                           "port, but actor 'merge' has ports left, right; write a map such as "
                           "{left: stage.port}",
                           "p.yaml:5:3: stages.both: unconnected input port 'both.left' "
                           "(expects 'blob')",
                           "p.yaml:5:3: stages.both: unconnected input port 'both.right' "
                           "(expects 'blob')"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_input_port_suggests_the_closest_one) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  out:\n    actor: sink\n    inputs: {inn: gen.out}\n"))
               == strings({"p.yaml:7:14: stages.out.inputs: unknown input port 'inn'; did you "
                           "mean 'in'? (actor 'sink' has in)",
                           "p.yaml:5:3: stages.out: unconnected input port 'out.in' (expects "
                           "'blob')"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_input_must_be_written_stage_dot_port) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  out:\n    actor: sink\n    inputs: [gen, gen.out.x, {a: b}, gen.out]\n"))
               == strings({"p.yaml:7:14: stages.out.inputs: expected 'stage.port', got 'gen'",
                           "p.yaml:7:19: stages.out.inputs: expected 'stage.port', got 'gen.out.x'",
                           "p.yaml:7:30: stages.out.inputs: expected 'stage.port', got a map"}),
             boost::test_tools::per_element());
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  out:\n    actor: sink\n    inputs: gen.out\n"))
               .at(0)
             == "p.yaml:7:13: stages.out.inputs: expected a list [stage.port, ...] or a map "
                "{port: stage.port}, got 'gen.out'");
}

BOOST_AUTO_TEST_CASE(an_input_from_an_unknown_stage_or_port_suggests_the_closest) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  out:\n    actor: sink\n    inputs: [gne.out, gen.outt, out.out, gen.out]\n"))
               == strings({"p.yaml:7:14: stages.out.inputs: unknown stage 'gne'; did you mean "
                           "'gen'?",
                           "p.yaml:7:23: stages.out.inputs: stage 'gen' has no output port "
                           "'outt'; did you mean 'out'? (actor 'synthetic_source' has output "
                           "ports out)",
                           "p.yaml:7:33: stages.out.inputs: stage 'out' has no output port "
                           "'out' (actor 'sink' has no output ports)"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ports_of_different_message_types_cannot_be_connected) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  sink:\n    actor: batch_sink\n    inputs: [gen.out]\n"))
               == strings{"p.yaml:7:14: stages.sink.inputs: port 'gen.out' carries 'blob' but "
                          "'sink.in' expects 'batch'"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_input_and_output_port_must_be_connected) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  work:\n    actor: transform\n    inputs:\n"
                                "  out:\n    actor: sink\n"))
               == strings({"p.yaml:3:3: stages.gen: output port 'gen.out' is not connected",
                           "p.yaml:5:3: stages.work: unconnected input port 'work.in' (expects "
                           "'blob')",
                           "p.yaml:5:3: stages.work: output port 'work.out' is not connected",
                           "p.yaml:8:3: stages.out: unconnected input port 'out.in' (expects "
                           "'blob')"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cycle_is_reported_with_its_stages) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  both:\n    actor: merge\n    inputs: {left: gen.out, right: loop.out}\n"
                                "  loop:\n    actor: transform\n    inputs: [both.out]\n"))
               == strings{"p.yaml:5:3: stages.both: the stages form a cycle: both -> loop -> both"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_feedback_input_closes_a_loop_without_a_cycle) {
  auto plan = plan_text(stages("  gen:\n    actor: synthetic_source\n"
                               "  learn:\n    actor: learner\n    inputs: {in: gen.out, back: step.out}\n"
                               "  step:\n    actor: transform\n    inputs: [learn.out]\n"));
  BOOST_TEST(stage_order(plan) == strings({"gen", "learn", "step"}), boost::test_tools::per_element());
  const auto& inputs = plan.find("learn")->inputs;
  BOOST_TEST_REQUIRE(inputs.size() == 2u);
  BOOST_TEST(!inputs[0].feedback);
  BOOST_TEST(inputs[1].feedback);
  BOOST_TEST(plan_to_dot(plan).find("style=dashed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_loop_through_a_regular_input_is_still_a_cycle) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  learn:\n    actor: learner\n    inputs: {in: step.out, back: gen.out}\n"
                                "  step:\n    actor: transform\n    inputs: [learn.out]\n"))
               == strings{"p.yaml:5:3: stages.learn: the stages form a cycle: learn -> step -> learn"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_independent_cycle_is_reported_once) {
  BOOST_TEST(plan_errors(stages("  self:\n    actor: transform\n    inputs: [self.out]\n"
                                "  a:\n    actor: transform\n    inputs: [b.out]\n"
                                "  b:\n    actor: reorder\n    inputs: {in: [a.out]}\n"
                                "  out:\n    actor: merge\n    inputs: {left: a.out, right: self.out}\n"))
               == strings({"p.yaml:12:3: stages.out: output port 'out.out' is not connected",
                           "p.yaml:3:3: stages.self: the stages form a cycle: self -> self",
                           "p.yaml:6:3: stages.a: the stages form a cycle: a -> b -> a"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(inputs_of_a_stage_with_an_unknown_actor_still_count_as_consumers) {
  BOOST_TEST(plan_errors(stages("  gen:\n    actor: synthetic_source\n"
                                "  out:\n    actor: snk\n    inputs: {in: [gen.out]}\n"))
               == strings{"p.yaml:6:12: stages.out.actor: unknown actor 'snk'; did you mean "
                          "'sink'? (ds-run --list-actors lists them)"},
             boost::test_tools::per_element());
}
