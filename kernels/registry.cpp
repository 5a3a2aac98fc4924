#include "registry.hpp"

#include "cpu/cpu_features.hpp"
#include "cuda/device.hpp"

#include <array>

namespace ds::kernels {

namespace {

#if defined(__x86_64__) || defined(__i386__)
constexpr bool avx2_compiled = true;
#else
constexpr bool avx2_compiled = false;
#endif

// Set by kernels/meson.build when the CUDA kernels (kernels/cuda/*.cu) are built.
#ifdef DS_KERNELS_CUDA
constexpr bool cuda_compiled = true;
#else
constexpr bool cuda_compiled = false;
#endif

struct op_entry {
  op id;
  std::string_view name;
  bool blas;
  bool avx2;
  bool cuda;                    // kernels/cuda/<op>.cu exists (compiled when cuda_compiled)
  std::string_view cpu_only;    // why there is deliberately no CUDA version; empty otherwise
};

// One row per op, in `op` declaration order; `reference` is implied for every op. An op
// without a CUDA version must say why in `cpu_only` (tests/kernels/cuda_coverage_test.cpp).
constexpr std::array<op_entry, 18> op_table{{
  {op::gemm, "gemm", true, false, true, {}},
  {op::bias_activation_forward, "bias_activation_forward", false, avx2_compiled, true, {}},
  {op::bias_activation_backward, "bias_activation_backward", false, avx2_compiled, true, {}},
  {op::softmax_forward, "softmax_forward", false, avx2_compiled, true, {}},
  {op::cross_entropy_forward, "cross_entropy_forward", false, avx2_compiled, true, {}},
  {op::cross_entropy_backward, "cross_entropy_backward", false, avx2_compiled, true, {}},
  {op::layer_norm_forward, "layer_norm_forward", false, avx2_compiled, true, {}},
  {op::layer_norm_backward, "layer_norm_backward", false, avx2_compiled, true, {}},
  {op::embedding_forward, "embedding_forward", false, false, true, {}},
  {op::embedding_backward, "embedding_backward", false, false, true, {}},
  {op::attention_forward, "attention_forward", true, false, true, {}},
  {op::attention_backward, "attention_backward", true, false, true, {}},
  {op::conv2d_forward, "conv2d_forward", true, false, true, {}},
  {op::conv2d_backward, "conv2d_backward", true, false, true, {}},
  {op::max_pool_forward, "max_pool_forward", false, false, true, {}},
  {op::max_pool_backward, "max_pool_backward", false, false, true, {}},
  {op::sgd_update, "sgd_update", false, avx2_compiled, true, {}},
  {op::adam_update, "adam_update", false, avx2_compiled, true, {}},
}};

constexpr bool table_matches_enum() {
  for (std::size_t i = 0; i < op_table.size(); ++i)
    if (static_cast<std::size_t>(op_table[i].id) != i)
      return false;
  return true;
}
static_assert(table_matches_enum(), "op_table rows must follow the order of enum class op");

constexpr auto op_list = [] {
  std::array<op, op_table.size()> ops{};
  for (std::size_t i = 0; i < ops.size(); ++i)
    ops[i] = op_table[i].id;
  return ops;
}();

constexpr std::array<backend, 4> backend_list{backend::reference, backend::blas, backend::avx2,
                                              backend::cuda};

} // namespace

std::span<const op> registered_ops() noexcept {
  return op_list;
}

std::span<const backend> all_backends() noexcept {
  return backend_list;
}

std::string_view to_string(op o) noexcept {
  return op_table[static_cast<std::size_t>(o)].name;
}

std::string_view to_string(backend b) noexcept {
  switch (b) {
    case backend::reference:
      return "reference";
    case backend::blas:
      return "blas";
    case backend::avx2:
      return "avx2";
    case backend::cuda:
      return "cuda";
  }
  return "unknown";
}

bool supports(op o, dtype t, backend b) noexcept {
  if (t != dtype::f32)
    return false;
  const auto& entry = op_table[static_cast<std::size_t>(o)];
  switch (b) {
    case backend::reference:
      return true;
    case backend::blas:
      return entry.blas;
    case backend::avx2:
      return entry.avx2;
    case backend::cuda:
      return cuda_compiled && entry.cuda;
  }
  return false;
}

memory memory_of(backend b) noexcept {
  return b == backend::cuda ? memory::device : memory::host;
}

bool available(backend b) noexcept {
  switch (b) {
    case backend::reference:
    case backend::blas:
      return true;
    case backend::avx2:
      return host_cpu_features().avx2 && host_cpu_features().fma;
    case backend::cuda:
      return cuda::cuda_devices() > 0;
  }
  return false;
}

backend dispatch(op o, dtype t) noexcept {
  backend best = backend::reference;
  for (auto b : backend_list)
    if (memory_of(b) == memory::host && supports(o, t, b) && available(b))
      best = b;
  return best;
}

std::optional<backend> dispatch_device(op o, dtype t) noexcept {
  std::optional<backend> best;
  for (auto b : backend_list)
    if (memory_of(b) == memory::device && supports(o, t, b) && available(b))
      best = b;
  return best;
}

backend resolve(op o, backend wanted) noexcept {
  return memory_of(wanted) == memory::host && supports(o, dtype::f32, wanted) && available(wanted)
           ? wanted
           : backend::reference;
}

bool has_cuda_version(op o) noexcept {
  return op_table[static_cast<std::size_t>(o)].cuda;
}

std::string_view cpu_only_reason(op o) noexcept {
  return op_table[static_cast<std::size_t>(o)].cpu_only;
}

} // namespace ds::kernels
