#pragma once
/// Encoding and checking of the shard header (docs/shard-format.md), shared by
/// the writer, the reader and ds-inspect.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/shard_format.hpp"

namespace ds::data {

/// magic, version, header_length, field_count: what a reader reads first.
inline constexpr std::size_t header_prefix_size = 8 + 4 + 4 + 2;
/// record_count, index_offset, index_checksum, index magic.
inline constexpr std::size_t footer_size = 8 + 8 + 8 + 8;
/// raw_size, stored_size, codec id: before each field's stored bytes.
inline constexpr std::size_t field_entry_prefix_size = 4 + 4 + 1;
inline constexpr std::size_t checksum_size = 8;

/// Whether a codec id names an encoding this format version defines.
bool is_known_codec(std::uint8_t id) noexcept;

/// "[4,4,1]", "[-1]", "[]" for a scalar.
std::string shape_to_string(const std::vector<std::int64_t>& shape);

/// Bytes of one element times every fixed dimension: a value's size is a
/// multiple of this (equal to it when no dimension varies).
std::uint64_t fixed_bytes(const field_spec& field) noexcept;
bool has_variable_dimension(const field_spec& field) noexcept;

/// What is wrong with a field schema (counts, names, shapes, codecs), or an
/// empty string when the writer may write it and the reader accepts it.
std::string check_fields(const std::vector<field_spec>& fields);

/// The complete header, checksum included, for fields that passed
/// `check_fields`. Throws `std::length_error` past 4 GiB.
std::vector<std::byte> encode_header(const std::vector<field_spec>& fields);

/// Decodes the field list of a complete header whose checksum has been
/// verified. Throws `shard_error` prefixed with `path`.
std::vector<field_spec> decode_fields(std::span<const std::byte> header, const std::string& path);

} // namespace ds::data
