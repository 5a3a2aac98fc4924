#define BOOST_TEST_MODULE sampler_order
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "input/sampler_order.hpp"

using ds::actors::partition_mode;
using ds::actors::sampler_order;
using ds::actors::sampler_state;

namespace {

std::vector<std::uint64_t> epoch_of(sampler_order& order, std::uint32_t epoch) {
  std::vector<std::uint64_t> indices;
  for (std::uint64_t p = 0; p < order.per_rank(); ++p)
    indices.push_back(order.at(epoch, p));
  return indices;
}

} // namespace

BOOST_AUTO_TEST_CASE(an_epoch_visits_every_record_once_in_a_shuffled_order) {
  sampler_order order{1000, 42, true, 0, 1, partition_mode::pad};
  auto indices = epoch_of(order, 0);
  auto sorted = indices;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint64_t i = 0; i < 1000; ++i)
    BOOST_REQUIRE(sorted[i] == i);
  BOOST_TEST(!std::is_sorted(indices.begin(), indices.end()));
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_order_and_another_seed_another) {
  sampler_order a{500, 7, true, 0, 1, partition_mode::pad};
  sampler_order b{500, 7, true, 0, 1, partition_mode::pad};
  sampler_order c{500, 8, true, 0, 1, partition_mode::pad};
  BOOST_TEST(epoch_of(a, 3) == epoch_of(b, 3));
  BOOST_TEST(epoch_of(a, 3) != epoch_of(c, 3));
  BOOST_TEST(epoch_of(a, 0) != epoch_of(a, 1));  // each epoch reshuffles
}

BOOST_AUTO_TEST_CASE(the_order_is_pinned_so_it_cannot_change_silently) {
  sampler_order order{10, 1, true, 0, 1, partition_mode::pad};
  // xoshiro256** + Lemire draws + Fisher–Yates from the top: if this changes,
  // resumed runs from older checkpoints would see another order.
  std::vector<std::uint64_t> expected = epoch_of(order, 0);
  sampler_order again{10, 1, true, 0, 1, partition_mode::pad};
  BOOST_TEST(epoch_of(again, 0) == expected);
  BOOST_TEST(expected == (std::vector<std::uint64_t>{2, 9, 6, 5, 1, 4, 8, 3, 0, 7}));
}

BOOST_AUTO_TEST_CASE(without_shuffle_the_order_is_the_dataset_order) {
  sampler_order order{5, 1, false, 0, 1, partition_mode::pad};
  BOOST_TEST(epoch_of(order, 2) == (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(ranks_get_disjoint_slices_of_equal_length) {
  for (auto mode : {partition_mode::pad, partition_mode::drop}) {
    std::multiset<std::uint64_t> seen;
    std::set<std::uint64_t> lengths;
    for (std::uint32_t rank = 0; rank < 4; ++rank) {
      sampler_order order{1003, 5, true, rank, 4, mode};
      auto slice = epoch_of(order, 0);
      lengths.insert(slice.size());
      seen.insert(slice.begin(), slice.end());
    }
    BOOST_TEST(lengths.size() == 1u);
    if (mode == partition_mode::drop) {
      BOOST_TEST(*lengths.begin() == 250u);
      BOOST_TEST(seen.size() == 1000u);
      BOOST_TEST(std::set<std::uint64_t>(seen.begin(), seen.end()).size() == 1000u);  // disjoint
    } else {
      BOOST_TEST(*lengths.begin() == 251u);
      BOOST_TEST(std::set<std::uint64_t>(seen.begin(), seen.end()).size() == 1003u);  // all covered
      BOOST_TEST(seen.size() == 1004u);  // one record repeated to even out
    }
  }
}

BOOST_AUTO_TEST_CASE(a_restored_sampler_continues_the_exact_order) {
  sampler_order original{300, 11, true, 1, 3, partition_mode::pad};
  for (int i = 0; i < 150; ++i)
    original.next();  // into the second epoch
  auto saved = sampler_state::from_text(original.state().to_text());
  std::vector<std::uint64_t> expected;
  for (int i = 0; i < 200; ++i)
    expected.push_back(original.next());

  sampler_order resumed{300, 11, true, 1, 3, partition_mode::pad};
  resumed.restore(saved);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 200; ++i)
    got.push_back(resumed.next());
  BOOST_TEST(got == expected);
  BOOST_TEST(saved.epoch == 1u);
}

BOOST_AUTO_TEST_CASE(a_state_from_another_setup_is_refused_naming_the_field) {
  sampler_order order{300, 11, true, 0, 1, partition_mode::pad};
  auto state = order.state();
  state.seed = 12;
  BOOST_CHECK_EXCEPTION(order.restore(state), std::invalid_argument, [](const auto& e) {
    return std::string(e.what()) == "sampler state is for seed 12, this sampler has 11";
  });
  BOOST_CHECK_THROW(sampler_state::from_text("sampler-v1 epoch=1"), std::invalid_argument);
  BOOST_CHECK_THROW(sampler_state::from_text("nonsense"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(impossible_partitions_are_refused) {
  BOOST_CHECK_THROW((sampler_order{0, 1, true, 0, 1, partition_mode::pad}), std::invalid_argument);
  BOOST_CHECK_THROW((sampler_order{10, 1, true, 4, 4, partition_mode::pad}), std::invalid_argument);
  BOOST_CHECK_THROW((sampler_order{3, 1, true, 0, 4, partition_mode::drop}), std::invalid_argument);
}
