#pragma once
/// The list of every kernel op and the backends that implement it, and the dispatch rules that
/// pick one: the best backend that is compiled in, usable on this host and able to read the
/// memory the operands live in, else the reference.
///
/// Why two dispatch functions and not one: a backend's run functions take pointers of one
/// memory kind (`memory_of`). The CPU run functions (`cpu/<op>.hpp`) take host pointers and
/// must never pick `cuda` just because a GPU is present, and a device pointer has no fallback
/// without a copy. So `dispatch()`/`resolve()` consider host backends only and always return
/// one, while `dispatch_device()` answers for device pointers and may answer "none" (the caller
/// then stages through host memory). The CUDA run functions live in `cuda/<op>.cuh` with their
/// own signatures (device pointers, a stream, a status); see docs/architecture.md.
///
/// A new backend is added by listing it here for the ops it implements; the table-driven tests
/// (`tests/kernels/backend_ops_test.cpp` for host backends, `tests/kernels/cuda_ops_test.cpp`
/// for `cuda`) then check it against the reference without further changes. Everything here is
/// constant after the first call and safe to call from any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ds::kernels {

/// Element types a kernel may be asked about. Only float32 exists so far.
enum class dtype : std::uint8_t { f32 };

/// Implementations of an op, in ascending order of preference for dispatch.
enum class backend : std::uint8_t {
  reference, ///< Scalar, portable, obviously correct: the yardstick for all others.
  blas,      ///< Built on OpenBLAS `cblas_sgemm` (gemm, im2col convolution, attention).
  avx2,      ///< Hand-vectorized with AVX2 + FMA, chosen when the CPU has both.
  cuda,      ///< `kernels/cuda/`: device pointers, cuBLAS; available with a usable GPU.
};

/// Where the pointers a backend's run functions take must point.
enum class memory : std::uint8_t { host, device };

/// Every op with its own entry point. Forward and backward are separate ops because a backend
/// may implement one without the other.
enum class op : std::uint8_t {
  gemm,
  bias_activation_forward,
  bias_activation_backward,
  softmax_forward,
  cross_entropy_forward,
  cross_entropy_backward,
  layer_norm_forward,
  layer_norm_backward,
  embedding_forward,
  embedding_backward,
  attention_forward,
  attention_backward,
  conv2d_forward,
  conv2d_backward,
  max_pool_forward,
  max_pool_backward,
  sgd_update,
  adam_update,
};

/// All ops, in declaration order.
std::span<const op> registered_ops() noexcept;

/// All backends, in ascending order of preference.
std::span<const backend> all_backends() noexcept;

/// "softmax_forward", for logs and test names.
std::string_view to_string(op o) noexcept;

/// "avx2", for logs and test names.
std::string_view to_string(backend b) noexcept;

/// The memory kind `b`'s run functions read and write: `device` for `cuda`, else `host`.
memory memory_of(backend b) noexcept;

/// Whether `b` implements `o` for `t` in this build (says nothing about the host CPU or GPU).
bool supports(op o, dtype t, backend b) noexcept;

/// Whether this host can run code of backend `b` (AVX2 and FMA present, a usable GPU present,
/// see `cuda/device.hpp`). The GPU probe runs once, on the first call.
bool available(backend b) noexcept;

/// For host pointers: the most preferred host backend that supports `o` for `t` and is
/// available; `reference` if none. Never a device backend, whatever GPU is present.
backend dispatch(op o, dtype t = dtype::f32) noexcept;

/// For device pointers: the most preferred device backend that supports `o` for `t` and is
/// available, or nullopt (no usable GPU, a build without CUDA, or an op with no device version):
/// the caller then copies to host and uses `dispatch()`.
std::optional<backend> dispatch_device(op o, dtype t = dtype::f32) noexcept;

/// `wanted` if it is a host backend that supports `o` on float32 and is available, else
/// `reference`. The CPU run functions use this so that asking for a missing backend (or for
/// `cuda`, whose code they cannot run on host pointers) degrades instead of failing.
backend resolve(op o, backend wanted) noexcept;

/// Whether `kernels/cuda/` has a version of `o`, whether or not this build compiled it.
bool has_cuda_version(op o) noexcept;

/// Why `o` deliberately has no CUDA version (e.g. "host-side by design"); empty when it has one.
/// An op with neither fails the coverage test in `tests/kernels/cuda_coverage_test.cpp`.
std::string_view cpu_only_reason(op o) noexcept;

} // namespace ds::kernels
