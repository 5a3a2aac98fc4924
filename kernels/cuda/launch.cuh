#pragma once
// Device-side helpers shared by the kernels/cuda/*.cu files (never included by host-only code):
// launch sizes for grid-stride loops and block-wide reductions.
//
// Rules every kernel here follows, because none of them has been profiled into cleverness:
// - element-wise kernels are grid-stride loops over std::size_t indices, so any grid size is
//   correct and the grid is capped (max_blocks);
// - row kernels give one block per row (again grid-striding over rows) and reduce with
//   block_reduce; the block size is always `row_threads`, a multiple of 32;
// - no kernel relies on float atomics except embedding_backward (documented there).

#include "cuda/check.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ds::kernels::cuda::detail {

inline constexpr unsigned elementwise_threads = 256;
inline constexpr unsigned row_threads = 256;
// Grid-stride loops cover any size; a larger grid only adds blocks that find no work.
inline constexpr std::size_t max_blocks = 65535;

/// Blocks for `n` items at `per_block` items per block, at least 1, at most max_blocks.
inline unsigned blocks_for(std::size_t n, std::size_t per_block) {
  return static_cast<unsigned>(std::clamp<std::size_t>((n + per_block - 1) / per_block, 1,
                                                       max_blocks));
}

/// The status of the launch just made (bad configuration, no kernel image for this GPU).
#define DS_CUDA_CHECK_LAUNCH() DS_CUDA_CHECK(cudaGetLastError())

__device__ inline std::size_t global_thread() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ inline std::size_t grid_threads() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

struct sum_op {
  __device__ float operator()(float a, float b) const { return a + b; }
};

struct max_op {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

/// Combines `value` over the warp; every lane gets the result. All 32 lanes must call it.
template <class Combine>
__device__ float warp_reduce(float value, Combine combine) {
  for (int offset = 16; offset > 0; offset /= 2)
    value = combine(value, __shfl_xor_sync(0xffffffffu, value, offset));
  return value;
}

/// Combines `value` over the block; every thread gets the result. Every thread of the block
/// must call it (it synchronizes), and blockDim.x must be a multiple of 32 and <= 1024.
/// Safe to call several times in a row: it synchronizes again before its shared memory is
/// reused.
template <class Combine>
__device__ float block_reduce(float value, Combine combine, float identity) {
  __shared__ float warp_results[32];
  const unsigned lane = threadIdx.x % 32u;
  const unsigned warp = threadIdx.x / 32u;
  value = warp_reduce(value, combine);
  if (lane == 0)
    warp_results[warp] = value;
  __syncthreads();
  if (warp == 0) {
    const unsigned warps = blockDim.x / 32u;
    value = warp_reduce(lane < warps ? warp_results[lane] : identity, combine);
    if (lane == 0)
      warp_results[0] = value;
  }
  __syncthreads();
  const float result = warp_results[0];
  __syncthreads();
  return result;
}

} // namespace ds::kernels::cuda::detail
