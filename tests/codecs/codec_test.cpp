#define BOOST_TEST_MODULE codec
#include <boost/test/unit_test.hpp>

#include "codec.hpp"

using namespace ds::codecs;

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(every_codec_is_found_by_its_id_and_its_stable_name) {
  const std::pair<codec_id, std::string_view> expected[] = {
    {codec_id::raw, "raw"},
    {codec_id::zstd, "zstd"},
    {codec_id::webp, "webp"},
    {codec_id::huffman, "huffman-v1"},
  };
  for (const auto& [id, name] : expected) {
    const auto* by_id = find_codec(id);
    BOOST_REQUIRE(by_id != nullptr);
    BOOST_TEST(by_id->name() == name);
    BOOST_TEST(find_codec(name) == by_id);
  }
}

BOOST_AUTO_TEST_CASE(unknown_ids_and_names_find_nothing) {
  BOOST_TEST(find_codec(static_cast<codec_id>(200)) == nullptr);
  BOOST_TEST(find_codec("huffman") == nullptr);
  BOOST_TEST(find_codec("") == nullptr);
}

BOOST_AUTO_TEST_CASE(only_webp_with_lossless_off_is_lossy) {
  codec_params lossy;
  lossy.lossless = false;
  BOOST_TEST(find_codec(codec_id::webp)->lossy(lossy));
  BOOST_TEST(!find_codec(codec_id::webp)->lossy(codec_params{}));
  BOOST_TEST(!find_codec(codec_id::zstd)->lossy(lossy));
  BOOST_TEST(!find_codec(codec_id::huffman)->lossy(lossy));
  BOOST_TEST(!find_codec(codec_id::raw)->lossy(lossy));
}

BOOST_AUTO_TEST_SUITE_END()
