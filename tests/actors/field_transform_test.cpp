#define BOOST_TEST_MODULE field_transform
#include <boost/test/unit_test.hpp>

#include <cstring>

#include "input/field_transform.hpp"

using namespace ds::actors;

BOOST_AUTO_TEST_CASE(scale_and_normalize_compose_into_one_affine_map) {
  auto transforms = parse_transforms({"image:scale=0.5", "image:normalize=1,2", "label:i64"});
  const auto& image = transforms.at("image");
  BOOST_TEST(image.scale == 0.25);
  BOOST_TEST(image.shift == -0.5);
  BOOST_TEST((output_dtype(image, ds::dtype::u8) == ds::dtype::f32));
  BOOST_TEST((output_dtype(transforms.at("label"), ds::dtype::u8) == ds::dtype::i64));
}

BOOST_AUTO_TEST_CASE(u8_pixels_become_normalized_floats) {
  auto t = parse_transforms({"x:scale=0.00392156862745098", "x:normalize=0.5,0.5"}).at("x");
  std::uint8_t in[3] = {0, 255, 128};
  float out[3];
  apply_transform(t, ds::dtype::u8, reinterpret_cast<std::byte*>(in), reinterpret_cast<std::byte*>(out), 3);
  BOOST_TEST(out[0] == -1.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(out[1] == 1.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(out[2] == 0.003921568f, boost::test_tools::tolerance(1e-3f));
}

BOOST_AUTO_TEST_CASE(labels_are_widened_exactly) {
  auto t = parse_transforms({"y:i64"}).at("y");
  std::uint8_t in[2] = {9, 200};
  std::int64_t out[2];
  apply_transform(t, ds::dtype::u8, reinterpret_cast<std::byte*>(in), reinterpret_cast<std::byte*>(out), 2);
  BOOST_TEST(out[0] == 9);
  BOOST_TEST(out[1] == 200);
}

BOOST_AUTO_TEST_CASE(malformed_entries_are_refused_naming_the_entry) {
  auto message = [](std::vector<std::string> entries) {
    try {
      parse_transforms(entries);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message({"image"}) == "transform 'image': expected FIELD:OP");
  BOOST_TEST(message({"image:scale=abc"}) == "transform 'image:scale=abc': 'abc' is not a number");
  BOOST_TEST(message({"image:normalize=1"}) == "transform 'image:normalize=1': normalize needs MEAN,STD");
  BOOST_TEST(message({"image:normalize=1,0"}) == "transform 'image:normalize=1,0': STD must not be 0");
  BOOST_TEST(message({"image:blur"}).starts_with("transform 'image:blur': unknown operation 'blur'"));
}
