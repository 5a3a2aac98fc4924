// Every op registered for the CPU either has a CUDA version or says, in the registry's table,
// why it stays on the CPU; and the registry claims exactly the CUDA versions this build linked.
// Runs in every build (with or without CUDA, with or without a GPU): it checks the table and
// the link, not the numbers (cuda_ops_test, suite gpu, does that on a GPU).
#define BOOST_TEST_MODULE kernel_cuda_coverage
#include <boost/test/unit_test.hpp>

#include "registry.hpp"

#ifdef DS_KERNELS_CUDA
#include "cuda/attention.cuh"
#include "cuda/bias_activation.cuh"
#include "cuda/conv2d.cuh"
#include "cuda/cross_entropy.cuh"
#include "cuda/embedding.cuh"
#include "cuda/gemm.cuh"
#include "cuda/layer_norm.cuh"
#include "cuda/max_pool.cuh"
#include "cuda/optimizer_update.cuh"
#include "cuda/softmax.cuh"
#endif

using namespace ds::kernels;

namespace {

#ifdef DS_KERNELS_CUDA
using entry_point = void (*)();

template <class Function>
entry_point address_of(Function* function) {
  return reinterpret_cast<entry_point>(function);
}

// The CUDA function that implements `o`, taken by address so that a version the registry
// claims but the build lacks is a compile or link error. A switch without default: a new op
// without a row here is a -Wswitch warning and a failed test below.
entry_point cuda_entry_point(op o) {
  switch (o) {
    case op::gemm:
      return address_of(&cuda::gemm);
    case op::bias_activation_forward:
      return address_of(&cuda::bias_activation_forward);
    case op::bias_activation_backward:
      return address_of(&cuda::bias_activation_backward);
    case op::softmax_forward:
      return address_of(&cuda::softmax_forward);
    case op::cross_entropy_forward:
      return address_of(&cuda::cross_entropy_forward);
    case op::cross_entropy_backward:
      return address_of(&cuda::cross_entropy_backward);
    case op::layer_norm_forward:
      return address_of(&cuda::layer_norm_forward);
    case op::layer_norm_backward:
      return address_of(&cuda::layer_norm_backward);
    case op::embedding_forward:
      return address_of(&cuda::embedding_forward);
    case op::embedding_backward:
      return address_of(&cuda::embedding_backward);
    case op::attention_forward:
      return address_of(&cuda::attention_forward);
    case op::attention_backward:
      return address_of(&cuda::attention_backward);
    case op::conv2d_forward:
      return address_of(&cuda::conv2d_forward);
    case op::conv2d_backward:
      return address_of(&cuda::conv2d_backward);
    case op::max_pool_forward:
      return address_of(&cuda::max_pool_forward);
    case op::max_pool_backward:
      return address_of(&cuda::max_pool_backward);
    case op::sgd_update:
      return address_of(&cuda::sgd_update);
    case op::adam_update:
      return address_of(&cuda::adam_update);
  }
  return nullptr;
}
#endif

} // namespace

BOOST_AUTO_TEST_SUITE(unit)

BOOST_AUTO_TEST_CASE(every_op_has_a_cuda_version_or_a_reason_to_stay_on_the_cpu) {
  for (op o : registered_ops())
    BOOST_TEST_CONTEXT("op " << to_string(o)) {
      const bool has_version = has_cuda_version(o);
      const bool has_reason = !cpu_only_reason(o).empty();
      BOOST_TEST((has_version || has_reason),
                 "neither a CUDA version nor a CPU-only reason in kernels/registry.cpp");
      BOOST_TEST(!(has_version && has_reason), "both a CUDA version and a CPU-only reason");
    }
}

BOOST_AUTO_TEST_CASE(the_registry_claims_exactly_the_cuda_versions_this_build_has) {
  for (op o : registered_ops())
    BOOST_TEST_CONTEXT("op " << to_string(o)) {
#ifdef DS_KERNELS_CUDA
      BOOST_TEST(supports(o, dtype::f32, backend::cuda) == has_cuda_version(o));
      if (has_cuda_version(o))
        BOOST_TEST(cuda_entry_point(o) != nullptr);
#else
      BOOST_TEST(!supports(o, dtype::f32, backend::cuda));
#endif
    }
}

BOOST_AUTO_TEST_CASE(the_cuda_backend_takes_device_pointers_and_every_other_host_pointers) {
  for (backend b : all_backends())
    BOOST_TEST_CONTEXT("backend " << to_string(b)) {
      BOOST_TEST((memory_of(b) == (b == backend::cuda ? memory::device : memory::host)));
    }
}

BOOST_AUTO_TEST_SUITE_END()
