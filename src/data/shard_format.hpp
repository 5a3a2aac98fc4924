#pragma once
/// The shard file format (docs/shard-format.md): constants and the field schema.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec.hpp"
#include "dsflow/tensor.hpp"

namespace ds::data {

inline constexpr char shard_magic[8] = {'D', 'S', 'S', 'H', 'A', 'R', 'D', '\0'};
inline constexpr char index_magic[8] = {'D', 'S', 'I', 'N', 'D', 'E', 'X', '\0'};
inline constexpr std::uint32_t shard_version = 1;

/// Sanity limits a reader enforces before trusting a header, so a corrupt
/// count cannot make it allocate or loop without bound.
inline constexpr std::size_t max_fields = 256;
inline constexpr std::size_t max_rank = 8;
inline constexpr std::size_t max_field_name_bytes = 255;

/// One field of every record of a shard.
struct field_spec {
  std::string name;                   ///< e.g. "image", "label", "text"
  dtype type = dtype::u8;
  /// Element shape of one record's value; -1 marks a dimension that varies
  /// per record (text). Scalars have an empty shape.
  std::vector<std::int64_t> shape;
  codecs::codec_id codec = codecs::codec_id::raw;
  codecs::codec_params params;        ///< geometry, level, quality (dictionary below)
  std::vector<std::byte> dictionary;  ///< shared by every record of this field
};

/// Where one record lies in its shard file.
struct record_location {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

} // namespace ds::data
