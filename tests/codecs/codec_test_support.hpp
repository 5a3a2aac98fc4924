#pragma once
/// Shared helpers for the codec tests: sample data and corruption sweeps.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "codec.hpp"

namespace ds::codecs::testing {

inline std::vector<std::byte> random_bytes(std::size_t size, std::uint64_t seed = 42) {
  std::mt19937_64 generator(seed);
  std::vector<std::byte> bytes(size);
  for (auto& value : bytes)
    value = static_cast<std::byte>(generator() & 0xFF);
  return bytes;
}

inline std::vector<std::byte> as_bytes(std::string_view text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return {first, first + text.size()};
}

/// The whole fortunes file: English text with short records separated by "%".
inline std::string fortunes_text() {
  std::ifstream file("/usr/share/games/fortunes/fortunes", std::ios::binary);
  BOOST_REQUIRE_MESSAGE(file, "needs /usr/share/games/fortunes/fortunes (package fortunes-min)");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

/// Every English fortune file concatenated (~2.6 MB that does not repeat), for
/// stream figures that long-range matching cannot inflate.
inline std::string all_fortune_files_text() {
  std::string text;
  for (const char* name : {"art", "computers", "cookie", "definitions", "drugs", "education",
                           "food", "fortunes", "humorists", "kids", "law", "linux", "literature",
                           "love", "men-women", "miscellaneous", "people", "platitudes",
                           "politics", "science", "songs-poems", "sports", "wisdom", "work"}) {
    std::ifstream file(std::string("/usr/share/games/fortunes/") + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(file, "needs /usr/share/games/fortunes/" << name);
    text.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return text;
}

/// The fortunes as separate records (the text between "\n%\n" lines).
inline std::vector<std::string> fortune_records() {
  const std::string text = fortunes_text();
  std::vector<std::string> records;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find("\n%\n", start)) != std::string::npos; start = end + 3)
    records.push_back(text.substr(start, end - start + 1));
  return records;
}

/// `text` repeated up to exactly `size` bytes.
inline std::vector<std::byte> repeated_text(const std::string& text, std::size_t size) {
  std::vector<std::byte> bytes(size);
  for (std::size_t index = 0; index < size; ++index)
    bytes[index] = static_cast<std::byte>(text[index % text.size()]);
  return bytes;
}

inline std::vector<std::span<const std::byte>> spans_of(
  const std::vector<std::vector<std::byte>>& records) {
  return {records.begin(), records.end()};
}

inline std::vector<std::byte> encode_or_fail(const codec& implementation,
                                             std::span<const std::byte> in,
                                             const codec_params& params) {
  std::vector<std::byte> encoded;
  auto done = implementation.encode(in, params, encoded);
  BOOST_REQUIRE_MESSAGE(done, done.to_string());
  return encoded;
}

inline void check_round_trip(const codec& implementation, std::span<const std::byte> in,
                             const codec_params& params) {
  const auto encoded = encode_or_fail(implementation, in, params);
  std::vector<std::byte> decoded(in.size());
  auto done = implementation.decode(encoded, params, decoded);
  BOOST_REQUIRE_MESSAGE(done, done.to_string());
  BOOST_TEST((decoded == std::vector<std::byte>(in.begin(), in.end())));
}

/// Every strict prefix and one trailing byte must be refused as corrupt_data;
/// flipped bits must give ok or corrupt_data, never a crash or another code
/// (a flip inside entropy-coded data may decode to other bytes: the record
/// checksum, not the codec, catches those). Large frames are sampled.
inline void check_corruption(const codec& implementation, std::span<const std::byte> encoded,
                             const codec_params& params, std::size_t decoded_size) {
  std::vector<std::byte> decoded(decoded_size);
  const std::size_t step = encoded.size() > 512 ? encoded.size() / 256 : 1;
  for (std::size_t length = 0; length < encoded.size(); length += step) {
    std::vector<std::byte> truncated(encoded.begin(), encoded.begin() + length);
    auto done = implementation.decode(truncated, params, decoded);
    BOOST_TEST_REQUIRE((done.code() == errc::corrupt_data),
                       "prefix of " << length << " bytes: " << done.to_string());
  }
  std::vector<std::byte> trailing(encoded.begin(), encoded.end());
  trailing.push_back(std::byte{0});
  BOOST_TEST((implementation.decode(trailing, params, decoded).code() == errc::corrupt_data));
  std::size_t detected = 0;
  std::size_t flips = 0;
  for (std::size_t bit = 0; bit < encoded.size() * 8; bit += step) {
    std::vector<std::byte> flipped(encoded.begin(), encoded.end());
    flipped[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    auto done = implementation.decode(flipped, params, decoded);
    BOOST_TEST_REQUIRE((done.is_ok() || done.code() == errc::corrupt_data),
                       "bit " << bit << ": " << done.to_string());
    detected += done.is_ok() ? 0 : 1;
    ++flips;
  }
  BOOST_TEST_MESSAGE(implementation.name() << ": " << detected << " of " << flips
                                           << " bit flips refused as corrupt_data");
}

/// Decoding into one byte more or less than the record holds is refused.
inline void check_wrong_size_refused(const codec& implementation,
                                     std::span<const std::byte> encoded,
                                     const codec_params& params, std::size_t decoded_size,
                                     errc expected = errc::corrupt_data) {
  std::vector<std::byte> larger(decoded_size + 1);
  BOOST_TEST((implementation.decode(encoded, params, larger).code() == expected));
  if (decoded_size > 0) {
    std::vector<std::byte> smaller(decoded_size - 1);
    BOOST_TEST((implementation.decode(encoded, params, smaller).code() == expected));
  }
}

/// Per-record figures on the fortunes: the decoder's hot path is one short
/// record at a time with the field's dictionary.
struct record_figures {
  std::size_t raw_bytes = 0;
  std::size_t stored_bytes = 0; ///< frames plus the dictionary
  double decode_mb_per_s = 0;
};

inline record_figures measure_fortune_records(const codec& implementation, int level = 3) {
  std::vector<std::vector<std::byte>> records;
  for (const auto& record : fortune_records())
    records.push_back(as_bytes(record));
  std::vector<std::byte> dictionary;
  codec_params params;
  params.level = level;
  BOOST_REQUIRE(implementation.train(spans_of(records), params, dictionary));
  params.dictionary = dictionary;
  record_figures figures;
  figures.stored_bytes = dictionary.size();
  std::vector<std::vector<std::byte>> frames;
  for (const auto& record : records) {
    frames.push_back(encode_or_fail(implementation, record, params));
    figures.raw_bytes += record.size();
    figures.stored_bytes += frames.back().size();
  }
  std::vector<std::vector<std::byte>> decoded;
  for (const auto& record : records)
    decoded.emplace_back(record.size());
  using clock = std::chrono::steady_clock;
  std::size_t rounds = 0;
  const auto start = clock::now();
  bool all_ok = true; // checked after the loop: a Boost assertion per record would dominate
  while (clock::now() - start < std::chrono::milliseconds(300)) {
    for (std::size_t index = 0; index < records.size(); ++index)
      all_ok &= implementation.decode(frames[index], params, decoded[index]).is_ok();
    ++rounds;
  }
  BOOST_REQUIRE(all_ok);
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  BOOST_TEST((decoded == records));
  figures.decode_mb_per_s = static_cast<double>(figures.raw_bytes * rounds) / seconds / 1e6;
  BOOST_TEST_MESSAGE(implementation.name()
                     << " on " << records.size() << " fortune records (" << figures.raw_bytes
                     << " bytes): " << figures.stored_bytes << " stored with a "
                     << dictionary.size() << "-byte dictionary ("
                     << static_cast<double>(figures.stored_bytes) / figures.raw_bytes
                     << " of raw), per-record decode " << figures.decode_mb_per_s << " MB/s");
  return figures;
}

} // namespace ds::codecs::testing
