#include "checksum.hpp"

#include <xxhash.h>

namespace ds {

std::uint64_t xxh64(std::span<const std::byte> bytes, std::uint64_t seed) noexcept {
  return XXH64(bytes.data(), bytes.size(), seed);
}

} // namespace ds
