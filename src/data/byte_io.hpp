#pragma once
/// Little-endian encoding of the shard format's integers, with bounds checks.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace ds::data {

/// A read ran past the end of its input. The message says what was being read,
/// where, and how many bytes were missing; callers add the file and record.
class byte_overrun : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Appends little-endian values to a byte vector. Byte order is built with
/// shifts, not `memcpy`, so the format does not depend on the host's order.
class byte_writer {
public:
  explicit byte_writer(std::vector<std::byte>& out) noexcept : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(std::byte{value}); }
  void u16(std::uint16_t value) { put(value, 2); }
  void u32(std::uint32_t value) { put(value, 4); }
  void u64(std::uint64_t value) { put(value, 8); }
  void i32(std::int32_t value) { put(static_cast<std::uint32_t>(value), 4); }
  void i64(std::int64_t value) { put(static_cast<std::uint64_t>(value), 8); }
  void f32(float value) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);  // IEEE 754 binary32
    put(bits, 4);
  }
  void bytes(std::span<const std::byte> data) {
    if (data.empty())
      return;
    auto at = out_.size();
    out_.resize(at + data.size());
    std::memcpy(out_.data() + at, data.data(), data.size());
  }
  /// Overwrites four bytes written earlier (a length known only later).
  void patch_u32(std::size_t at, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i)
      out_[at + i] = static_cast<std::byte>(value >> (8 * i));
  }

private:
  void put(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i)
      out_.push_back(static_cast<std::byte>(value >> (8 * i)));
  }

  std::vector<std::byte>& out_;
};

/// Reads little-endian values from a span, never past its end: each read
/// names what it reads so an overrun says "record 3: stored_size at byte 17".
/// Throws `byte_overrun`.
class byte_reader {
public:
  explicit byte_reader(std::span<const std::byte> in) noexcept : in_(in) {}

  std::size_t position() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return in_.size() - pos_; }

  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(get(what, 1)); }
  std::uint16_t u16(const char* what) { return static_cast<std::uint16_t>(get(what, 2)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(get(what, 4)); }
  std::uint64_t u64(const char* what) { return get(what, 8); }
  std::int32_t i32(const char* what) { return static_cast<std::int32_t>(u32(what)); }
  std::int64_t i64(const char* what) { return static_cast<std::int64_t>(u64(what)); }
  float f32(const char* what) {
    auto bits = u32(what);
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  /// The next `count` bytes, as a view into the input.
  std::span<const std::byte> bytes(const char* what, std::size_t count) {
    need(what, count);
    auto result = in_.subspan(pos_, count);
    pos_ += count;
    return result;
  }

private:
  void need(const char* what, std::size_t count) const {
    if (count > remaining())
      throw byte_overrun(std::string{what} + " at byte " + std::to_string(pos_) + " needs "
                         + std::to_string(count) + " bytes, " + std::to_string(remaining())
                         + " left");
  }
  std::uint64_t get(const char* what, int width) {
    need(what, static_cast<std::size_t>(width));
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i)
      value |= static_cast<std::uint64_t>(in_[pos_ + static_cast<std::size_t>(i)]) << (8 * i);
    pos_ += static_cast<std::size_t>(width);
    return value;
  }

  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

} // namespace ds::data
