#define BOOST_TEST_MODULE huffman_table
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <queue>

#include "codec_test_support.hpp"
#include "huffman_table.hpp"

using namespace ds;
using namespace ds::codecs::huffman;

namespace {

std::uint64_t cost(const frequencies& counts, const code_lengths& lengths) {
  std::uint64_t bits = 0;
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol)
    bits += counts[symbol] * lengths[symbol];
  return bits;
}

/// Cost of a plain (unlimited) Huffman code: the sum of all merged weights.
std::uint64_t unlimited_huffman_cost(const frequencies& counts) {
  std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<>> queue;
  for (auto count : counts)
    if (count > 0)
      queue.push(count);
  std::uint64_t total = 0;
  while (queue.size() > 1) {
    const auto first = queue.top();
    queue.pop();
    const auto second = queue.top();
    queue.pop();
    total += first + second;
    queue.push(first + second);
  }
  return total;
}

std::uint32_t kraft_sum(const code_lengths& lengths) {
  std::uint32_t sum = 0;
  for (auto length : lengths)
    if (length > 0)
      sum += std::uint32_t{1} << (15 - length);
  return sum;
}

frequencies text_frequencies() {
  frequencies counts{};
  for (char value : codecs::testing::fortunes_text())
    ++counts[static_cast<unsigned char>(value)];
  return counts;
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(fibonacci_weights_stay_within_twelve_bits) {
  // Fibonacci weights make an unlimited Huffman tree as deep as the alphabet.
  frequencies counts{};
  std::uint64_t previous = 1;
  std::uint64_t current = 1;
  for (std::size_t symbol = 0; symbol < 40; ++symbol) {
    counts[symbol] = previous;
    const auto next = previous + current;
    previous = current;
    current = next;
  }
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, max_code_bits, lengths));
  BOOST_TEST(*std::max_element(lengths.begin(), lengths.end()) == max_code_bits);
  BOOST_TEST(kraft_sum(lengths) <= (1u << 15));
  BOOST_TEST(check_code_lengths(lengths).is_ok());
  code_lengths unlimited;
  BOOST_REQUIRE(limited_code_lengths(counts, 15, unlimited));
  BOOST_TEST(cost(counts, lengths) >= cost(counts, unlimited));
}

BOOST_AUTO_TEST_CASE(smoothed_text_weights_stay_within_twelve_bits_and_fill_the_code_space) {
  auto counts = text_frequencies();
  for (auto& count : counts)
    ++count; // what train does: rare bytes would otherwise want ~22-bit codes
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, max_code_bits, lengths));
  BOOST_TEST(*std::max_element(lengths.begin(), lengths.end()) <= max_code_bits);
  BOOST_TEST(*std::min_element(lengths.begin(), lengths.end()) >= 1);
  BOOST_TEST(kraft_sum(lengths) == (1u << 15)); // complete: no code space wasted
}

BOOST_AUTO_TEST_CASE(lengths_are_optimal_when_the_limit_does_not_bind) {
  const auto counts = text_frequencies(); // unsmoothed: Huffman depth stays under 15
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, 15, lengths));
  BOOST_TEST(cost(counts, lengths) == unlimited_huffman_cost(counts));
}

BOOST_AUTO_TEST_CASE(equal_weights_give_eight_bit_codes) {
  frequencies counts;
  counts.fill(7);
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, max_code_bits, lengths));
  BOOST_TEST(std::all_of(lengths.begin(), lengths.end(), [](auto length) { return length == 8; }));
}

BOOST_AUTO_TEST_CASE(a_lone_symbol_gets_one_bit_and_absent_symbols_none) {
  frequencies counts{};
  counts['x'] = 100;
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, max_code_bits, lengths));
  BOOST_TEST(lengths['x'] == 1);
  BOOST_TEST(std::count(lengths.begin(), lengths.end(), 0) == 255);
}

