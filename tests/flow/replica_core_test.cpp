#define BOOST_TEST_MODULE replica_core
#include <boost/test/unit_test.hpp>

#include <set>

#include "dsflow/messages.hpp"
#include "dsflow/registry.hpp"
#include "flow/replica_core.hpp"
#include "recording_sender.hpp"

using ds::flow::replica_core;
using ds::test::recording_sender;

namespace {

ds::message_ptr payload() {
  return std::make_shared<ds::sample_ref>();
}

/// Emits `copies` items per input; none for sequence numbers in `drop`;
/// throws for those in `poison`, and once per test for those in `flaky`.
struct echo final : ds::stage {
  static inline int copies = 1;
  static inline std::set<std::uint64_t> drop, poison, flaky;
  static inline int opened = 0;
  void open(ds::context&) override { ++opened; }
  void process(const ds::item& in, ds::emitter& out) override {
    if (poison.contains(in.key.seq))
      throw std::runtime_error("poisoned");
    if (flaky.erase(in.key.seq) > 0)
      throw std::runtime_error("flaky");
    if (drop.contains(in.key.seq))
      return;
    for (int i = 0; i < copies; ++i)
      out.emit(0, in.payload);
  }
};

struct counting_source final : ds::source {
  std::uint64_t left = 5;
  bool produce(ds::emitter& out) override {
    out.emit(0, payload());
    return --left > 0;
  }
};

struct fixture {
  ds::memory_pools pools;
  ds::metrics_registry metrics;
  ds::stage_type type;
  ds::stage_plan plan;
  recording_sender sender;
  std::unique_ptr<replica_core> core;

  explicit fixture(bool ordered = false, bool is_source = false, std::size_t upstream = 1) {
    echo::copies = 1;
    echo::drop.clear();
    echo::poison.clear();
    echo::flaky.clear();
    echo::opened = 0;
    ds::schema_builder builder{"echo", "test stage"};
    if (!is_source)
      builder.input("in", "sample_ref", "in");
    builder.output("out", "sample_ref", "out").ordered_input(ordered);
    type.schema = std::move(builder).build();
    if (is_source)
      type.make = [] { return std::make_unique<counting_source>(); };
    else
      type.make = [] { return std::make_unique<echo>(); };
    plan.name = "echo";
    plan.type = &type;
    plan.config = ds::stage_config{"echo"};
    plan.window = 8;
    ds::flow::replica_setup setup;
    setup.plan = &plan;
    setup.metrics = &metrics.add_replica("echo", "echo", 0);
    setup.pools = &pools;
    setup.upstream_links = is_source ? 0 : upstream;
    core = std::make_unique<replica_core>(setup, sender);
  }

  void connect(std::uint32_t window, bool needs_gaps = false) {
    core->routes().add_route(0, core->routes().add_group(0, needs_gaps), window);
  }
  void feed(std::uint64_t seq) { core->receive(0, {{seq, 0, true}, payload()}); }
};

} // namespace

BOOST_AUTO_TEST_CASE(one_output_per_input_keeps_the_input_key) {
  fixture f;
  f.connect(16);
  f.core->start();
  f.feed(7);
  f.core->pump(100);
  BOOST_REQUIRE(f.sender.items.size() == 1u);
  BOOST_TEST(f.sender.items[0].second.key.seq == 7u);
  BOOST_TEST(f.sender.items[0].second.key.final);
}

BOOST_AUTO_TEST_CASE(several_outputs_for_one_input_become_numbered_parts) {
  fixture f;
  f.connect(16);
  f.core->start();
  echo::copies = 3;
  f.feed(4);
  f.core->pump(100);
  BOOST_REQUIRE(f.sender.items.size() == 3u);
  for (std::uint32_t part = 0; part < 3; ++part) {
    BOOST_TEST(f.sender.items[part].second.key.seq == 4u);
    BOOST_TEST(f.sender.items[part].second.key.part == part);
    BOOST_TEST(f.sender.items[part].second.key.final == (part == 2));
  }
}

