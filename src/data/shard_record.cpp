// shard_reader::parse_record: the checks every record passes before decoding.

#include <string>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/shard_header.hpp"
#include "data/shard_reader.hpp"

namespace ds::data {

std::vector<encoded_field> shard_reader::parse_record(std::uint64_t record,
                                                      std::span<const std::byte> bytes) const {
  auto fail = [&](const std::string& what) {
    return shard_error{path_ + ": record " + std::to_string(record) + ": " + what};
  };
  auto expected = location(record).length;
  if (bytes.size() != expected)
    throw fail(std::to_string(bytes.size()) + " bytes, the index says "
               + std::to_string(expected));
  if (bytes.size() < checksum_size)
    throw fail("shorter than its checksum");
  auto body = bytes.first(bytes.size() - checksum_size);
  auto stored_sum = byte_reader{bytes.last(checksum_size)}.u64("checksum");
  if (xxh64(body) != stored_sum)
    throw fail("checksum mismatch (corrupt record)");

  std::vector<encoded_field> result(fields_.size());
  byte_reader get{body};
  try {
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const auto& field = fields_[i];
      auto& out = result[i];
      auto in_field = [&](const std::string& what) {
        return fail("field '" + field.name + "': " + what);
      };
      out.raw_size = get.u32("raw_size");
      auto stored_size = get.u32("stored_size");
      auto codec = get.u8("codec id");
      // A record stores a value raw when its codec would not make it smaller.
      if (codec != static_cast<std::uint8_t>(field.codec)
          && codec != static_cast<std::uint8_t>(codecs::codec_id::raw))
        throw in_field(std::string{is_known_codec(codec) ? "codec id " : "unknown codec id "}
                       + std::to_string(codec) + ", the field's codec is "
                       + std::to_string(static_cast<unsigned>(field.codec)) + " (or 0, raw)");
      out.codec = static_cast<codecs::codec_id>(codec);
      out.stored = get.bytes("stored bytes", stored_size);
      if (out.codec == codecs::codec_id::raw && stored_size != out.raw_size)
        throw in_field("stored raw in " + std::to_string(stored_size) + " bytes, raw_size is "
                       + std::to_string(out.raw_size));
      auto unit = fixed_bytes(field);
      if (!has_variable_dimension(field) && out.raw_size != unit)
        throw in_field("raw_size " + std::to_string(out.raw_size) + ", the shape "
                       + shape_to_string(field.shape) + " of " + std::string{to_string(field.type)}
                       + " needs " + std::to_string(unit));
      if (has_variable_dimension(field)
          && (unit == 0 ? out.raw_size != 0 : out.raw_size % unit != 0))
        throw in_field("raw_size " + std::to_string(out.raw_size) + " is not a multiple of "
                       + std::to_string(unit) + " bytes (shape " + shape_to_string(field.shape)
                       + " of " + std::string{to_string(field.type)} + ")");
    }
  } catch (const byte_overrun& overrun) {
    throw fail(std::string{"fields overrun the record: "} + overrun.what());
  }
  if (get.remaining() != 0)
    throw fail(std::to_string(get.remaining()) + " bytes after the last field");
  return result;
}

} // namespace ds::data
