#define BOOST_TEST_MODULE webp
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "codec_test_support.hpp"

using namespace ds;
using namespace ds::codecs;
using namespace ds::codecs::testing;

namespace {

const codec& webp() {
  const auto* found = find_codec("webp");
  BOOST_REQUIRE(found != nullptr);
  return *found;
}

codec_params geometry(std::uint32_t width, std::uint32_t height, std::uint32_t channels,
                      bool lossless = true) {
  codec_params params;
  params.width = width;
  params.height = height;
  params.channels = channels;
  params.lossless = lossless;
  return params;
}

/// Smooth gradients with a few sharp shapes: what photos and scans look like to a codec.
std::vector<std::byte> synthetic_image(std::uint32_t width, std::uint32_t height,
                                       std::uint32_t channels) {
  std::vector<std::byte> pixels(std::size_t{width} * height * channels);
  for (std::uint32_t y = 0; y < height; ++y)
    for (std::uint32_t x = 0; x < width; ++x)
      for (std::uint32_t channel = 0; channel < channels; ++channel) {
        const bool inside = (x / 8 + y / 8) % 5 == 0;
        const auto value = inside ? 40u * channel : (x * 255 / width + y * 3 + channel * 50) & 0xFF;
        pixels[(std::size_t{y} * width + x) * channels + channel] = static_cast<std::byte>(value);
      }
  if (channels == 4) // transparent pixels keep their colour: lossless is exact
    for (std::size_t pixel = 0; pixel < pixels.size(); pixel += 4 * 7)
      pixels[pixel + 3] = std::byte{0};
  return pixels;
}

/// Smooth shading with mild noise, like a photo: what lossy coding is for.
std::vector<std::byte> photo_like_image(std::uint32_t width, std::uint32_t height,
                                        std::uint32_t channels) {
  std::vector<std::byte> pixels(std::size_t{width} * height * channels);
  const auto noise = random_bytes(pixels.size(), 7);
  for (std::uint32_t y = 0; y < height; ++y)
    for (std::uint32_t x = 0; x < width; ++x)
      for (std::uint32_t channel = 0; channel < channels; ++channel) {
        const std::size_t index = (std::size_t{y} * width + x) * channels + channel;
        const double shade = 128 + 60 * std::sin(x / 9.0 + channel) + 50 * std::cos(y / 13.0)
                             + (std::to_integer<int>(noise[index]) % 7) - 3;
        pixels[index] = static_cast<std::byte>(std::clamp(static_cast<int>(shade), 0, 255));
      }
  if (channels == 4)
    for (std::size_t pixel = 3; pixel < pixels.size(); pixel += 4)
      pixels[pixel] = std::byte{255};
  return pixels;
}

double psnr(std::span<const std::byte> left, std::span<const std::byte> right) {
  double squared = 0;
  for (std::size_t index = 0; index < left.size(); ++index) {
    const double difference = std::to_integer<int>(left[index]) - std::to_integer<int>(right[index]);
    squared += difference * difference;
  }
  const double mean = squared / static_cast<double>(left.size());
  return mean == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mean);
}

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(lossless_round_trips_are_exact_for_gray_rgb_and_rgba) {
  for (std::uint32_t channels : {1u, 3u, 4u}) {
    BOOST_TEST_CONTEXT("channels " << channels) {
      const auto params = geometry(28, 28, channels);
      check_round_trip(webp(), synthetic_image(28, 28, channels), params);
      check_round_trip(webp(), random_bytes(28 * 28 * channels), params);
      check_round_trip(webp(), synthetic_image(1, 1, channels), geometry(1, 1, channels));
      check_round_trip(webp(), synthetic_image(97, 13, channels), geometry(97, 13, channels));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_one_megapixel_image_round_trips) {
  check_round_trip(webp(), synthetic_image(1024, 1024, 3), geometry(1024, 1024, 3));
}

BOOST_AUTO_TEST_CASE(lossy_stays_within_the_psnr_bound_and_is_smaller) {
  for (std::uint32_t channels : {1u, 3u, 4u}) {
    BOOST_TEST_CONTEXT("channels " << channels) {
      const auto image = photo_like_image(256, 256, channels);
      auto params = geometry(256, 256, channels, false);
      params.quality = 90;
      BOOST_TEST(webp().lossy(params));
      const auto frame = encode_or_fail(webp(), image, params);
      const auto lossless_frame = encode_or_fail(webp(), image, geometry(256, 256, channels));
      std::vector<std::byte> decoded(image.size());
      BOOST_REQUIRE(webp().decode(frame, params, decoded));
      const double quality = psnr(image, decoded);
      BOOST_TEST_MESSAGE("webp q90, " << channels << " channels: " << frame.size()
                         << " bytes (lossless " << lossless_frame.size() << ") of "
                         << image.size() << ", PSNR " << quality << " dB");
      BOOST_TEST(quality > 30.0);
      BOOST_TEST(frame.size() < lossless_frame.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(corrupt_frames_are_refused_without_crashing) {
  for (bool lossless : {true, false}) {
    const auto params = geometry(28, 28, 1, lossless);
    const auto image = synthetic_image(28, 28, 1);
    check_corruption(webp(), encode_or_fail(webp(), image, params), params, image.size());
  }
}

BOOST_AUTO_TEST_CASE(an_image_of_other_dimensions_is_refused_naming_both) {
  const auto frame = encode_or_fail(webp(), synthetic_image(28, 28, 1), geometry(28, 28, 1));
  std::vector<std::byte> decoded(28 * 29);
  auto done = webp().decode(frame, geometry(28, 29, 1), decoded);
  BOOST_TEST((done.code() == errc::corrupt_data));
  BOOST_TEST(done.message().find("28x28") != std::string::npos);
  BOOST_TEST(done.message().find("28x29") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sizes_that_do_not_match_the_geometry_are_refused) {
  const auto image = synthetic_image(28, 28, 3);
  const auto frame = encode_or_fail(webp(), image, geometry(28, 28, 3));
  check_wrong_size_refused(webp(), frame, geometry(28, 28, 3), image.size(),
                           errc::invalid_argument);
  std::vector<std::byte> out;
  BOOST_TEST((webp().encode(std::span(image).first(100), geometry(28, 28, 3), out).code()
              == errc::invalid_argument));
  BOOST_TEST((webp().encode(image, geometry(28, 28, 2), out).code() == errc::invalid_argument));
  BOOST_TEST((webp().encode(image, geometry(0, 28, 3), out).code() == errc::invalid_argument));
}

BOOST_AUTO_TEST_SUITE_END()
