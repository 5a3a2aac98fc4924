#define BOOST_TEST_MODULE outbox
#include <boost/test/unit_test.hpp>

#include "dsflow/messages.hpp"
#include "flow/outbox.hpp"
#include "recording_sender.hpp"

using ds::flow::outbox;
using ds::test::recording_sender;

namespace {

ds::item make_item(std::uint64_t seq) {
  return {{seq, 0, true}, std::make_shared<ds::sample_ref>()};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_producer_never_has_more_than_the_window_in_flight) {
  outbox box;
  auto port = box.add_port();
  auto group = box.add_group(port, false);
  auto route = box.add_route(port, group, 4);
  recording_sender sender;
  for (std::uint64_t i = 0; i < 10; ++i)
    box.push(port, make_item(i), sender);
  BOOST_TEST(sender.items.size() == 4u);
  BOOST_TEST(box.queued_items() == 6u);
  BOOST_TEST(box.blocked());
  BOOST_TEST(box.in_flight(route) == 4u);
  box.add_credit(route, 3, sender);
  BOOST_TEST(sender.items.size() == 7u);
  BOOST_TEST(box.in_flight(route) == 4u);
  box.add_credit(route, 4, sender);
  BOOST_TEST(sender.items.size() == 10u);
  BOOST_TEST(!box.blocked());
  for (std::uint64_t i = 0; i < 10; ++i)
    BOOST_TEST(sender.items[i].second.key.seq == i);
}

BOOST_AUTO_TEST_CASE(items_go_to_the_replica_with_the_most_free_credits) {
  outbox box;
  auto port = box.add_port();
  auto group = box.add_group(port, false);
  auto first = box.add_route(port, group, 2);
  auto second = box.add_route(port, group, 2);
  recording_sender sender;
  for (std::uint64_t i = 0; i < 4; ++i)
    box.push(port, make_item(i), sender);
  BOOST_TEST(box.in_flight(first) == 2u);
  BOOST_TEST(box.in_flight(second) == 2u);
  box.add_credit(second, 2, sender);
  box.push(port, make_item(4), sender);
  BOOST_TEST(sender.items.back().first == second);
}

BOOST_AUTO_TEST_CASE(every_consumer_stage_of_a_port_gets_each_item) {
  outbox box;
  auto port = box.add_port();
  auto a = box.add_route(port, box.add_group(port, false), 8);
  auto b = box.add_route(port, box.add_group(port, false), 8);
  recording_sender sender;
  box.push(port, make_item(0), sender);
  BOOST_REQUIRE(sender.items.size() == 2u);
  BOOST_TEST(sender.items[0].first == a);
  BOOST_TEST(sender.items[1].first == b);
  BOOST_TEST(sender.items[0].second.payload == sender.items[1].second.payload);
}

BOOST_AUTO_TEST_CASE(gap_items_reach_only_groups_that_restore_order) {
  outbox box;
  auto port = box.add_port();
  box.add_route(port, box.add_group(port, false), 8);
  auto ordered = box.add_route(port, box.add_group(port, true), 8);
  recording_sender sender;
  box.push(port, ds::item{{3, 0, true}, nullptr}, sender);
  BOOST_REQUIRE(sender.items.size() == 1u);
  BOOST_TEST(sender.items[0].first == ordered);
}

BOOST_AUTO_TEST_CASE(end_of_stream_reaches_every_route_and_only_when_drained) {
  outbox box;
  auto port = box.add_port();
  auto group = box.add_group(port, false);
  auto route = box.add_route(port, group, 1);
  box.add_route(port, group, 1);
  recording_sender sender;
  box.push(port, make_item(0), sender);
  box.push(port, make_item(1), sender);
  box.push(port, make_item(2), sender);
  BOOST_CHECK_THROW(box.send_end_of_stream(sender), std::logic_error);
  box.add_credit(route, 1, sender);
  box.send_end_of_stream(sender);
  BOOST_TEST(sender.ends.size() == 2u);
}

BOOST_AUTO_TEST_CASE(credit_beyond_the_window_is_refused) {
  outbox box;
  auto port = box.add_port();
  auto route = box.add_route(port, box.add_group(port, false), 2);
  recording_sender sender;
  BOOST_CHECK_THROW(box.add_credit(route, 1, sender), std::logic_error);
}
