#include "huffman_table.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace ds::codecs::huffman {

namespace {

/// One level of package-merge: item weights in ascending order and whether
/// each item is a leaf (a symbol) or a package of two items of the level below.
struct merge_level {
  std::vector<std::uint64_t> weights;
  std::vector<bool> is_leaf;
};

} // namespace

// Package-merge (Larmore & Hirschberg) gives the optimal lengths under the
// limit, unlike heuristics that patch an unlimited tree. With n ≤ 256 symbols
// and 15 levels it costs a few thousand steps, cheap enough per record.
status limited_code_lengths(const frequencies& counts, unsigned max_bits, code_lengths& lengths) {
  lengths.fill(0);
  if (max_bits < 1 || max_bits > 15)
    return {errc::invalid_argument,
            "huffman: length limit " + std::to_string(max_bits) + " is outside 1..15"};
  std::vector<std::pair<std::uint64_t, std::uint8_t>> leaves;
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol)
    if (counts[symbol] > 0)
      leaves.emplace_back(counts[symbol], static_cast<std::uint8_t>(symbol));
  if (leaves.empty())
    return status::ok();
  if (leaves.size() == 1) {
    lengths[leaves.front().second] = 1;
    return status::ok();
  }
  if (leaves.size() > (std::size_t{1} << max_bits))
    return {errc::invalid_argument, "huffman: " + std::to_string(leaves.size())
                                      + " symbols do not fit in codes of "
                                      + std::to_string(max_bits) + " bits"};
  std::sort(leaves.begin(), leaves.end());
  std::vector<merge_level> levels(max_bits);
  for (const auto& leaf : leaves) {
    levels[0].weights.push_back(leaf.first);
    levels[0].is_leaf.push_back(true);
  }
  for (unsigned level = 1; level < max_bits; ++level) {
    const auto& below = levels[level - 1].weights;
    auto& current = levels[level];
    std::size_t leaf = 0;
    std::size_t package = 0;
    const std::size_t packages = below.size() / 2;
    while (leaf < leaves.size() || package < packages) {
      const bool take_leaf = package == packages
                             || (leaf < leaves.size()
                                 && leaves[leaf].first
                                      <= below[2 * package] + below[2 * package + 1]);
      if (take_leaf) {
        current.weights.push_back(leaves[leaf++].first);
      } else {
        current.weights.push_back(below[2 * package] + below[2 * package + 1]);
        ++package;
      }
      current.is_leaf.push_back(take_leaf);
    }
  }
  // The cheapest 2n-2 items of the top level are the solution; each package
  // taken pulls in two items of the level below, and every leaf selected on a
  // level adds one bit to that symbol's length. Selected leaves are always a
  // prefix of the sorted leaves, so counting them is enough.
  std::size_t selected = 2 * leaves.size() - 2;
  for (unsigned level = max_bits; level-- > 0;) {
    const auto& is_leaf = levels[level].is_leaf;
    std::size_t selected_leaves = 0;
    for (std::size_t item = 0; item < selected; ++item)
      selected_leaves += is_leaf[item] ? 1 : 0;
    for (std::size_t leaf = 0; leaf < selected_leaves; ++leaf)
      ++lengths[leaves[leaf].second];
    selected = 2 * (selected - selected_leaves);
  }
  return status::ok();
}

status check_code_lengths(const code_lengths& lengths) {
  std::uint32_t kraft = 0; // in units of 2^-max_code_bits
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol) {
    const unsigned length = lengths[symbol];
    if (length > max_code_bits)
      return {errc::corrupt_data, "huffman: symbol " + std::to_string(symbol) + " has a code of "
                                    + std::to_string(length) + " bits, more than the limit of 12"};
    if (length > 0)
      kraft += std::uint32_t{1} << (max_code_bits - length);
  }
  if (kraft > (std::uint32_t{1} << max_code_bits))
    return {errc::corrupt_data, "huffman: code lengths overfill the code space (Kraft sum "
                                  + std::to_string(kraft) + "/4096 > 1)"};
  return status::ok();
}

std::array<std::uint16_t, alphabet_size> canonical_codes(const code_lengths& lengths) {
  std::array<std::uint16_t, max_code_bits + 1> count_per_length{};
  for (auto length : lengths)
    if (length > 0)
      ++count_per_length[length];
  std::array<std::uint16_t, max_code_bits + 1> next_code{};
  std::uint16_t code = 0;
  for (unsigned length = 1; length <= max_code_bits; ++length) {
    code = static_cast<std::uint16_t>((code + count_per_length[length - 1]) << 1);
    next_code[length] = code;
  }
  std::array<std::uint16_t, alphabet_size> codes{};
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol)
    if (lengths[symbol] > 0)
      codes[symbol] = next_code[lengths[symbol]]++;
  return codes;
}

void pack_lengths(const code_lengths& lengths, std::vector<std::byte>& out) {
  for (std::size_t symbol = 0; symbol < alphabet_size; symbol += 2)
    out.push_back(static_cast<std::byte>(lengths[symbol] | (lengths[symbol + 1] << 4)));
}

status unpack_lengths(std::span<const std::byte> packed, code_lengths& lengths) {
  if (packed.size() != packed_table_size)
    return {errc::corrupt_data, "huffman: code-length table has " + std::to_string(packed.size())
                                  + " bytes, expected 128"};
  for (std::size_t index = 0; index < packed_table_size; ++index) {
    const auto pair = std::to_integer<std::uint8_t>(packed[index]);
    lengths[2 * index] = pair & 0x0F;
    lengths[2 * index + 1] = pair >> 4;
  }
  return check_code_lengths(lengths);
}

std::uint16_t reverse_bits(std::uint16_t code, unsigned length) noexcept {
  std::uint16_t reversed = 0;
  for (unsigned bit = 0; bit < length; ++bit)
    reversed = static_cast<std::uint16_t>((reversed << 1) | ((code >> bit) & 1));
  return reversed;
}

void build_decode_table(const code_lengths& lengths, decode_table& table) {
  table.entries.fill(0);
  const auto codes = canonical_codes(lengths);
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol) {
    const unsigned length = lengths[symbol];
    if (length == 0)
      continue;
    const auto entry = static_cast<std::uint16_t>(symbol | (length << 8));
    // Every 12-bit window whose low `length` bits are this code decodes to it.
    for (std::size_t index = reverse_bits(codes[symbol], length); index < table.entries.size();
         index += std::size_t{1} << length)
      table.entries[index] = entry;
  }
}

} // namespace ds::codecs::huffman
