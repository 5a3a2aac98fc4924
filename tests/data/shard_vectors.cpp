#include "shard_vectors.hpp"

#include <cstdint>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/shard_reader.hpp"
#include "shard_test_support.hpp"

namespace ds::test {

namespace {

using data::field_spec;

std::vector<std::byte> mixed(const std::filesystem::path& path) {
  auto image = make_field("image", dtype::u8, {4, 4, 1});
  image.params.width = 4;
  image.params.height = 4;
  image.params.channels = 1;
  std::vector<std::vector<std::vector<std::byte>>> records;
  for (int i = 0; i < 5; ++i) {
    std::vector<std::uint8_t> pixels(16);
    for (int p = 0; p < 16; ++p)
      pixels[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(i * 16 + p);
    std::vector<std::int64_t> label{i * 10 - 7};
    records.push_back({to_bytes(pixels), to_bytes(label), to_bytes(std::string(i * 2, 'a' + i))});
  }
  write_shard(path, {image, make_field("label", dtype::i64, {}), make_field("text", dtype::u8, {-1})},
              records);
  return read_file(path);
}

std::vector<std::byte> matrix(const std::filesystem::path& path) {
  auto tokens = make_field("tokens", dtype::i32, {-1, 2});
  tokens.params.level = 7;
  tokens.dictionary = to_bytes(std::string_view{"dict"});
  std::vector<std::vector<std::vector<std::byte>>> records;
  for (int i = 0; i < 3; ++i) {
    std::vector<float> values(6);
    for (int v = 0; v < 6; ++v)
      values[static_cast<std::size_t>(v)] = static_cast<float>(i) + 0.25f * static_cast<float>(v);
    std::vector<std::int32_t> pairs(static_cast<std::size_t>(2 * i), -i);
    records.push_back({to_bytes(values), to_bytes(pairs)});
  }
  write_shard(path, {make_field("weights", dtype::f32, {2, 3}), tokens}, records);
  return read_file(path);
}

std::vector<std::byte> empty(const std::filesystem::path& path) {
  write_shard(path, {make_field("value", dtype::f64, {2})}, {});
  return read_file(path);
}

void put_u32(std::vector<std::byte>& bytes, std::size_t at, std::uint32_t value) {
  data::byte_writer{bytes}.patch_u32(at, value);
}

/// The same file with another version number and a header checksum that
/// matches it, as a future writer would produce.
std::vector<std::byte> version_2(std::vector<std::byte> bytes) {
  put_u32(bytes, 8, 2);
  auto header_length = data::byte_reader{std::span{bytes}.subspan(12, 4)}.u32("header length");
  auto sum = xxh64(std::span{bytes}.first(header_length - 8));
  put_u32(bytes, header_length - 8, static_cast<std::uint32_t>(sum));
  put_u32(bytes, header_length - 4, static_cast<std::uint32_t>(sum >> 32));
  return bytes;
}

} // namespace

std::vector<shard_vector> make_shard_vectors(const std::filesystem::path& scratch) {
  auto mixed_path = scratch / "mixed.dsshard";
  auto good = mixed(mixed_path);
  data::shard_reader reader{data::make_local_storage(), mixed_path.string()};
  auto record_3 = reader.location(3);
  auto index_offset = reader.location(4).offset + reader.location(4).length;

  auto bad_magic = good;
  bad_magic[0] = std::byte{'X'};
  auto flipped = good;
  flipped[record_3.offset + 9 + 5] ^= std::byte{0x10};  // a pixel of record 3's image
  auto head = [&](std::uint64_t size) {
    return std::vector<std::byte>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
  };

  return {
    {"mixed.dsshard",
     "5 records, fields: image u8 [4,4,1] raw (webp geometry 4x4x1 recorded), label i64 [] raw,\n"
     "text u8 [-1] raw. Record i: image bytes i*16 .. i*16+15, label i*10-7, text 2*i copies of\n"
     "the letter 'a'+i (record 0 has empty text).\n",
     good},
    {"matrix.dsshard",
     "3 records, fields: weights f32 [2,3] raw, tokens i32 [-1,2] raw with level 7 and a 4-byte\n"
     "dictionary \"dict\" (unused by raw; it pins the header's dictionary encoding). Record i:\n"
     "weights i + 0.25*v for v = 0..5, tokens 2*i values of -i (record 0 has none).\n",
     matrix(scratch / "matrix.dsshard")},
    {"empty.dsshard", "0 records, one field: value f64 [2] raw. An index of no offsets.\n",
     empty(scratch / "empty.dsshard")},
    {"broken-truncated-header.dsshard",
     "The first 20 bytes of mixed.dsshard: the header ends early. Refused when opened.\n",
     head(20)},
    {"broken-bad-magic.dsshard",
     "mixed.dsshard with its first byte 'X': not a dsflow shard. Refused when opened.\n",
     bad_magic},
    {"broken-version-2.dsshard",
     "mixed.dsshard claiming version 2 (header checksum updated to match). Refused when opened:\n"
     "version 2, this dsflow reads version 1.\n",
     version_2(good)},
    {"broken-record-3-bitflip.dsshard",
     "mixed.dsshard with bit 4 of pixel 5 of record 3's image flipped. Opens; record 3 fails its\n"
     "checksum, records 0-2 and 4 are intact.\n",
     flipped},
    {"broken-truncated-index.dsshard",
     "mixed.dsshard cut 12 bytes into its index: the footer is gone. Refused when opened.\n",
     head(index_offset + 12)},
  };
}

} // namespace ds::test
