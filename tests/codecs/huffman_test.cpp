#define BOOST_TEST_MODULE huffman
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>

#include "codec_test_support.hpp"
#include "huffman_table.hpp"

using namespace ds;
using namespace ds::codecs;
using namespace ds::codecs::testing;

namespace {

const codec& huffman_v1() {
  const auto* found = find_codec("huffman-v1");
  BOOST_REQUIRE(found != nullptr);
  return *found;
}

std::vector<std::byte> trained_dictionary() {
  std::vector<std::vector<std::byte>> records;
  for (const auto& record : fortune_records())
    records.push_back(as_bytes(record));
  std::vector<std::byte> dictionary;
  BOOST_REQUIRE(huffman_v1().train(spans_of(records), {}, dictionary));
  return dictionary;
}

unsigned mode_of(const std::vector<std::byte>& frame) {
  return std::to_integer<unsigned>(frame.at(0)) & 3;
}

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(file, "cannot open " << path);
  std::vector<char> chars{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  std::vector<std::byte> bytes(chars.size());
  std::transform(chars.begin(), chars.end(), bytes.begin(),
                 [](char value) { return static_cast<std::byte>(value); });
  return bytes;
}

const std::filesystem::path golden_dir = DS_TEST_DATA_DIR "/codecs";

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(the_dictionary_is_a_versioned_table_with_every_byte_encodable) {
  const auto dictionary = trained_dictionary();
  BOOST_REQUIRE_EQUAL(dictionary.size(), huffman::dictionary_size);
  BOOST_TEST((dictionary[0] == huffman::dictionary_version));
  huffman::code_lengths lengths;
  BOOST_REQUIRE(huffman::unpack_lengths(std::span(dictionary).subspan(1), lengths));
  BOOST_TEST(std::all_of(lengths.begin(), lengths.end(),
                         [](auto length) { return length >= 1 && length <= 12; }));
}

BOOST_AUTO_TEST_CASE(small_and_edge_inputs_round_trip_with_and_without_a_dictionary) {
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  for (const auto& params : {codec_params{}, shared}) {
    check_round_trip(huffman_v1(), {}, params);
    check_round_trip(huffman_v1(), as_bytes("x"), params);
    check_round_trip(huffman_v1(), random_bytes(4096), params);
    check_round_trip(huffman_v1(), std::vector<std::byte>(100000, std::byte{'a'}), params);
    check_round_trip(huffman_v1(), as_bytes("Short English text, as a caption would be."), params);
    for (std::size_t size = 0; size < 40; ++size) // every tail length of the decoder
      check_round_trip(huffman_v1(), repeated_text("abracadabra, said the fortune", size), params);
  }
}

BOOST_AUTO_TEST_CASE(sixteen_mebibytes_of_text_round_trip) {
  const auto text = repeated_text(fortunes_text(), 16u << 20);
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  check_round_trip(huffman_v1(), text, shared);
  check_round_trip(huffman_v1(), text, {});
}

BOOST_AUTO_TEST_CASE(the_encoder_picks_shared_embedded_or_stored_frames) {
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  const auto text = as_bytes(fortune_records().at(3));
  const auto with_dictionary = encode_or_fail(huffman_v1(), text, shared);
  BOOST_TEST(mode_of(with_dictionary) == 0u);
  BOOST_TEST(with_dictionary.size() < text.size());
  const auto long_text = repeated_text(fortunes_text(), 100000);
  BOOST_TEST(mode_of(encode_or_fail(huffman_v1(), long_text, {})) == 1u);
  // Embedding a 128-byte table costs more than it saves on a short record.
  BOOST_TEST(mode_of(encode_or_fail(huffman_v1(), text, {})) == 2u);
  const auto noise = random_bytes(10000);
  const auto stored = encode_or_fail(huffman_v1(), noise, shared);
  BOOST_TEST(mode_of(stored) == 2u);
  BOOST_TEST(stored.size() == noise.size() + 1);
  // A record far from the field's statistics is better off with its own table.
  const std::vector<std::byte> zeros(100000, std::byte{0});
  BOOST_TEST(mode_of(encode_or_fail(huffman_v1(), zeros, shared)) == 1u);
}

BOOST_AUTO_TEST_CASE(corrupt_frames_are_refused_without_crashing) {
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  const auto text = as_bytes(fortune_records().at(7));
  check_corruption(huffman_v1(), encode_or_fail(huffman_v1(), text, shared), shared, text.size());
  const auto long_text = repeated_text(fortunes_text(), 5000);
  check_corruption(huffman_v1(), encode_or_fail(huffman_v1(), long_text, {}), {}, long_text.size());
  const auto noise = random_bytes(300);
  check_corruption(huffman_v1(), encode_or_fail(huffman_v1(), noise, {}), {}, noise.size());
}

BOOST_AUTO_TEST_CASE(a_wrong_output_size_is_refused) {
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  const auto text = as_bytes(fortune_records().at(11));
  check_wrong_size_refused(huffman_v1(), encode_or_fail(huffman_v1(), text, shared), shared, text.size());
  const auto noise = random_bytes(300);
  check_wrong_size_refused(huffman_v1(), encode_or_fail(huffman_v1(), noise, {}), {}, noise.size());
}

BOOST_AUTO_TEST_CASE(invalid_embedded_tables_and_headers_are_refused) {
  std::vector<std::byte> decoded(4);
  auto frame_with = [](const huffman::code_lengths& lengths, std::byte header,
                       std::vector<std::byte> bits) {
    std::vector<std::byte> frame{header};
    huffman::pack_lengths(lengths, frame);
    frame.insert(frame.end(), bits.begin(), bits.end());
    return frame;
  };
  huffman::code_lengths overfull{};
  overfull['a'] = 1;
  overfull['b'] = 1;
  overfull['c'] = 1;
  auto done = huffman_v1().decode(frame_with(overfull, std::byte{1 | 4 << 2}, {std::byte{0}}), {},
                               decoded);
  BOOST_TEST((done.code() == errc::corrupt_data));
  BOOST_TEST(done.message().find("Kraft") != std::string::npos);
  huffman::code_lengths lone{};
  lone['a'] = 1; // only the bit 0 is a code
  const auto valid = frame_with(lone, std::byte{1 | 4 << 2}, {std::byte{0x00}});
  BOOST_TEST(huffman_v1().decode(valid, {}, decoded).is_ok());
  BOOST_TEST((decoded == as_bytes("aaaa")));
  done = huffman_v1().decode(frame_with(lone, std::byte{1 | 4 << 2}, {std::byte{0x04}}), {}, decoded);
  BOOST_TEST((done.code() == errc::corrupt_data));
  BOOST_TEST(done.message().find("no code") != std::string::npos);
  // Nonzero padding bits, reserved header bits, mode 3.
  BOOST_TEST((huffman_v1().decode(frame_with(lone, std::byte{1 | 4 << 2}, {std::byte{0x10}}), {},
                               decoded).code() == errc::corrupt_data));
  BOOST_TEST((huffman_v1().decode(frame_with(lone, std::byte{1 | 4 << 2 | 0x20}, {std::byte{0}}), {},
                               decoded).code() == errc::corrupt_data));
  BOOST_TEST((huffman_v1().decode(std::vector<std::byte>{std::byte{3}}, {}, decoded).code()
              == errc::corrupt_data));
  // A shared-table frame without the dictionary, a malformed dictionary.
  BOOST_TEST((huffman_v1().decode(std::vector<std::byte>{std::byte{0}, std::byte{0}}, {}, decoded)
                .code() == errc::corrupt_data));
  const std::vector<std::byte> bad_dictionary(129, std::byte{0x11});
  codec_params bad;
  bad.dictionary = bad_dictionary;
  BOOST_TEST((huffman_v1().decode(std::vector<std::byte>{std::byte{0}, std::byte{0}}, bad, decoded)
                .code() == errc::corrupt_data));
  std::vector<std::byte> encoded;
  BOOST_TEST((huffman_v1().encode(as_bytes("abc"), bad, encoded).code() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(golden_vectors_decode_to_their_text_and_encoding_has_not_changed) {
  const auto text = read_file(golden_dir / "huffman_v1_text.txt");
  const auto dictionary = read_file(golden_dir / "huffman_v1_dictionary.bin");
  codec_params shared;
  shared.dictionary = dictionary;
  const std::pair<const char*, codec_params> vectors[] = {
    {"huffman_v1_shared.bin", shared},
    {"huffman_v1_embedded.bin", codec_params{}},
  };
  for (const auto& [file, params] : vectors) {
    BOOST_TEST_CONTEXT(file) {
      const auto frame = read_file(golden_dir / file);
      std::vector<std::byte> decoded(text.size());
      auto done = huffman_v1().decode(frame, params, decoded);
      BOOST_REQUIRE_MESSAGE(done, done.to_string());
      BOOST_TEST((decoded == text));
      // If this fails the encoding changed: give the codec a new name (huffman-v2).
      BOOST_TEST((encode_or_fail(huffman_v1(), text, params) == frame));
    }
  }
  // The golden dictionary is the one trained on the text itself.
  std::vector<std::vector<std::byte>> sample{text};
  std::vector<std::byte> retrained;
  BOOST_REQUIRE(huffman_v1().train(spans_of(sample), {}, retrained));
  BOOST_TEST((retrained == dictionary));
}

BOOST_AUTO_TEST_CASE(per_record_figures_on_fortunes_are_reported) {
  const auto figures = measure_fortune_records(huffman_v1());
  BOOST_TEST(figures.stored_bytes < figures.raw_bytes);
}

BOOST_AUTO_TEST_CASE(stream_decode_speed_on_fortunes_is_reported) {
  const auto dictionary = trained_dictionary();
  codec_params shared;
  shared.dictionary = dictionary;
  const auto text = as_bytes(all_fortune_files_text());
  const auto frame = encode_or_fail(huffman_v1(), text, shared);
  std::vector<std::byte> decoded(text.size());
  using clock = std::chrono::steady_clock;
  double best = 1e9;
  for (int round = 0; round < 5; ++round) {
    const auto start = clock::now();
    BOOST_REQUIRE(huffman_v1().decode(frame, shared, decoded));
    best = std::min(best, std::chrono::duration<double>(clock::now() - start).count());
  }
  BOOST_TEST((decoded == text));
  BOOST_TEST_MESSAGE("huffman-v1 on all fortune files as one stream: " << frame.size() << " of " << text.size()
                     << " bytes (" << static_cast<double>(frame.size()) / text.size()
                     << "), decode " << text.size() / best / 1e6 << " MB/s");
}

BOOST_AUTO_TEST_SUITE_END()
