#define BOOST_TEST_MODULE raw
#include <boost/test/unit_test.hpp>

#include "codec_test_support.hpp"

using namespace ds;
using namespace ds::codecs;
using namespace ds::codecs::testing;

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(raw_copies_every_size_unchanged) {
  const auto& raw = *find_codec(codec_id::raw);
  check_round_trip(raw, {}, {});
  check_round_trip(raw, as_bytes("x"), {});
  check_round_trip(raw, random_bytes(16u << 20), {});
  const auto noise = random_bytes(100);
  BOOST_TEST((encode_or_fail(raw, noise, {}) == noise));
}

BOOST_AUTO_TEST_CASE(raw_refuses_a_size_mismatch) {
  const auto& raw = *find_codec(codec_id::raw);
  const auto noise = random_bytes(100);
  check_wrong_size_refused(raw, noise, {}, noise.size());
  std::vector<std::byte> decoded(100);
  BOOST_TEST((raw.decode(std::span(noise).first(99), {}, decoded).code() == errc::corrupt_data));
}

BOOST_AUTO_TEST_SUITE_END()
