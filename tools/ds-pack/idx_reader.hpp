#pragma once
/// Reading IDX files (the MNIST format), plain or gzip-compressed.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ds::pack {

/// One IDX file of unsigned bytes: its dimensions (the first one counts the
/// records) and every element in row-major order.
struct idx_array {
  std::vector<std::int64_t> dims;
  std::vector<std::byte> data;

  std::int64_t count() const noexcept { return dims.empty() ? 0 : dims.front(); }
  /// Shape of one record: every dimension after the first.
  std::vector<std::int64_t> record_shape() const { return {dims.begin() + 1, dims.end()}; }
  /// Bytes of one record.
  std::size_t record_size() const noexcept;
};

/// Reads `path` (gzip or plain: zlib reads both). Checks the magic (two zero
/// bytes, type 0x08 = u8, then the rank, which must equal `rank` when given),
/// that no dimension is zero, and that the data is exactly as long as the
/// dimensions say. Throws `std::runtime_error` naming the file and what is wrong.
idx_array read_idx(const std::string& path, std::optional<int> rank = std::nullopt);

} // namespace ds::pack
