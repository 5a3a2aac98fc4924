#pragma once
/// How the codec fuzz targets turn their first bytes into decode parameters,
/// and the check every target makes on the result.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "status.hpp"

namespace ds::fuzz {

/// Little-endian u16 at `data`; callers check the size first.
inline std::uint32_t read_u16(const std::uint8_t* data) {
  return std::uint32_t{data[0]} | std::uint32_t{data[1]} << 8;
}

/// A decoder may refuse input only as corrupt_data; anything else breaks its contract.
inline void require_ok_or_corrupt(const status& result, const char* target) {
  if (!result.is_ok() && result.code() != errc::corrupt_data) {
    std::fprintf(stderr, "%s: decode returned %s\n", target, result.to_string().c_str());
    std::abort();
  }
}

} // namespace ds::fuzz
