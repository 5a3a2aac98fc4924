#define BOOST_TEST_MODULE stage
#include <boost/test/unit_test.hpp>

#include "dsflow/stage.hpp"

namespace {

class counting_source final : public ds::source {
public:
  bool produce(ds::emitter&) override { return false; }
};

class discard final : public ds::emitter {
public:
  void emit(ds::port_id, ds::message_ptr) override {}
};

struct context_fixture {
  ds::stage_schema schema = ds::schema_builder("split", "")
                              .input("in", "blob", "")
                              .output("left", "blob", "")
                              .output("right", "blob", "");
  ds::stage_config config{"split"};
  ds::metrics_registry registry;
  ds::memory_pools pools;
  ds::logger log{"split#0"};
  ds::context ctx{config, registry.add_replica("split", "split#0", 0), pools, log, {}, schema};
};

} // namespace

BOOST_FIXTURE_TEST_CASE(output_ports_resolve_to_their_declaration_index, context_fixture) {
  BOOST_TEST(ctx.output("left") == 0u);
  BOOST_TEST(ctx.output("right") == 1u);
  BOOST_TEST(ctx.stage_name() == "split");
}

BOOST_FIXTURE_TEST_CASE(an_unknown_output_port_lists_the_declared_ones, context_fixture) {
  try {
    ctx.output("middle");
    BOOST_FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& error) {
    BOOST_TEST(std::string(error.what())
               == "stage 'split' has no output port 'middle'; its outputs are: left, right");
  }
}

BOOST_FIXTURE_TEST_CASE(a_source_keeps_its_declared_item_count, context_fixture) {
  ctx.declare_total_items(1234);
  BOOST_TEST(ctx.declared_total_items() == 1234u);
}

BOOST_AUTO_TEST_CASE(a_source_refuses_an_input_item) {
  counting_source src;
  discard out;
  BOOST_CHECK_THROW(src.process(ds::item{}, out), std::logic_error);
}
