#pragma once
/// CUDA device discovery that is safe on any host: no driver, no GPU, a GPU too old for the
/// compiled kernels, or a build without CUDA all give a count of 0 and a one-line reason,
/// never an abort. `available(backend::cuda)` (registry.hpp) is `cuda_devices() > 0`.
///
/// The probe runs once, on the first call from any thread (a function-local static), and its
/// answer is kept for the life of the process: a GPU that appears later is not seen.
/// Plain C++ (no CUDA headers), so the registry and any test can include it.

#include <string_view>

namespace ds::kernels::cuda {

/// The oldest compute capability the kernels are compiled for (sm_80; see kernels/meson.build).
inline constexpr int min_compute_capability = 80;

/// The number of CUDA devices this process can run the kernels on (CUDA's own ordinals,
/// honouring CUDA_VISIBLE_DEVICES); 0 when none is usable. When any visible device is older
/// than `min_compute_capability` the answer is 0 too (choose devices with
/// CUDA_VISIBLE_DEVICES), so that a device ordinal always means the same GPU.
int cuda_devices() noexcept;

/// Why `cuda_devices()` is 0, in one line, e.g. "no CUDA device: cudaErrorNoDevice (no
/// CUDA-capable device is detected)"; empty when it is not 0.
std::string_view cuda_unavailable_reason() noexcept;

} // namespace ds::kernels::cuda
