#pragma once
/// `ds-bench gpu`: GEMM throughput of dsflow's cuBLAS path against cuBLAS's own best, and
/// host<->device copy bandwidth from pinned and from pageable memory. Built only with CUDA.

namespace ds::bench {

struct gpu_bench_options {
  int repeats = 11;  ///< timed samples per case; the median is reported
};

/// The exit status `ds-bench gpu` uses when there is nothing to measure (no CUDA in the build,
/// or no usable GPU): 77, which Meson and automake read as "skipped".
inline constexpr int gpu_bench_skipped = 77;

/// Runs on cuda:0 and prints two tables:
/// - GEMM, row-major C[m,n] = A[m,k]·B[k,n] for 4096³, 8192³ and the training shapes
///   16384×128×512 and 16384×512×128, at fp32, tf32 and bf16: `kernels/cuda/gemm` (float32 in
///   memory, the precision chosen by the cuBLAS compute type) against `cublasGemmEx` with
///   CUBLAS_GEMM_DEFAULT_TENSOR_OP on the same shape (fp32: COMPUTE_32F; tf32:
///   COMPUTE_32F_FAST_TF32; bf16: A and B stored as bfloat16, COMPUTE_32F), in TFLOP/s
///   (2·m·n·k / median seconds per call; cudaEvent timing after warm-up, each sample several
///   calls long);
/// - 256 MiB cudaMemcpyAsync host->device and device->host from a pinned pool buffer
///   (cudaHostAlloc) and from pageable memory, in GB/s (10^9 bytes), medians.
/// Without a usable GPU it prints one line saying why and returns `gpu_bench_skipped`; a CUDA
/// or cuBLAS failure prints the DS_CUDA_CHECK message and returns 1. Otherwise 0.
int run_gpu_bench(const gpu_bench_options& options);

} // namespace ds::bench
