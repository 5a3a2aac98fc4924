#define BOOST_TEST_MODULE shard_writer
#include <boost/test/unit_test.hpp>

#include <cstring>

#include "data/shard_reader.hpp"
#include "shard_test_support.hpp"

using namespace ds;
using namespace ds::data;
using namespace ds::test;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(the_shard_appears_under_its_name_only_when_finished) {
  auto path = scratch_folder("writer-test") / "a.dsshard";
  {
    shard_writer writer{path.string(), {make_field("x", dtype::u8, {1})}};
    auto value = to_bytes(std::string_view{"z"});
    writer.add({value});
    BOOST_TEST(!fs::exists(path));
    BOOST_TEST(fs::exists(path.string() + ".tmp"));
    writer.finish();
    BOOST_TEST(writer.records() == 1u);
  }
  BOOST_TEST(fs::exists(path));
  BOOST_TEST(!fs::exists(path.string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(an_unfinished_writer_leaves_no_file_behind) {
  auto path = scratch_folder("writer-test-abandon") / "a.dsshard";
  {
    shard_writer writer{path.string(), {make_field("x", dtype::u8, {1})}};
  }
  BOOST_TEST(!fs::exists(path));
  BOOST_TEST(!fs::exists(path.string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_size_names_file_record_and_field) {
  auto path = scratch_folder("writer-test-size") / "a.dsshard";
  shard_writer writer{path.string(), {make_field("pixels", dtype::f32, {2, 2}),
                                      make_field("text", dtype::i32, {-1})}};
  auto four_floats = to_bytes(std::vector<float>(4));
  auto two_ints = to_bytes(std::vector<std::int32_t>(2));
  writer.add({four_floats, two_ints});
  auto message = error_of([&] { writer.add({two_ints, two_ints}); });
  BOOST_TEST(contains(message, path.string() + ": record 1: field 'pixels': 8 bytes"));
  BOOST_TEST(contains(message, "[2,2] of f32 (exactly 16 bytes)"));
  auto odd = to_bytes(std::string_view{"abc"});
  message = error_of([&] { writer.add({four_floats, odd}); });
  BOOST_TEST(contains(message, "record 1: field 'text': 3 bytes"));
  BOOST_TEST(contains(message, "a multiple of 4"));
  BOOST_TEST(contains(error_of([&] { writer.add({four_floats}); }), "1 values for 2 fields"));
}

BOOST_AUTO_TEST_CASE(an_invalid_schema_is_refused_before_any_byte_is_written) {
  auto folder = scratch_folder("writer-test-schema");
  auto path = (folder / "a.dsshard").string();
  auto twice = error_of([&] {
    shard_writer{path, {make_field("x", dtype::u8, {}), make_field("x", dtype::u8, {})}};
  });
  BOOST_TEST(contains(twice, "field 1 ('x'): name used by an earlier field"));
  auto deep = error_of([&] {
    shard_writer{path, {make_field("x", dtype::u8, std::vector<std::int64_t>(9, 1))}};
  });
  BOOST_TEST(contains(deep, "rank 9, the limit is 8"));
  BOOST_TEST(contains(error_of([&] { shard_writer{path, {}}; }), "0 fields"));
  BOOST_TEST(contains(error_of([&] { shard_writer{path, {make_field("x", dtype::u8, {-2})}}; }),
                      "dimension -2"));
  BOOST_TEST(fs::is_empty(folder));
}

BOOST_AUTO_TEST_CASE(values_are_encoded_with_their_codec_and_dictionary) {
  if (codecs::find_codec(codecs::codec_id::zstd) == nullptr) {
    BOOST_TEST_MESSAGE("zstd is not built in: skipped");
    return;
  }
  auto path = scratch_folder("writer-test-zstd") / "z.dsshard";
  auto text = make_field("text", dtype::u8, {-1}, codecs::codec_id::zstd);
  auto long_text = to_bytes(std::string(4000, 'q'));
  auto one_byte = to_bytes(std::string_view{"q"});
  write_shard(path, {text}, {{long_text}, {one_byte}});
  shard_reader reader{make_local_storage(), path.string()};
  std::vector<std::byte> bytes(reader.location(0).length);
  reader.read_record(0, bytes);
  auto big = reader.parse_record(0, bytes)[0];
  BOOST_TEST((big.codec == codecs::codec_id::zstd));
  BOOST_TEST(big.stored.size() < 4000u);
  std::vector<std::byte> decoded(big.raw_size);
  auto params = reader.fields()[0].params;
  BOOST_TEST(codecs::find_codec(big.codec)->decode(big.stored, params, decoded).is_ok());
  BOOST_TEST((decoded == long_text));
  bytes.resize(reader.location(1).length);
  reader.read_record(1, bytes);
  auto small = reader.parse_record(1, bytes)[0];
  BOOST_TEST((small.codec == codecs::codec_id::raw));  // zstd would have grown it
  BOOST_TEST(small.stored.size() == 1u);
}
