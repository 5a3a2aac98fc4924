#include "shape_check.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

namespace ds::kernels {

namespace {

// Sizes print as integers, hyperparameters in their shortest float form ("0.95", not
// "0.949999988").
std::string format(double value) {
  char text[64];
  const bool integral = std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9e18;
  const auto result = integral ? std::to_chars(text, text + sizeof text,
                                               static_cast<std::int64_t>(value))
                               : std::to_chars(text, text + sizeof text, static_cast<float>(value));
  return std::string(text, result.ptr);
}

} // namespace

void shape_check::require(bool ok, std::string_view dimension, std::string_view rule,
                          double value) {
  if (ok || failed())
    return;
  std::string text{op_name_};
  text.append(": ").append(dimension).append(" must be ").append(rule);
  text.append(" (got ").append(format(value)).append(")");
  error_ = status{errc::invalid_argument, std::move(text)};
}

} // namespace ds::kernels
