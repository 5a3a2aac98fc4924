// The flat parameter layout and the gradient bucket table.
#define BOOST_TEST_MODULE nn_parameters
#include <boost/test/unit_test.hpp>

#include "nn/parameters.hpp"

#include <stdexcept>
#include <vector>

using namespace ds::nn;

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(layers_are_laid_out_last_layer_first) {
  const std::vector<std::size_t> sizes{10, 0, 20, 5};
  parameter_store store{sizes, 1u << 20};
  BOOST_TEST(store.values().size() == 35u);
  BOOST_TEST(store.gradients().size() == 35u);
  BOOST_TEST(store.layer_slice(3).offset == 0u);
  BOOST_TEST(store.layer_slice(2).offset == 5u);
  BOOST_TEST(store.layer_slice(1).size == 0u);
  BOOST_TEST(store.layer_slice(0).offset == 25u);
  BOOST_TEST(store.layer_slice(0).size == 10u);
}

BOOST_AUTO_TEST_CASE(buckets_fill_from_the_last_layer_and_close_at_the_byte_size) {
  // 40 bytes per bucket = 10 floats: {layer 3 (5) + layer 2 (20)}, {layer 1 (12)}, {layer 0}.
  const std::vector<std::size_t> sizes{3, 12, 20, 5};
  parameter_store store{sizes, 40};
  const auto buckets = store.buckets();
  BOOST_TEST_REQUIRE(buckets.size() == 3u);
  BOOST_TEST(buckets[0].range.offset == 0u);
  BOOST_TEST(buckets[0].range.size == 25u);
  BOOST_TEST(buckets[0].first_layer == 2u);
  BOOST_TEST(buckets[0].last_layer == 3u);
  BOOST_TEST(buckets[1].range.offset == 25u);
  BOOST_TEST(buckets[1].range.size == 12u);
  BOOST_TEST(buckets[2].range.offset == 37u);
  BOOST_TEST(buckets[2].range.size == 3u);
  BOOST_TEST(store.bucket_of(3) == 0u);
  BOOST_TEST(store.bucket_of(2) == 0u);
  BOOST_TEST(store.bucket_of(1) == 1u);
  BOOST_TEST(store.bucket_of(0) == 2u);
  BOOST_TEST(store.bucket_completed_by(3) == parameter_store::no_bucket);
  BOOST_TEST(store.bucket_completed_by(2) == 0u);
  BOOST_TEST(store.bucket_completed_by(1) == 1u);
  BOOST_TEST(store.bucket_completed_by(0) == 2u);
}

BOOST_AUTO_TEST_CASE(buckets_tile_the_buffer_without_gaps) {
  const std::vector<std::size_t> sizes{7, 0, 300, 1, 0, 64, 9};
  parameter_store store{sizes, 128};
  std::size_t next = 0;
  for (const auto& b : store.buckets()) {
    BOOST_TEST(b.range.offset == next);
    next += b.range.size;
  }
  BOOST_TEST(next == store.values().size());
}

BOOST_AUTO_TEST_CASE(parameterless_layers_belong_to_no_bucket) {
  const std::vector<std::size_t> sizes{4, 0, 4};
  parameter_store store{sizes, 4};
  BOOST_TEST(store.bucket_of(1) == parameter_store::no_bucket);
  BOOST_TEST(store.bucket_completed_by(1) == parameter_store::no_bucket);
  BOOST_TEST(store.buckets().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_layer_larger_than_the_bucket_size_gets_a_bucket_of_its_own) {
  const std::vector<std::size_t> sizes{2, 1000, 2};
  parameter_store store{sizes, 64};
  BOOST_TEST_REQUIRE(store.buckets().size() == 2u);
  BOOST_TEST(store.buckets()[0].range.size == 1002u);
  BOOST_TEST(store.buckets()[1].range.size == 2u);
}

BOOST_AUTO_TEST_CASE(bad_layouts_are_refused) {
  const std::vector<std::size_t> sizes{4};
  BOOST_CHECK_THROW((parameter_store{sizes, 0}), std::invalid_argument);
  const std::vector<std::size_t> empty{0, 0};
  BOOST_CHECK_THROW((parameter_store{empty, 64}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
