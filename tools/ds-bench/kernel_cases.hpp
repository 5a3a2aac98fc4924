#pragma once
/// The kernel calls `ds-bench kernels` times: every CPU op at the shapes our models train with.

#include <functional>
#include <string>
#include <vector>

#include "registry.hpp"

namespace ds::bench {

/// One op at one shape, with its inputs and outputs already allocated and filled.
struct kernel_case {
  std::string name;   ///< "gemm", "softmax_forward", ...
  std::string shape;  ///< "128x784x256 (m x k x n)"
  kernels::op op;
  double flops = 0;   ///< per call, where a GFLOP/s figure is meaningful; else 0
  std::function<void(kernels::backend)> run;  ///< one call on the given backend
};

/// The MLP (784-256-128-10, batch 128), the small CNN (conv 1->8->16, 5x5, 28x28, batch 128)
/// and the character model (batch 128 x context 128, vocab 96, width 128; attention at batch 8
/// with 4 heads of 32), plus the optimizer on 2^20 parameters. Allocates about 180 MiB.
std::vector<kernel_case> training_kernel_cases();

} // namespace ds::bench
