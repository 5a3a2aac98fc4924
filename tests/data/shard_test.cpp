#define BOOST_TEST_MODULE shard
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "data/fault_injecting_storage.hpp"
#include "data/memory_storage.hpp"
#include "data/shard_reader.hpp"
#include "shard_test_support.hpp"

using namespace ds;
using namespace ds::data;
using namespace ds::test;

namespace {

/// Whether `run` throws a `shard_error` whose message contains every part.
template <class Run>
bool fails_with(Run run, std::initializer_list<std::string> parts) {
  try {
    run();
  } catch (const shard_error& error) {
    for (const auto& part : parts)
      if (!contains(error.what(), part)) {
        BOOST_TEST_MESSAGE("message: " << error.what());
        return false;
      }
    return true;
  }
  return false;
}

std::vector<field_spec> three_fields() {
  auto image = make_field("image", dtype::u8, {2, 3});
  image.dictionary = to_bytes(std::string_view{"table"});
  return {image, make_field("label", dtype::i64, {}), make_field("text", dtype::i32, {-1})};
}

std::vector<std::vector<std::byte>> record_values(int i) {
  return {to_bytes(std::string(6, static_cast<char>('a' + i % 26))),
          to_bytes(std::vector<std::int64_t>{i}),
          to_bytes(std::vector<std::int32_t>(static_cast<std::size_t>(i % 4), i))};
}

/// A shard of `count` records of `three_fields`, as bytes in memory storage.
std::shared_ptr<memory_storage> memory_shard(int count, const std::string& name = "s.dsshard") {
  auto path = scratch_folder("shard-test") / "s.dsshard";
  std::vector<std::vector<std::vector<std::byte>>> records;
  for (int i = 0; i < count; ++i)
    records.push_back(record_values(i));
  write_shard(path, three_fields(), records);
  auto store = std::make_shared<memory_storage>();
  store->put(name, read_file(path));
  return store;
}

std::vector<std::byte> read_whole(const shard_reader& reader, std::uint64_t record) {
  std::vector<std::byte> bytes(reader.location(record).length);
  reader.read_record(record, bytes);
  return bytes;
}

} // namespace

BOOST_AUTO_TEST_CASE(records_read_back_with_their_fields_and_sizes) {
  auto store = memory_shard(20);
  shard_reader reader{store, "s.dsshard"};
  BOOST_TEST(reader.record_count() == 20u);
  BOOST_TEST(reader.fields().size() == 3u);
  BOOST_TEST(reader.fields()[0].name == "image");
  BOOST_TEST((reader.fields()[0].shape == std::vector<std::int64_t>{2, 3}));
  BOOST_TEST(reader.fields()[0].dictionary.size() == 5u);
  BOOST_TEST((reader.fields()[2].shape == std::vector<std::int64_t>{-1}));
  BOOST_TEST((reader.fields()[2].type == dtype::i32));
  for (int i = 0; i < 20; ++i) {
    auto bytes = read_whole(reader, static_cast<std::uint64_t>(i));
    auto fields = reader.parse_record(static_cast<std::uint64_t>(i), bytes);
    auto expected = record_values(i);
    for (std::size_t f = 0; f < 3; ++f) {
      BOOST_TEST((fields[f].codec == codecs::codec_id::raw));
      BOOST_TEST(fields[f].raw_size == expected[f].size());
      BOOST_TEST(std::equal(fields[f].stored.begin(), fields[f].stored.end(), expected[f].begin(),
                            expected[f].end()));
    }
  }
}

BOOST_AUTO_TEST_CASE(any_record_is_read_with_one_read_of_its_own_bytes) {
  auto store = std::make_shared<fault_injecting_storage>(memory_shard(1000));
  shard_reader reader{store, "s.dsshard"};
  auto opened = store->read_count();
  BOOST_TEST(opened <= 4u);  // prefix, header, footer, index
  auto bytes = read_whole(reader, 999);
  BOOST_TEST(store->read_count() == opened + 1);
  BOOST_TEST(reader.parse_record(999, bytes)[1].raw_size == 8u);
}