BOOST_AUTO_TEST_CASE(no_output_sends_a_gap_only_where_order_is_restored) {
  fixture f;
  f.connect(16, true);
  f.core->start();
  echo::drop = {1};
  f.feed(1);
  f.core->pump(100);
  BOOST_REQUIRE(f.sender.items.size() == 1u);
  BOOST_TEST(!f.sender.items[0].second.payload);

  fixture g;
  g.connect(16, false);
  g.core->start();
  echo::drop = {1};
  g.feed(1);
  g.core->pump(100);
  BOOST_TEST(g.sender.items.empty());
}

BOOST_AUTO_TEST_CASE(a_blocked_replica_stops_taking_input_so_memory_stays_bounded) {
  fixture f;
  f.connect(2);
  f.core->start();
  for (std::uint64_t seq = 0; seq < 10; ++seq)
    f.feed(seq);
  f.core->pump(100);
  BOOST_TEST(f.sender.items.size() == 2u);
  BOOST_TEST(f.core->routes().queued_items() == 1u);
  f.metrics.for_each([](const ds::replica_metrics& m) { BOOST_TEST(m.items_out.value() == 3u); });
  // Credits were returned only for the items processed.
  BOOST_TEST(f.sender.credits_to(0) == 3u);
}

BOOST_AUTO_TEST_CASE(credits_go_back_in_batches_and_all_when_idle) {
  fixture f;  // window 8: batches of 2
  f.connect(64);
  f.core->start();
  for (std::uint64_t seq = 0; seq < 5; ++seq)
    f.feed(seq);
  f.core->pump(100);
  BOOST_TEST(f.sender.credits_to(0) == 5u);
  BOOST_TEST(f.sender.credits.size() == 3u);  // 2 + 2 + the flushed 1
}

BOOST_AUTO_TEST_CASE(a_transient_failure_is_retried_on_a_fresh_instance_and_nothing_is_lost) {
  fixture f;
  f.connect(16);
  f.core->start();
  echo::flaky = {1};
  f.feed(0);
  f.feed(1);
  f.feed(2);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::failed));
  BOOST_TEST(f.core->failure().find("item 1.0") != std::string::npos);
  f.core->restart();
  f.core->pump(100);
  BOOST_TEST(echo::opened == 2);
  BOOST_REQUIRE(f.sender.items.size() == 3u);
  BOOST_TEST(f.sender.items[1].second.key.seq == 1u);
  BOOST_TEST(f.core->take_failed_items().empty());
}

BOOST_AUTO_TEST_CASE(a_poison_item_is_retried_once_then_reported_with_a_gap) {
  fixture f;
  f.connect(16, true);
  f.core->start();
  echo::poison = {1};
  f.feed(0);
  f.feed(1);
  f.feed(2);
  f.core->pump(100);
  f.core->restart();  // retry fails again: reported
  auto failed = f.core->take_failed_items();
  BOOST_REQUIRE(failed.size() == 1u);
  BOOST_TEST(failed[0] == "item 1.0: poisoned");
  f.core->restart();
  f.core->pump(100);
  BOOST_REQUIRE(f.sender.items.size() == 3u);
  BOOST_TEST(!f.sender.items[1].second.payload);  // the gap for item 1
  BOOST_TEST(f.sender.credits_to(0) == 3u);       // every input accounted for
  f.metrics.for_each([](const ds::replica_metrics& m) {
    BOOST_TEST(m.items_in.value() == m.items_out.value() + m.items_failed.value());
  });
}

