#define BOOST_TEST_MODULE describe
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"
#include "../support/test_text.hpp"

using namespace ds;
using namespace ds::testing;

namespace {

using ds::test::contains;

} // namespace

BOOST_AUTO_TEST_CASE(the_plan_text_lists_every_stage_key_with_its_origin) {
  auto plan = plan_text(linear_pipeline, {"+work.replicas=2", "+work.tags=[a,b]"});
  auto text = describe_plan(plan);
  BOOST_TEST(contains(text, "runtime:\n  window: 16  # default\n"));
  BOOST_TEST(contains(text, "  supervision.backoff_ms: 50  # default\n"));
  BOOST_TEST(contains(text, "stages:\n  gen:  # p.yaml:3:3\n    actor: synthetic_source\n"));
  BOOST_TEST(contains(text, "    count: 10  # p.yaml:5:12\n    pattern: zeros  # default\n"));
  BOOST_TEST(contains(text, "  work:  # p.yaml:6:3\n    actor: transform\n"
                            "    inputs: {in: [gen.out]}\n    replicas: 2\n    device: cpu\n"
                            "    window: 16\n    supervision: {max_restarts: 3, backoff_ms: 50}\n"
                            "    scale: 1.0  # default\n"
                            "    tags: [a, b]  # command line '+work.tags=[a,b]'\n"
                            "    verbose: false  # default\n"));
  // Producers come first.
  BOOST_TEST(text.find("  gen:") < text.find("  work:"));
  BOOST_TEST(text.find("  work:") < text.find("  out:"));
}

BOOST_AUTO_TEST_CASE(the_plan_text_marks_automatic_replicas) {
  auto plan = plan_text(linear_pipeline, {"+work.replicas=auto"});
  BOOST_TEST(contains(describe_plan(plan), "    replicas: " + std::to_string(plan.find("work")->replicas)
                                             + "  # auto\n"));
}

BOOST_AUTO_TEST_CASE(the_graph_labels_stages_with_actor_and_replicas_and_edges_with_types) {
  auto plan = plan_text(linear_pipeline, {"+work.replicas=2"});
  BOOST_TEST(plan_to_dot(plan)
             == "digraph pipeline {\n"
                "  rankdir=LR;\n"
                "  node [shape=box];\n"
                "  \"gen\" [label=\"gen\\nsynthetic_source ×1\"];\n"
                "  \"work\" [label=\"work\\ntransform ×2\"];\n"
                "  \"out\" [label=\"out\\nsink ×1\"];\n"
                "  \"gen\" -> \"work\" [label=\"out:blob\"];\n"
                "  \"work\" -> \"out\" [label=\"out:blob\"];\n"
                "}\n");
}

BOOST_AUTO_TEST_CASE(a_stage_type_description_lists_ports_order_and_keys) {
  auto reg = make_test_registry();
  BOOST_TEST(describe_stage_type(*reg.find("synthetic_source"))
             == "synthetic_source: produces generated blobs\n"
                "  from: builtin\n"
                "  inputs: none (a source)\n"
                "  outputs:\n"
                "    out (blob): generated blobs\n"
                "  input order: any\n"
                "  replicas: one only\n"
                "  keys:\n"
                "    count: integer, default 1000, range [1, 1000000000]\n"
                "        items to produce\n"
                "    pattern: string, default zeros, one of zeros, random\n"
                "        what the blobs contain\n");
  BOOST_TEST(describe_stage_type(*reg.find("reorder"))
             == "reorder: restores sequence order\n"
                "  from: builtin\n"
                "  inputs:\n"
                "    in (blob): blobs in any order\n"
                "  outputs:\n"
                "    out (blob): blobs in order\n"
                "  input order: ordered by key (the stage runs as one replica)\n"
                "  replicas: one only\n"
                "  keys: none\n");
}

BOOST_AUTO_TEST_CASE(a_stage_type_in_markdown_is_a_section_with_port_and_key_tables) {
  auto reg = make_test_registry();
  BOOST_TEST(stage_type_markdown(*reg.find("file_source"))
             == "### `file_source`\n\n"
                "reads blobs from a file\n\n"
                "| port | direction | message type | description |\n"
                "| --- | --- | --- | --- |\n"
                "| `out` | output | `blob` | the file's records |\n\n"
                "Input order: any. Replicas: one only.\n\n"
                "| key | type | default | allowed | description |\n"
                "| --- | --- | --- | --- | --- |\n"
                "| `path` | string | required |  | file to read |\n");
  BOOST_TEST(contains(stage_type_markdown(*reg.find("transform")),
                      "| `scale` | number | `1.0` | range [0, 100] | factor applied to each byte |\n"
                      "| `verbose` | boolean | `false` |  | log every item |\n"
                      "| `tags` | string_list | `[]` |  | labels for metrics |\n"));
  BOOST_TEST(contains(stage_type_markdown(*reg.find("sink")), "No stage keys.\n"));
}
