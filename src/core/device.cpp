#include "dsflow/device.hpp"

#include <charconv>
#include <stdexcept>

#include "cuda/device.hpp"

namespace ds {

namespace {

/// N of "cuda:N" (decimal digits only, fits an int); -1 for anything else.
int parse_cuda_ordinal(std::string_view text) {
  constexpr std::string_view prefix = "cuda:";
  if (!text.starts_with(prefix))
    return -1;
  auto digits = text.substr(prefix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return -1;
  int ordinal = -1;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
  if (error != std::errc{} || end != digits.data() + digits.size())
    return -1;
  return ordinal;
}

std::string count_text(int count) {
  return std::to_string(count) + " usable CUDA device" + (count == 1 ? "" : "s");
}

} // namespace

resolved_device resolve_device(const std::string& requested, int cuda_device_count,
                               std::string_view unavailable_reason) {
  if (requested == "cpu")
    return {};
  if (requested == "auto") {
    if (cuda_device_count > 0)
      return {"cuda:0", 0, {}};
    std::string why{unavailable_reason.empty() ? "no CUDA device" : unavailable_reason};
    return {"cpu", -1, "device auto: " + why + "; running on the CPU"};
  }
  const int ordinal = parse_cuda_ordinal(requested);
  if (ordinal < 0)
    throw std::invalid_argument("invalid device '" + requested
                                + "': expected cpu, cuda:N (N a device number) or auto");
  if (ordinal >= cuda_device_count) {
    std::string text = "device cuda:" + std::to_string(ordinal) + " does not exist: this machine has "
                       + count_text(cuda_device_count);
    if (cuda_device_count > 0)
      text += " (cuda:0 to cuda:" + std::to_string(cuda_device_count - 1) + ")";
    else if (!unavailable_reason.empty())
      text += " (" + std::string{unavailable_reason} + ")";
    throw std::runtime_error(text);
  }
  return {"cuda:" + std::to_string(ordinal), ordinal, {}};
}

resolved_device resolve_device(const std::string& requested) {
  return resolve_device(requested, kernels::cuda::cuda_devices(),
                        kernels::cuda::cuda_unavailable_reason());
}

} // namespace ds
