#pragma once
/// Turning a stage's `device` key ("cpu", "cuda:N", "auto") into the device it runs on.
///
/// Plain C++: no CUDA header; the GPU census comes from kernels/cuda/device.hpp, taken once per
/// process. `ds-run` resolves every stage's device before the job starts, so a stage finds the
/// resolved name ("cpu" or "cuda:N", never "auto") in `placement.device`.

#include <string>
#include <string_view>

namespace ds {

/// A device a stage runs on.
struct resolved_device {
  std::string name = "cpu";  ///< "cpu" or "cuda:N"
  int ordinal = -1;          ///< N for "cuda:N", -1 for the CPU
  /// One line when "auto" found no GPU and chose the CPU, e.g. "no CUDA device:
  /// cudaErrorInsufficientDriver (...): running on the CPU"; empty otherwise.
  std::string notice;

  bool is_cuda() const noexcept { return ordinal >= 0; }
};

/// Resolves `requested` against this machine's usable CUDA devices:
/// "cpu" -> cpu; "cuda:N" -> cuda:N when device N exists; "auto" -> cuda:0 when any GPU
/// exists, else cpu with a notice. Throws `std::invalid_argument` for text that is none of
/// the three forms (e.g. "gpu", "cuda:x", "cuda:") and `std::runtime_error` naming N, the
/// device count and the reason when cuda:N does not exist. Thread-safe.
resolved_device resolve_device(const std::string& requested);

/// The same against a given census: `cuda_device_count` devices, and `unavailable_reason`
/// (one line) saying why there are none. For tests and for callers that probed already.
resolved_device resolve_device(const std::string& requested, int cuda_device_count,
                               std::string_view unavailable_reason);

} // namespace ds
