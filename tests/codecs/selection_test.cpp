#define BOOST_TEST_MODULE selection
#include <boost/test/unit_test.hpp>

#include "codec_test_support.hpp"
#include "fashion_mnist.hpp"
#include "selection.hpp"

using namespace ds;
using namespace ds::codecs;
using namespace ds::codecs::testing;

namespace {

void print(const codec_choice& choice) {
  for (const auto& result : choice.candidates)
    BOOST_TEST_MESSAGE("  " << result.codec_name << (result.params.lossless ? "" : " lossy")
                            << ": " << result.stored_bytes << "/" << result.raw_bytes
                            << " bytes, encode " << result.encode_mb_per_s << " MB/s, decode "
                            << result.decode_mb_per_s << " MB/s, score " << result.score
                            << (result.rejected.empty() ? "" : ", rejected: " + result.rejected));
  BOOST_TEST_MESSAGE("  chose: " << choice.reason);
}

/// The chosen codec, with the chosen dictionary, round-trips every sample.
void check_choice_works(const codec_choice& choice,
                        const std::vector<std::vector<std::byte>>& samples) {
  const auto* chosen = find_codec(choice.id);
  BOOST_REQUIRE(chosen != nullptr);
  codec_params params = choice.params;
  params.dictionary = choice.dictionary;
  for (const auto& sample : samples)
    check_round_trip(*chosen, sample, params);
}

std::vector<std::vector<std::byte>> fortune_samples() {
  std::vector<std::vector<std::byte>> samples;
  for (const auto& record : fortune_records())
    samples.push_back(as_bytes(record));
  return samples;
}

codec_params fashion_mnist_geometry() {
  codec_params base;
  base.width = 28;
  base.height = 28;
  base.channels = 1;
  return base;
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(english_text_gets_huffman_or_zstd_and_every_candidate_is_reported) {
  const auto samples = fortune_samples();
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::text, spans_of(samples), {}, {}, choice));
  print(choice);
  BOOST_TEST((choice.id == codec_id::huffman || choice.id == codec_id::zstd));
  BOOST_REQUIRE_EQUAL(choice.candidates.size(), 2u);
  BOOST_TEST(choice.candidates[0].codec_name == "huffman-v1");
  BOOST_TEST(choice.candidates[1].codec_name == "zstd");
  for (const auto& result : choice.candidates) {
    BOOST_TEST(result.rejected.empty());
    BOOST_TEST(result.stored_bytes < result.raw_bytes);
    BOOST_TEST(result.decode_mb_per_s > 0);
  }
  BOOST_TEST(choice.reason.find(" beats ") != std::string::npos);
  check_choice_works(choice, samples);
}

BOOST_AUTO_TEST_CASE(images_never_get_a_lossy_codec_unless_allowed) {
  const auto samples = fashion_mnist_images(0, 200);
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::image, spans_of(samples), fashion_mnist_geometry(), {},
                             choice));
  print(choice);
  BOOST_REQUIRE_EQUAL(choice.candidates.size(), 2u);
  for (const auto& result : choice.candidates)
    BOOST_TEST(result.params.lossless);
  BOOST_TEST(!find_codec(choice.id)->lossy(choice.params));
  check_choice_works(choice, samples);
}

BOOST_AUTO_TEST_CASE(allowing_lossy_adds_a_lossy_webp_candidate) {
  const auto samples = fashion_mnist_images(0, 200);
  selection_options options;
  options.allow_lossy = true;
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::image, spans_of(samples), fashion_mnist_geometry(),
                             options, choice));
  print(choice);
  BOOST_REQUIRE_EQUAL(choice.candidates.size(), 3u);
  BOOST_TEST(!choice.candidates[1].params.lossless);
  BOOST_TEST(choice.candidates[1].rejected.empty());
}

BOOST_AUTO_TEST_CASE(images_without_geometry_reject_webp_and_fall_back_to_zstd) {
  const auto samples = fashion_mnist_images(0, 50);
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::image, spans_of(samples), {}, {}, choice));
  print(choice);
  BOOST_TEST(!choice.candidates[0].rejected.empty());
  BOOST_TEST((choice.id == codec_id::zstd));
  BOOST_TEST(choice.reason.find("only candidate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(random_bytes_are_stored_raw) {
  std::vector<std::vector<std::byte>> samples;
  for (std::uint64_t seed = 0; seed < 100; ++seed)
    samples.push_back(random_bytes(1000, seed));
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::other, spans_of(samples), {}, {}, choice));
  print(choice);
  BOOST_TEST((choice.id == codec_id::raw));
  BOOST_TEST(choice.candidates.size() == 2u);
}

BOOST_AUTO_TEST_CASE(no_samples_still_give_a_choice) {
  codec_choice choice;
  BOOST_REQUIRE(choose_codec(field_kind::other, {}, {}, {}, choice));
  BOOST_TEST(!choice.reason.empty());
}

BOOST_AUTO_TEST_SUITE_END()
