#pragma once
/// Reads Fashion-MNIST images (28x28 gray, 784 bytes) for codec tests; zlib
/// stays a test dependency, the codecs library never needs it.

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <vector>

#include <zlib.h>

namespace ds::codecs::testing {

inline constexpr std::size_t fashion_mnist_image_size = 28 * 28;

/// Images first..first+count of the training set.
inline std::vector<std::vector<std::byte>> fashion_mnist_images(std::size_t first,
                                                                std::size_t count) {
  constexpr const char* path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  gzFile file = gzopen(path, "rb");
  BOOST_REQUIRE_MESSAGE(file != nullptr, "needs " << path << " (package dataset-fashion-mnist)");
  constexpr std::size_t idx_header_size = 16; // magic, count, rows, columns
  std::vector<std::byte> bytes(idx_header_size + (first + count) * fashion_mnist_image_size);
  const int read = gzread(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
  BOOST_REQUIRE_EQUAL(read, static_cast<int>(bytes.size()));
  std::vector<std::vector<std::byte>> images;
  for (std::size_t index = first; index < first + count; ++index) {
    const auto* image = bytes.data() + idx_header_size + index * fashion_mnist_image_size;
    images.emplace_back(image, image + fashion_mnist_image_size);
  }
  return images;
}

} // namespace ds::codecs::testing
