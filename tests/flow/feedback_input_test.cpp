#define BOOST_TEST_MODULE feedback_input
#include <boost/test/unit_test.hpp>

#include "dsflow/messages.hpp"
#include "dsflow/registry.hpp"
#include "flow/replica_core.hpp"
#include "recording_sender.hpp"

// A replica with a feedback input (inbound 1) beside its regular input (inbound 0), as
// compute has: it takes one regular item, then waits for a feedback item before the next.

using ds::flow::replica_core;
using ds::test::recording_sender;

namespace {

struct gated final : ds::stage {
  static inline int regular_seen = 0;
  static inline int feedback_seen = 0;
  static inline std::size_t sent_during_call = 0;
  static inline recording_sender* sender = nullptr;
  bool waiting = false;

  void process(const ds::item& in, ds::emitter& out) override {
    if (in.payload->type_name() == ds::blob::type) {
      ++feedback_seen;
      waiting = false;
      return;
    }
    ++regular_seen;
    waiting = true;
    out.emit(0, in.payload);
    sent_during_call = sender->items.size();  // numbers_output: already on its way
    out.emit(0, in.payload);
  }
  bool ready_for_input() const override { return !waiting; }
};

ds::message_ptr regular() { return std::make_shared<ds::sample_ref>(); }
ds::message_ptr feedback() { return std::make_shared<ds::blob>(ds::buffer{}, 0); }

struct fixture {
  ds::memory_pools pools;
  ds::metrics_registry metrics;
  ds::stage_type type;
  ds::stage_plan plan;
  recording_sender sender;
  std::unique_ptr<replica_core> core;

  fixture() {
    gated::regular_seen = 0;
    gated::feedback_seen = 0;
    gated::sender = &sender;
    type.schema = ds::schema_builder{"gated", "test stage"}
                    .input("in", "sample_ref", "regular")
                    .feedback_input("back", "blob", "feedback")
                    .output("out", "sample_ref", "out")
                    .numbers_output()
                    .build();
    type.make = [] { return std::make_unique<gated>(); };
    plan.name = "gated";
    plan.type = &type;
    plan.config = ds::stage_config{"gated"};
    plan.window = 8;
    ds::flow::replica_setup setup;
    setup.plan = &plan;
    setup.metrics = &metrics.add_replica("gated", "gated", 0);
    setup.pools = &pools;
    setup.upstream_links = 2;
    setup.feedback_inbounds = {false, true};
    core = std::make_unique<replica_core>(setup, sender);
    core->routes().add_route(0, core->routes().add_group(0, false), 64);
    core->start();
  }
  void feed(std::uint64_t seq) { core->receive(0, {{seq, 0, true}, regular()}); }
  void feed_back(std::uint64_t seq) { core->receive(1, {{seq, 0, true}, feedback()}); }
};

} // namespace

BOOST_AUTO_TEST_CASE(regular_input_waits_for_feedback_with_its_credit_held) {
  fixture f;
  f.feed(0);
  f.feed(1);
  f.feed(2);
  f.core->pump(100);
  BOOST_TEST(gated::regular_seen == 1);
  BOOST_TEST(f.sender.credits_to(0) == 1u);  // only the processed item's credit
  f.feed_back(0);
  f.core->pump(100);
  BOOST_TEST(gated::feedback_seen == 1);
  BOOST_TEST(gated::regular_seen == 2);
  BOOST_TEST(f.sender.credits_to(0) == 2u);
}

BOOST_AUTO_TEST_CASE(outputs_leave_during_the_call_numbered_densely) {
  fixture f;
  f.feed(40);
  f.core->pump(100);
  BOOST_TEST(gated::sent_during_call == 1u);
  BOOST_REQUIRE(f.sender.items.size() == 2u);
  BOOST_TEST(f.sender.items[0].second.key.seq == 0u);
  BOOST_TEST(f.sender.items[1].second.key.seq == 1u);
}

BOOST_AUTO_TEST_CASE(close_waits_for_feedback_then_later_feedback_is_drained) {
  fixture f;
  f.feed(0);
  f.core->upstream_ended(0);
  f.core->pump(100);
  BOOST_TEST(f.sender.ends.empty());  // the stage still waits: no close yet
  f.feed_back(0);
  f.core->pump(100);
  BOOST_TEST(f.sender.ends.size() == 1u);  // closed: downstream learns the end now
  BOOST_TEST((f.core->current_state() == replica_core::state::running));
  f.feed_back(1);  // arrives after close: dropped, its credit returned so the producer never blocks
  f.core->pump(100);
  BOOST_TEST(gated::feedback_seen == 1);
  BOOST_TEST(f.sender.credits_to(1) == 2u);
  f.core->upstream_ended(1);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::finished));
}

BOOST_AUTO_TEST_CASE(waiting_on_a_feedback_stream_that_ended_fails_the_run) {
  fixture f;
  f.feed(0);
  f.feed(1);
  f.core->upstream_ended(1);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::failed));
  BOOST_TEST(f.core->failure_is_final());
  BOOST_TEST(f.core->failure().find("feedback") != std::string::npos, f.core->failure());
}