BOOST_AUTO_TEST_CASE(every_truncation_of_a_shard_is_refused_with_a_shard_error) {
  auto store = memory_shard(3);
  auto whole = std::vector<std::byte>(store->size("s.dsshard"));
  store->read("s.dsshard", 0, whole);
  for (std::size_t length = 0; length < whole.size(); ++length) {
    store->put("cut", {whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length)});
    BOOST_TEST_CONTEXT("length " << length) {
      BOOST_TEST(fails_with([&] { shard_reader{store, "cut"}; }, {"cut: "}));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_flipped_bit_in_a_record_names_the_file_and_record) {
  auto store = std::make_shared<fault_injecting_storage>(memory_shard(5));
  shard_reader reader{store, "s.dsshard"};
  auto where = reader.location(3);
  for (std::uint64_t at = where.offset; at < where.offset + where.length; ++at) {
    store->heal();
    store->flip_bit("s.dsshard", at, static_cast<int>(at % 8));
    auto bytes = read_whole(reader, 3);
    BOOST_TEST_CONTEXT("byte " << at) {
      BOOST_TEST(fails_with([&] { reader.parse_record(3, bytes); },
                            {"s.dsshard: record 3: checksum mismatch"}));
    }
  }
  store->heal();
  BOOST_TEST(reader.parse_record(3, read_whole(reader, 3)).size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_flipped_bit_in_header_or_index_is_refused_when_opening) {
  auto store = std::make_shared<fault_injecting_storage>(memory_shard(4));
  auto size = store->size("s.dsshard");
  shard_reader reader{store, "s.dsshard"};
  auto index_offset = reader.location(3).offset + reader.location(3).length;
  for (std::uint64_t at = 0; at < size; ++at) {
    if (at == reader.location(0).offset)
      at = index_offset;  // record bytes are checked by parse_record
    store->heal();
    store->flip_bit("s.dsshard", at, 1);
    BOOST_TEST_CONTEXT("byte " << at) {
      BOOST_TEST(fails_with([&] { shard_reader{store, "s.dsshard"}; }, {"s.dsshard: "}));
    }
  }
}

BOOST_AUTO_TEST_CASE(another_version_is_refused_naming_both_versions) {
  auto store = memory_shard(1);
  std::vector<std::byte> bytes(store->size("s.dsshard"));
  store->read("s.dsshard", 0, bytes);
  bytes[8] = std::byte{7};
  store->put("v7.dsshard", bytes);
  BOOST_TEST(fails_with([&] { shard_reader{store, "v7.dsshard"}; },
                        {"v7.dsshard: version 7, this dsflow reads version 1"}));
  bytes[0] = std::byte{'P'};
  store->put("pdf", bytes);
  BOOST_TEST(fails_with([&] { shard_reader{store, "pdf"}; }, {"pdf: not a dsflow shard"}));
}

BOOST_AUTO_TEST_CASE(record_numbers_past_the_end_and_wrong_lengths_are_refused) {
  auto store = memory_shard(2);
  shard_reader reader{store, "s.dsshard"};
  BOOST_TEST(fails_with([&] { reader.location(2); }, {"record 2 out of range", "2 records"}));
  auto bytes = read_whole(reader, 1);
  bytes.pop_back();
  BOOST_TEST(fails_with([&] { reader.parse_record(1, bytes); }, {"record 1: ", "the index says"}));
  BOOST_TEST(fails_with([&] { reader.read_record(1, bytes); }, {"record 1: buffer of"}));
}

BOOST_AUTO_TEST_CASE(an_empty_shard_has_no_records) {
  auto path = scratch_folder("shard-test-empty") / "e.dsshard";
  write_shard(path, three_fields(), {});
  shard_reader reader{make_local_storage(), path.string()};
  BOOST_TEST(reader.record_count() == 0u);
  BOOST_TEST(reader.fields().size() == 3u);
}
