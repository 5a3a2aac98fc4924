#pragma once
/// The error vocabulary of codecs and kernels (no exceptions cross these layers).

#include <cstdint>
#include <string>
#include <utility>

namespace ds {

enum class errc : std::uint8_t {
  ok,
  invalid_argument,
  corrupt_data,
  buffer_too_small,
  unsupported,
  io_error,
  internal,
};

const char* to_string(errc code) noexcept;

/// Success, or an error code with a message saying what and where.
class [[nodiscard]] status {
public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}
  static status ok() { return {}; }

  bool is_ok() const noexcept { return code_ == errc::ok; }
  explicit operator bool() const noexcept { return is_ok(); }
  errc code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  /// "corrupt_data: <message>" or "ok".
  std::string to_string() const;

private:
  errc code_ = errc::ok;
  std::string message_;
};

} // namespace ds
