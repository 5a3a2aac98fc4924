#include "status.hpp"

namespace ds {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::corrupt_data: return "corrupt_data";
    case errc::buffer_too_small: return "buffer_too_small";
    case errc::unsupported: return "unsupported";
    case errc::io_error: return "io_error";
    case errc::internal: return "internal";
  }
  return "unknown";
}

std::string status::to_string() const {
  if (is_ok())
    return "ok";
  return std::string(ds::to_string(code_)) + ": " + message_;
}

} // namespace ds