BOOST_AUTO_TEST_CASE(a_source_numbers_densely_and_ends_every_route) {
  fixture f{false, true};
  f.connect(16);
  f.connect(16);
  f.core->start();
  while (f.core->pump(2)) {
  }
  BOOST_TEST((f.core->current_state() == replica_core::state::finished));
  BOOST_REQUIRE(f.sender.items.size() == 10u);  // 5 items to each of 2 consumers
  for (std::size_t i = 0; i < 10; i += 2)
    BOOST_TEST(f.sender.items[i].second.key.seq == i / 2);
  BOOST_TEST(f.sender.ends.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_source_stopped_early_ends_its_stream_as_cut_short) {
  fixture complete{false, true};
  complete.connect(16);
  complete.core->start();
  while (complete.core->pump(2)) {
  }
  BOOST_TEST(complete.sender.cuts == std::vector<bool>{false}, boost::test_tools::per_element());
  fixture stopped{false, true};
  stopped.connect(16);
  stopped.core->start();
  stopped.core->pump(2);
  stopped.core->stop_producing();
  while (stopped.core->pump(2)) {
  }
  BOOST_TEST(stopped.sender.items.size() < 5u);
  BOOST_TEST(stopped.sender.cuts == std::vector<bool>{true}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cut_short_input_is_passed_on_and_shown_to_the_stage) {
  fixture f;
  f.connect(16);
  f.core->start();
  f.feed(0);
  f.core->upstream_ended(0, true);
  f.core->pump(100);
  BOOST_TEST(f.sender.cuts == std::vector<bool>{true}, boost::test_tools::per_element());
  BOOST_TEST((f.core->current_state() == replica_core::state::finished));
}

BOOST_AUTO_TEST_CASE(an_ordered_stage_numbers_its_output_densely) {
  fixture f{true};
  f.connect(16, true);
  f.core->start();
  echo::drop = {1};
  f.feed(1);
  f.feed(0);
  f.feed(2);
  f.core->upstream_ended(0);
  f.core->pump(100);
  BOOST_REQUIRE(f.sender.items.size() == 2u);
  BOOST_TEST(f.sender.items[0].second.key.seq == 0u);
  BOOST_TEST(f.sender.items[1].second.key.seq == 1u);  // was item 2
  BOOST_TEST((f.core->current_state() == replica_core::state::finished));
}

/// Stops the run on item 2 and skips (with a report) item 1.
struct strict final : ds::stage {
  ds::context* ctx = nullptr;
  void open(ds::context& c) override { ctx = &c; }
  void process(const ds::item& in, ds::emitter& out) override {
    if (in.key.seq == 2)
      throw ds::stage_fatal_error("record 2 is corrupt");
    if (in.key.seq == 1) {
      ctx->report_skipped("record 1: bad checksum");
      return;
    }
    out.emit(0, in.payload);
  }
};

BOOST_AUTO_TEST_CASE(a_fatal_stage_error_is_final_and_not_retried) {
  fixture f;
  f.type.make = [] { return std::make_unique<strict>(); };
  f.connect(16);
  f.core->start();
  f.feed(2);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::failed));
  BOOST_TEST(f.core->failure_is_final());
  BOOST_TEST(f.core->failure() == "item 2.0: record 2 is corrupt");
}

BOOST_AUTO_TEST_CASE(skipped_inputs_are_reported_and_leave_a_gap) {
  fixture f;
  f.type.make = [] { return std::make_unique<strict>(); };
  f.connect(16, true);
  f.core->start();
  f.feed(0);
  f.feed(1);
  f.core->pump(100);
  auto skipped = f.core->take_skipped_items();
  BOOST_REQUIRE(skipped.size() == 1u);
  BOOST_TEST(skipped[0] == "record 1: bad checksum");
  BOOST_REQUIRE(f.sender.items.size() == 2u);
  BOOST_TEST(!f.sender.items[1].second.payload);
  BOOST_TEST(f.core->take_skipped_items().empty());
}

/// Emits one item from close(): fine for a source or an ordered stage, which
/// number their output, but a key-keeping stage has no key for it.
struct flushing final : ds::stage {
  void process(const ds::item&, ds::emitter&) override {}
  void close(ds::emitter& out) override { out.emit(0, payload()); }
};

BOOST_AUTO_TEST_CASE(output_from_close_without_a_key_fails_when_order_is_restored_downstream) {
  fixture f;
  f.type.make = [] { return std::make_unique<flushing>(); };
  f.connect(16, true);
  f.core->start();
  f.core->upstream_ended(0);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::failed));
  BOOST_TEST(f.core->failure_is_final());
  BOOST_TEST(f.core->failure().find("from close()") != std::string::npos, f.core->failure());
}

BOOST_AUTO_TEST_CASE(a_stream_that_ends_with_a_hole_fails_naming_the_missing_item) {
  fixture f{true};
  f.connect(16);
  f.core->start();
  f.feed(1);
  f.core->upstream_ended(0);
  f.core->pump(100);
  BOOST_TEST((f.core->current_state() == replica_core::state::failed));
  BOOST_TEST(f.core->failure_is_final());
  BOOST_TEST(f.core->failure().find("item 0.0") != std::string::npos);
}
