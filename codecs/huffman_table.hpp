#pragma once
/// huffman-v1 code tables: length-limited code lengths, canonical codes, the
/// packed table format and the 12-bit decoding table (see docs/codecs.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "status.hpp"

namespace ds::codecs::huffman {

inline constexpr std::size_t alphabet_size = 256;
/// No code is longer, so one 4096-entry lookup decodes any symbol.
inline constexpr unsigned max_code_bits = 12;
/// The packed table: two 4-bit lengths per byte, symbol 2i in the low nibble.
inline constexpr std::size_t packed_table_size = alphabet_size / 2;
/// First byte of a trained dictionary; a new table format gets a new number.
inline constexpr std::byte dictionary_version{1};
inline constexpr std::size_t dictionary_size = 1 + packed_table_size;

/// Code length per byte value; 0 = the value has no code.
using code_lengths = std::array<std::uint8_t, alphabet_size>;
using frequencies = std::array<std::uint64_t, alphabet_size>;

/// Optimal prefix-code lengths for `counts` with no code longer than
/// `max_bits` (package-merge). Symbols with count 0 get length 0; a lone
/// symbol gets length 1. Returns invalid_argument when `max_bits` is outside
/// 1..15 or too small for the number of symbols present.
status limited_code_lengths(const frequencies& counts, unsigned max_bits, code_lengths& lengths);

/// Checks lengths ≤ max_code_bits and the Kraft sum ≤ 1; corrupt_data otherwise.
status check_code_lengths(const code_lengths& lengths);

/// Canonical codes (DEFLATE's rule): shorter codes first, equal lengths in
/// symbol order, each code the previous one plus one, shifted left when the
/// length grows. Values are MSB-first; 0 where the length is 0.
/// Precondition: check_code_lengths(lengths) is ok.
std::array<std::uint16_t, alphabet_size> canonical_codes(const code_lengths& lengths);

/// Appends the 128-byte packed form of `lengths` (all ≤ 15) to `out`.
void pack_lengths(const code_lengths& lengths, std::vector<std::byte>& out);

/// Reads a packed table (exactly packed_table_size bytes) and checks it;
/// corrupt_data for a short input, a length over 12 or a Kraft sum over 1.
status unpack_lengths(std::span<const std::byte> packed, code_lengths& lengths);

/// Lookup by the next 12 stream bits (LSB-first): symbol in bits 0..7, code
/// length in bits 8..11, 0 for a bit pattern that starts no code.
struct decode_table {
  std::array<std::uint16_t, std::size_t{1} << max_code_bits> entries;
};

/// Fills `table` from checked lengths (see check_code_lengths).
void build_decode_table(const code_lengths& lengths, decode_table& table);

/// Reverses the low `length` bits of `code`: canonical codes are defined
/// MSB-first but written into an LSB-first stream.
std::uint16_t reverse_bits(std::uint16_t code, unsigned length) noexcept;

} // namespace ds::codecs::huffman
