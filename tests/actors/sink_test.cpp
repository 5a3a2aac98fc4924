#define BOOST_TEST_MODULE sink
#include <boost/test/unit_test.hpp>

#include "checksum.hpp"
#include "dsflow/messages.hpp"
#include "sink.hpp"
#include "synthetic_source.hpp"

// Stage logic is plain C++: these tests call the sink directly, no actors.

namespace {

struct no_output final : ds::emitter {
  void emit(ds::port_id, ds::message_ptr) override { BOOST_FAIL("a sink emits nothing"); }
};

struct sink_fixture {
  ds::memory_pools pools;
  ds::metrics_registry metrics;
  ds::replica_metrics& replica = metrics.add_replica("check", "sink", 0);
  ds::logger log{"check#0"};
  ds::stage_schema schema = ds::actors::sink::schema();
  ds::stage_config config{"check"};
  no_output out;

  explicit sink_fixture(std::int64_t expect_count) {
    config.set("verify_checksums", {true, {}});
    config.set("expect_count", {expect_count, {}});
  }
  std::unique_ptr<ds::actors::sink> open() {
    auto s = std::make_unique<ds::actors::sink>();
    ctx = std::make_unique<ds::context>(config, replica, pools, log, ds::placement{}, schema);
    s->open(*ctx);
    return s;
  }
  ds::item blob_item(std::uint64_t seq, bool corrupt = false) {
    auto bytes = pools.host().allocate(64);
    ds::actors::fill_pattern(bytes.bytes(), 1, seq);
    auto digest = ds::xxh64(bytes.bytes()) + (corrupt ? 1 : 0);
    return {{seq, 0, true}, std::make_shared<ds::blob>(bytes, digest)};
  }
  std::unique_ptr<ds::context> ctx;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_corrupt_blob_throws_naming_the_item) {
  sink_fixture f{-1};
  auto s = f.open();
  s->process(f.blob_item(0), f.out);
  BOOST_CHECK_EXCEPTION(s->process(f.blob_item(1, true), f.out), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()) == "checksum mismatch in item 1";
                        });
}

BOOST_AUTO_TEST_CASE(items_out_of_order_are_refused) {
  sink_fixture f{-1};
  auto s = f.open();
  s->process(f.blob_item(5), f.out);
  BOOST_CHECK_THROW(s->process(f.blob_item(4), f.out), std::logic_error);
}

BOOST_AUTO_TEST_CASE(the_count_survives_a_restart_of_the_sink) {
  sink_fixture f{3};
  auto first = f.open();
  first->process(f.blob_item(0), f.out);
  first->process(f.blob_item(1), f.out);
  auto restarted = f.open();  // what the supervisor does after a failure
  restarted->process(f.blob_item(2), f.out);
  BOOST_CHECK_NO_THROW(restarted->close(f.out));
}

BOOST_AUTO_TEST_CASE(a_wrong_count_fails_at_close) {
  sink_fixture f{3};
  auto s = f.open();
  s->process(f.blob_item(0), f.out);
  BOOST_CHECK_EXCEPTION(s->close(f.out), std::runtime_error, [](const std::runtime_error& e) {
    return std::string(e.what()) == "expected 3 items, received 1";
  });
}
