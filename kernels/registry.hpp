#pragma once
/// The list of every kernel op and the backends that implement it, and the dispatch rule that
/// picks one: the best backend that is compiled in and usable on this host, else the reference.
///
/// A new backend (e.g. `cuda`) is added by listing it here for the ops it implements; the
/// table-driven test in `tests/kernels/backend_ops_test.cpp` then checks it against the
/// reference without further changes. Everything here is constant after static
/// initialization and safe to call from any thread.

#include <cstdint>
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
  cuda,      ///< Reserved for `kernels/cuda/`; no op implements it yet.
};

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

/// Whether `b` implements `o` for `t` in this build (says nothing about the host CPU).
bool supports(op o, dtype t, backend b) noexcept;

/// Whether this host can run code of backend `b` (AVX2 and FMA present, a GPU present, ...).
bool available(backend b) noexcept;

/// The most preferred backend that supports `o` for `t` and is available; `reference` if none.
backend dispatch(op o, dtype t = dtype::f32) noexcept;

/// `wanted` if it supports `o` on float32 and is available, else `reference`. Run functions use
/// this so that asking for a missing backend degrades instead of failing.
backend resolve(op o, backend wanted) noexcept;

} // namespace ds::kernels
