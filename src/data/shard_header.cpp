#include "data/shard_header.hpp"

#include <limits>
#include <set>
#include <stdexcept>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/shard_reader.hpp"

namespace ds::data {

bool is_known_codec(std::uint8_t id) noexcept {
  return id <= static_cast<std::uint8_t>(codecs::codec_id::huffman);
}

std::string shape_to_string(const std::vector<std::int64_t>& shape) {
  std::string result = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0)
      result += ',';
    result += std::to_string(shape[i]);
  }
  result += ']';
  return result;
}

std::uint64_t fixed_bytes(const field_spec& field) noexcept {
  std::uint64_t result = size_of(field.type);
  for (auto dim : field.shape)
    if (dim >= 0)
      result *= static_cast<std::uint64_t>(dim);
  return result;
}

bool has_variable_dimension(const field_spec& field) noexcept {
  for (auto dim : field.shape)
    if (dim == -1)
      return true;
  return false;
}

namespace {

std::string check_field(const field_spec& field) {
  if (field.name.empty() || field.name.size() > max_field_name_bytes)
    return "name of " + std::to_string(field.name.size()) + " bytes (1 to "
           + std::to_string(max_field_name_bytes) + " allowed)";
  if (static_cast<std::uint8_t>(field.type) > static_cast<std::uint8_t>(dtype::f64))
    return "unknown dtype " + std::to_string(static_cast<unsigned>(field.type));
  if (field.shape.size() > max_rank)
    return "rank " + std::to_string(field.shape.size()) + ", the limit is "
           + std::to_string(max_rank);
  // A fixed value's size must fit the record's u32 raw_size; checked factor by
  // factor so a corrupt dimension cannot overflow the product.
  std::uint64_t bytes = size_of(field.type);
  for (auto dim : field.shape) {
    if (dim < -1)
      return "dimension " + std::to_string(dim) + " in shape " + shape_to_string(field.shape)
             + " (-1 marks a variable dimension)";
    if (dim >= 0) {
      auto limit = std::numeric_limits<std::uint32_t>::max();
      if (dim > static_cast<std::int64_t>(limit) || bytes * static_cast<std::uint64_t>(dim) > limit)
        return "shape " + shape_to_string(field.shape) + " needs more than 4 GiB per value";
      bytes *= static_cast<std::uint64_t>(dim);
    }
  }
  if (!is_known_codec(static_cast<std::uint8_t>(field.codec)))
    return "unknown codec id " + std::to_string(static_cast<unsigned>(field.codec));
  if (field.dictionary.size() > std::numeric_limits<std::uint32_t>::max())
    return "dictionary of more than 4 GiB";
  return {};
}

} // namespace

std::string check_fields(const std::vector<field_spec>& fields) {
  if (fields.empty() || fields.size() > max_fields)
    return std::to_string(fields.size()) + " fields (1 to " + std::to_string(max_fields)
           + " allowed)";
  std::set<std::string> names;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto problem = check_field(fields[i]);
    if (problem.empty() && !names.insert(fields[i].name).second)
      problem = "name used by an earlier field";
    if (!problem.empty())
      return "field " + std::to_string(i) + " ('" + fields[i].name + "'): " + problem;
  }
  return {};
}

std::vector<std::byte> encode_header(const std::vector<field_spec>& fields) {
  std::vector<std::byte> out;
  byte_writer put{out};
  put.bytes(std::as_bytes(std::span{shard_magic}));
  put.u32(shard_version);
  put.u32(0);  // header_length, patched below once known
  put.u16(static_cast<std::uint16_t>(fields.size()));
  for (const auto& field : fields) {
    put.u16(static_cast<std::uint16_t>(field.name.size()));
    put.bytes(std::as_bytes(std::span{field.name}));
    put.u8(static_cast<std::uint8_t>(field.type));
    put.u8(static_cast<std::uint8_t>(field.shape.size()));
    for (auto dim : field.shape)
      put.i64(dim);
    put.u8(static_cast<std::uint8_t>(field.codec));
    put.u32(field.params.width);
    put.u32(field.params.height);
    put.u32(field.params.channels);
    put.i32(field.params.level);
    put.f32(field.params.quality);
    put.u8(field.params.lossless ? 1 : 0);
    put.u32(static_cast<std::uint32_t>(field.dictionary.size()));
    put.bytes(field.dictionary);
  }
  if (out.size() + checksum_size > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("shard header of more than 4 GiB (dictionaries too large)");
  put.patch_u32(12, static_cast<std::uint32_t>(out.size() + checksum_size));
  put.u64(xxh64(out));
  return out;
}

std::vector<field_spec> decode_fields(std::span<const std::byte> header, const std::string& path) {
  auto fail = [&](const std::string& what) -> shard_error {
    return shard_error{path + ": header: " + what};
  };
  std::vector<field_spec> fields;
  try {
    byte_reader get{header.first(header.size() - checksum_size)};
    get.bytes("prefix", header_prefix_size - 2);
    auto count = get.u16("field_count");
    if (count == 0 || count > max_fields)
      throw fail(std::to_string(count) + " fields (1 to " + std::to_string(max_fields)
                 + " allowed)");
    fields.resize(count);
    for (auto& field : fields) {
      auto name = get.bytes("field name", get.u16("field name length"));
      field.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
      field.type = static_cast<dtype>(get.u8("dtype"));
      auto rank = get.u8("rank");
      if (rank > max_rank)
        throw fail("field '" + field.name + "': rank " + std::to_string(rank)
                   + ", the limit is " + std::to_string(max_rank));
      for (int i = 0; i < rank; ++i)
        field.shape.push_back(get.i64("dimension"));
      field.codec = static_cast<codecs::codec_id>(get.u8("codec id"));
      field.params.width = get.u32("width");
      field.params.height = get.u32("height");
      field.params.channels = get.u32("channels");
      field.params.level = get.i32("level");
      field.params.quality = get.f32("quality");
      auto lossless = get.u8("lossless");
      if (lossless > 1)
        throw fail("field '" + field.name + "': lossless flag " + std::to_string(lossless)
                   + " (0 or 1 allowed)");
      field.params.lossless = lossless == 1;
      auto dictionary = get.bytes("dictionary", get.u32("dictionary length"));
      field.dictionary.assign(dictionary.begin(), dictionary.end());
    }
    if (get.remaining() != 0)
      throw fail(std::to_string(get.remaining()) + " bytes after the last field");
  } catch (const byte_overrun& overrun) {
    throw fail(std::string{"ends inside the fields: "} + overrun.what());
  }
  if (auto problem = check_fields(fields); !problem.empty())
    throw fail(problem);
  return fields;
}

} // namespace ds::data
