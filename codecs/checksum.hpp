#pragma once
/// Payload checksums: xxh64, the digest every record and blob carries.

#include <cstddef>
#include <cstdint>
#include <span>

namespace ds {

/// xxh64 of `bytes` with `seed`; ~10 GB/s, so checking every record is cheap.
std::uint64_t xxh64(std::span<const std::byte> bytes, std::uint64_t seed = 0) noexcept;

} // namespace ds