BOOST_AUTO_TEST_CASE(a_limit_too_small_for_the_alphabet_is_refused) {
  frequencies counts;
  counts.fill(1);
  code_lengths lengths;
  BOOST_TEST((limited_code_lengths(counts, 7, lengths).code() == errc::invalid_argument));
  BOOST_TEST((limited_code_lengths(counts, 16, lengths).code() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(canonical_codes_are_ordered_by_length_then_symbol_and_prefix_free) {
  auto counts = text_frequencies();
  for (auto& count : counts)
    ++count;
  code_lengths lengths;
  BOOST_REQUIRE(limited_code_lengths(counts, max_code_bits, lengths));
  const auto codes = canonical_codes(lengths);
  // Left-aligned to 12 bits, canonical codes sort like (length, symbol).
  std::vector<std::size_t> order(alphabet_size);
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol)
    order[symbol] = symbol;
  std::sort(order.begin(), order.end(), [&](auto left, auto right) {
    return std::pair(lengths[left], left) < std::pair(lengths[right], right);
  });
  for (std::size_t rank = 1; rank < alphabet_size; ++rank) {
    const auto previous = order[rank - 1];
    const auto current = order[rank];
    const auto previous_end = (std::uint32_t{codes[previous]} + 1) << (12 - lengths[previous]);
    const auto current_start = std::uint32_t{codes[current]} << (12 - lengths[current]);
    // Each code starts exactly where the previous one's subtree ends: ordered,
    // consecutive and prefix-free at once.
    BOOST_TEST(current_start == previous_end);
  }
}

BOOST_AUTO_TEST_CASE(canonical_codes_match_the_deflate_example) {
  // RFC 1951 section 3.2.2: lengths (3,3,3,3,3,2,4,4) for A..H.
  code_lengths lengths{};
  const std::uint8_t example[] = {3, 3, 3, 3, 3, 2, 4, 4};
  std::copy(std::begin(example), std::end(example), lengths.begin());
  const auto codes = canonical_codes(lengths);
  const std::uint16_t expected[] = {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111};
  for (std::size_t symbol = 0; symbol < 8; ++symbol)
    BOOST_TEST(codes[symbol] == expected[symbol]);
}

BOOST_AUTO_TEST_CASE(packed_tables_round_trip_and_bad_ones_are_refused) {
  code_lengths lengths{};
  lengths['a'] = 1;
  lengths['b'] = 2;
  lengths['c'] = 2;
  std::vector<std::byte> packed;
  pack_lengths(lengths, packed);
  BOOST_REQUIRE_EQUAL(packed.size(), packed_table_size);
  code_lengths unpacked;
  BOOST_REQUIRE(unpack_lengths(packed, unpacked));
  BOOST_TEST((unpacked == lengths));
  lengths['d'] = 1; // Kraft sum 1/2 + 1/4 + 1/4 + 1/2 > 1
  packed.clear();
  pack_lengths(lengths, packed);
  BOOST_TEST((unpack_lengths(packed, unpacked).code() == errc::corrupt_data));
  code_lengths too_long{};
  too_long['a'] = 13;
  packed.clear();
  pack_lengths(too_long, packed);
  BOOST_TEST((unpack_lengths(packed, unpacked).code() == errc::corrupt_data));
  BOOST_TEST((unpack_lengths(std::span(packed).first(127), unpacked).code()
              == errc::corrupt_data));
}

BOOST_AUTO_TEST_CASE(the_decode_table_maps_every_window_to_its_code) {
  code_lengths lengths{};
  lengths['a'] = 1; // code 0
  lengths['b'] = 2; // code 10: the stream holds its first bit, 1, in window bit 0
  decode_table table;
  build_decode_table(lengths, table);
  for (std::size_t window = 0; window < table.entries.size(); ++window) {
    const auto entry = table.entries[window];
    if ((window & 1) == 0)
      BOOST_TEST(entry == ('a' | (1 << 8)));
    else if ((window & 3) == 1)
      BOOST_TEST(entry == ('b' | (2 << 8)));
    else
      BOOST_TEST(entry == 0); // "11" starts no code
  }
}

BOOST_AUTO_TEST_SUITE_END()
