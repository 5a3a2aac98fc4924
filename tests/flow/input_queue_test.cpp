#define BOOST_TEST_MODULE input_queue
#include <boost/test/unit_test.hpp>

#include "dsflow/messages.hpp"
#include "flow/input_queue.hpp"

using ds::flow::input_queue;

namespace {

ds::flow::queued_item entry(std::uint64_t seq, std::uint32_t part = 0, bool final = true) {
  return {{{seq, part, final}, std::make_shared<ds::sample_ref>()}, 0};
}

} // namespace

BOOST_AUTO_TEST_CASE(an_ordered_queue_releases_items_in_key_order) {
  input_queue queue{true};
  queue.push(entry(2));
  queue.push(entry(1));
  BOOST_TEST(!queue.ready());
  queue.push(entry(0));
  for (std::uint64_t seq = 0; seq < 3; ++seq) {
    auto next = queue.pop();
    BOOST_REQUIRE(next.has_value());
    BOOST_TEST(next->it.key.seq == seq);
  }
  BOOST_TEST(queue.empty());
}

BOOST_AUTO_TEST_CASE(parts_of_a_split_item_come_before_the_next_item) {
  input_queue queue{true};
  queue.push(entry(1));
  queue.push(entry(0, 1, true));
  queue.push(entry(0, 0, false));
  std::vector<std::pair<std::uint64_t, std::uint32_t>> seen;
  while (auto next = queue.pop())
    seen.emplace_back(next->it.key.seq, next->it.key.part);
  BOOST_TEST((seen == std::vector<std::pair<std::uint64_t, std::uint32_t>>{{0, 0}, {0, 1}, {1, 0}}));
}

BOOST_AUTO_TEST_CASE(a_gap_takes_its_place_so_later_items_flow) {
  input_queue queue{true};
  queue.push(entry(1));
  queue.push({{{0, 0, true}, nullptr}, 0});
  auto gap = queue.pop();
  BOOST_REQUIRE(gap.has_value());
  BOOST_TEST(!gap->it.payload);
  BOOST_TEST(queue.pop()->it.key.seq == 1u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_or_late_key_is_a_logic_error) {
  input_queue queue{true};
  queue.push(entry(0));
  BOOST_CHECK_THROW(queue.push(entry(0)), std::logic_error);
  queue.pop();
  BOOST_CHECK_THROW(queue.push(entry(0)), std::logic_error);
}

BOOST_AUTO_TEST_CASE(an_unordered_queue_is_first_come_first_served) {
  input_queue queue{false};
  queue.push(entry(5));
  queue.push(entry(2));
  BOOST_TEST(queue.pop()->it.key.seq == 5u);
  BOOST_TEST(queue.pop()->it.key.seq == 2u);
}
