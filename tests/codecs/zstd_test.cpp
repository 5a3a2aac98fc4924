#define BOOST_TEST_MODULE zstd
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "codec_test_support.hpp"
#include "fashion_mnist.hpp"

using namespace ds;
using namespace ds::codecs;
using namespace ds::codecs::testing;

namespace {

const codec& zstd() {
  const auto* found = find_codec("zstd");
  BOOST_REQUIRE(found != nullptr);
  return *found;
}

std::size_t encoded_total(const std::vector<std::vector<std::byte>>& records,
                          const codec_params& params) {
  std::size_t total = 0;
  for (const auto& record : records)
    total += encode_or_fail(zstd(), record, params).size();
  return total;
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(small_and_edge_inputs_round_trip) {
  for (int level : {1, 3, 19}) {
    codec_params params;
    params.level = level;
    check_round_trip(zstd(), {}, params);
    check_round_trip(zstd(), as_bytes("x"), params);
    check_round_trip(zstd(), random_bytes(100000), params);
    check_round_trip(zstd(), std::vector<std::byte>(100000, std::byte{'a'}), params);
  }
  const auto highly_compressible = std::vector<std::byte>(100000, std::byte{'a'});
  BOOST_TEST(encode_or_fail(zstd(), highly_compressible, {}).size() < 100u);
}

BOOST_AUTO_TEST_CASE(sixteen_mebibytes_round_trip) {
  check_round_trip(zstd(), repeated_text(fortunes_text(), 16u << 20), {});
  check_round_trip(zstd(), random_bytes(16u << 20), {});
}

BOOST_AUTO_TEST_CASE(a_trained_dictionary_beats_none_on_fashion_mnist_records) {
  const auto training = fashion_mnist_images(0, 1000);
  const auto held_out = fashion_mnist_images(1000, 500);
  std::vector<std::byte> dictionary;
  BOOST_REQUIRE(zstd().train(spans_of(training), {}, dictionary));
  BOOST_REQUIRE(!dictionary.empty());
  codec_params with_dictionary;
  with_dictionary.dictionary = dictionary;
  const auto plain = encoded_total(held_out, {});
  const auto trained = encoded_total(held_out, with_dictionary);
  BOOST_TEST_MESSAGE("zstd-3 on 500 Fashion-MNIST images (392000 bytes): "
                     << plain << " bytes without a dictionary, " << trained << " with a "
                     << dictionary.size() << "-byte dictionary");
  BOOST_TEST(trained < plain * 99 / 100); // measured: about 2.5 % smaller
  for (const auto& image : held_out)
    check_round_trip(zstd(), image, with_dictionary);
}

BOOST_AUTO_TEST_CASE(too_few_samples_give_no_dictionary_and_encoding_still_works) {
  std::vector<std::vector<std::byte>> samples{as_bytes("tiny"), as_bytes("samples")};
  std::vector<std::byte> dictionary{std::byte{1}};
  BOOST_REQUIRE(zstd().train(spans_of(samples), {}, dictionary));
  BOOST_TEST(dictionary.empty());
  check_round_trip(zstd(), as_bytes("tiny samples"), {});
}

BOOST_AUTO_TEST_CASE(a_dictionary_frame_needs_its_dictionary) {
  const auto training = fashion_mnist_images(0, 300);
  std::vector<std::byte> dictionary;
  BOOST_REQUIRE(zstd().train(spans_of(training), {}, dictionary));
  BOOST_REQUIRE(!dictionary.empty());
  codec_params with_dictionary;
  with_dictionary.dictionary = dictionary;
  const auto frame = encode_or_fail(zstd(), training[0], with_dictionary);
  std::vector<std::byte> decoded(training[0].size());
  auto done = zstd().decode(frame, {}, decoded);
  BOOST_TEST((done.code() == errc::corrupt_data));
  BOOST_TEST_MESSAGE(done.to_string());
}

BOOST_AUTO_TEST_CASE(corrupt_frames_are_refused_without_crashing) {
  const auto text = repeated_text(fortunes_text(), 3000);
  check_corruption(zstd(), encode_or_fail(zstd(), text, {}), {}, text.size());
  const auto images = fashion_mnist_images(0, 300);
  std::vector<std::byte> dictionary;
  BOOST_REQUIRE(zstd().train(spans_of(images), {}, dictionary));
  codec_params with_dictionary;
  with_dictionary.dictionary = dictionary;
  check_corruption(zstd(), encode_or_fail(zstd(), images[5], with_dictionary), with_dictionary,
                   images[5].size());
}

BOOST_AUTO_TEST_CASE(a_wrong_output_size_is_refused) {
  const auto text = repeated_text(fortunes_text(), 3000);
  check_wrong_size_refused(zstd(), encode_or_fail(zstd(), text, {}), {}, text.size());
  check_wrong_size_refused(zstd(), encode_or_fail(zstd(), {}, {}), {}, 0);
}

BOOST_AUTO_TEST_CASE(a_level_outside_the_range_is_refused) {
  codec_params params;
  params.level = 0;
  std::vector<std::byte> out;
  BOOST_TEST((zstd().encode(as_bytes("abc"), params, out).code() == errc::invalid_argument));
  params.level = 23;
  BOOST_TEST((zstd().encode(as_bytes("abc"), params, out).code() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(per_record_figures_on_fortunes_are_reported) {
  const auto figures = measure_fortune_records(zstd());
  BOOST_TEST(figures.stored_bytes < figures.raw_bytes);
}

BOOST_AUTO_TEST_CASE(stream_decode_speed_on_fortunes_is_reported) {
  const auto text = as_bytes(all_fortune_files_text());
  const auto frame = encode_or_fail(zstd(), text, {});
  std::vector<std::byte> decoded(text.size());
  using clock = std::chrono::steady_clock;
  double best = 1e9;
  for (int round = 0; round < 5; ++round) {
    const auto start = clock::now();
    BOOST_REQUIRE(zstd().decode(frame, {}, decoded));
    best = std::min(best, std::chrono::duration<double>(clock::now() - start).count());
  }
  BOOST_TEST((decoded == text));
  BOOST_TEST_MESSAGE("zstd-3 on all fortune files as one stream: " << frame.size() << " of " << text.size()
                     << " bytes, decode " << text.size() / best / 1e6 << " MB/s");
}

BOOST_AUTO_TEST_SUITE_END()
