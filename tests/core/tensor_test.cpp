#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>

#include "dsflow/memory.hpp"
#include "dsflow/tensor.hpp"

namespace {

std::string error_of(auto&& make) {
  try {
    make();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

} // namespace

using shape_t = std::vector<std::int64_t>;

BOOST_AUTO_TEST_CASE(contiguous_strides_are_row_major) {
  BOOST_TEST(ds::tensor::contiguous_strides({2, 3, 4}) == (shape_t{12, 4, 1}),
             boost::test_tools::per_element());
  BOOST_TEST(ds::tensor::contiguous_strides({}).empty());
}

BOOST_AUTO_TEST_CASE(a_contiguous_tensor_reports_its_size) {
  ds::memory_pool pool{ds::make_host_allocator()};
  ds::tensor t{pool.allocate(24), ds::dtype::f32, {2, 3}};
  BOOST_TEST(t.numel() == 6);
  BOOST_TEST(t.nbytes() == 24u);
  BOOST_TEST(t.rank() == 2u);
  BOOST_TEST(t.is_contiguous());
  BOOST_TEST(t.data<float>() == reinterpret_cast<float*>(t.storage().data()));
}

BOOST_AUTO_TEST_CASE(a_buffer_too_small_for_the_shape_is_refused_with_the_sizes) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto text = error_of([&] { ds::tensor{pool.allocate(16), ds::dtype::f32, {2, 3}}; });
  BOOST_TEST(text == "tensor f32[2, 3] with strides [3, 1] and offset 0: needs 24 bytes, but its "
                     "buffer holds 16");
}

BOOST_AUTO_TEST_CASE(a_strided_view_is_checked_against_its_last_element) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto storage = pool.allocate(10 * 8);
  // Every other element of a column of 10 i64: elements 1, 3, 5, 7, 9.
  ds::tensor column{storage, ds::dtype::i64, {5}, {2}, 1};
  BOOST_TEST(!column.is_contiguous());
  BOOST_TEST(column.data<std::int64_t>() == reinterpret_cast<std::int64_t*>(storage.data()) + 1);
  BOOST_CHECK_THROW((ds::tensor{storage, ds::dtype::i64, {5}, {2}, 2}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_view_reaching_before_its_buffer_is_refused) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto storage = pool.allocate(4);
  BOOST_CHECK_NO_THROW((ds::tensor{storage, ds::dtype::u8, {4}, {-1}, 3}));
  auto text = error_of([&] { ds::tensor{storage, ds::dtype::u8, {4}, {-1}, 2}; });
  BOOST_TEST(text.find("before the start") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(malformed_shapes_are_refused) {
  ds::memory_pool pool{ds::make_host_allocator()};
  auto storage = pool.allocate(64);
  BOOST_CHECK_THROW((ds::tensor{storage, ds::dtype::u8, {-1}}), std::invalid_argument);
  BOOST_CHECK_THROW((ds::tensor{storage, ds::dtype::u8, {2, 2}, {1}, 0}), std::invalid_argument);
  BOOST_CHECK_THROW((ds::tensor{storage, ds::dtype::u8, {4}, {1}, -1}), std::invalid_argument);
  BOOST_CHECK_THROW((ds::tensor{storage, ds::dtype::u8, {1LL << 62, 4}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(an_empty_tensor_needs_no_bytes) {
  ds::tensor empty{ds::buffer{}, ds::dtype::f64, {0, 7}};
  BOOST_TEST(empty.numel() == 0);
  BOOST_TEST(empty.is_contiguous());
}

BOOST_AUTO_TEST_CASE(extent_one_dimensions_do_not_break_contiguity) {
  ds::memory_pool pool{ds::make_host_allocator()};
  ds::tensor t{pool.allocate(12), ds::dtype::f32, {1, 3}, {99, 1}, 0};
  BOOST_TEST(t.is_contiguous());
}

BOOST_AUTO_TEST_CASE(dtypes_have_sizes_and_names_that_parse_back) {
  for (auto type : {ds::dtype::u8, ds::dtype::i32, ds::dtype::i64, ds::dtype::f16, ds::dtype::bf16,
                    ds::dtype::f32, ds::dtype::f64})
    BOOST_TEST((ds::parse_dtype(ds::to_string(type)) == type));
  BOOST_TEST(ds::size_of(ds::dtype::bf16) == 2u);
  BOOST_TEST(ds::size_of(ds::dtype::i64) == 8u);
}

BOOST_AUTO_TEST_CASE(an_unknown_dtype_name_lists_the_valid_ones) {
  auto text = error_of([] { ds::parse_dtype("float32"); });
  BOOST_TEST(text == "unknown dtype 'float32'; valid dtypes: u8, i32, i64, f16, bf16, f32, f64");
}
