#include "gpu_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "bench_stats.hpp"
#include "cuda/check.hpp"
#include "cuda/context.hpp"
#include "cuda/device.hpp"
#include "cuda/gemm.cuh"
#include "dsflow/memory.hpp"

namespace ds::bench {

namespace {

namespace kc = kernels::cuda;

using call_function = std::function<status()>;

/// Two CUDA events, destroyed with the object.
class event_pair {
public:
  event_pair() = default;
  event_pair(const event_pair&) = delete;
  event_pair& operator=(const event_pair&) = delete;
  ~event_pair() {
    if (start != nullptr)
      (void)cudaEventDestroy(start);
    if (stop != nullptr)
      (void)cudaEventDestroy(stop);
  }
  status create() {
    DS_CUDA_CHECK(cudaEventCreate(&start));
    DS_CUDA_CHECK(cudaEventCreate(&stop));
    return status::ok();
  }
  /// Milliseconds between the two events, once `stop` has completed.
  status elapsed_ms(float& milliseconds) const {
    DS_CUDA_CHECK(cudaEventSynchronize(stop));
    DS_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start, stop));
    return status::ok();
  }

  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
};

/// Device memory freed with the object.
class device_block {
public:
  device_block() = default;
  device_block(const device_block&) = delete;
  device_block& operator=(const device_block&) = delete;
  ~device_block() {
    if (pointer != nullptr)
      (void)cudaFree(pointer);
  }
  status allocate(std::size_t bytes) {
    DS_CUDA_CHECK(cudaMalloc(&pointer, bytes));
    return status::ok();
  }
  void* pointer = nullptr;
};

/// Median seconds per call of `call`, enqueued on `stream`: three warm-up calls, one timed call
/// to size the samples (each sample runs enough calls to last ~2 ms, so event resolution does
/// not matter), then `repeats` samples bracketed by events.
status median_seconds_per_call(const call_function& call, cudaStream_t stream, int repeats,
                               double& seconds) {
  event_pair events;
  if (auto created = events.create(); !created.is_ok())
    return created;
  for (int i = 0; i < 3; ++i)
    if (auto warm = call(); !warm.is_ok())
      return warm;
  DS_CUDA_CHECK(cudaStreamSynchronize(stream));

  float first_ms = 0;
  DS_CUDA_CHECK(cudaEventRecord(events.start, stream));
  if (auto once = call(); !once.is_ok())
    return once;
  DS_CUDA_CHECK(cudaEventRecord(events.stop, stream));
  if (auto timed = events.elapsed_ms(first_ms); !timed.is_ok())
    return timed;
  const int inner =
    std::clamp(static_cast<int>(std::ceil(2.0 / std::max(first_ms, 1e-3f))), 1, 200);

  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    DS_CUDA_CHECK(cudaEventRecord(events.start, stream));
    for (int i = 0; i < inner; ++i)
      if (auto run = call(); !run.is_ok())
        return run;
    DS_CUDA_CHECK(cudaEventRecord(events.stop, stream));
    float milliseconds = 0;
    if (auto timed = events.elapsed_ms(milliseconds); !timed.is_ok())
      return timed;
    samples.push_back(milliseconds / 1e3 / inner);
  }
  seconds = median(samples);
  return status::ok();
}

/// float -> bfloat16 bits, round to nearest even (finite inputs only, which is all we make).
std::uint16_t to_bfloat16(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(bits >> 16);
}

struct gemm_case {
  std::size_t m, n, k;
};

/// The operands, sized for the largest case: float32 A, B, C and bfloat16 copies of A and B.
struct gemm_operands {
  device_block a, b, c, a_bf16, b_bf16;

  status fill(std::size_t max_a, std::size_t max_b, std::size_t max_c, cudaStream_t stream) {
    const std::pair<device_block*, std::size_t> blocks[] = {
      {&a, max_a * 4}, {&b, max_b * 4}, {&c, max_c * 4}, {&a_bf16, max_a * 2},
      {&b_bf16, max_b * 2}};
    for (auto [block, bytes] : blocks)
      if (auto allocated = block->allocate(bytes); !allocated.is_ok())
        return allocated;
    std::mt19937 generator{42};
    std::uniform_real_distribution<float> uniform{-1.0f, 1.0f};
    const std::tuple<device_block*, device_block*, std::size_t> inputs[] = {
      {&a, &a_bf16, max_a}, {&b, &b_bf16, max_b}};
    for (auto [target, target_bf16, count] : inputs) {
      std::vector<float> values(count);
      for (auto& value : values)
        value = uniform(generator);
      std::vector<std::uint16_t> rounded(count);
      std::transform(values.begin(), values.end(), rounded.begin(), to_bfloat16);
      DS_CUDA_CHECK(cudaMemcpyAsync(target->pointer, values.data(), count * 4,
                                    cudaMemcpyHostToDevice, stream));
      DS_CUDA_CHECK(cudaMemcpyAsync(target_bf16->pointer, rounded.data(), count * 2,
                                    cudaMemcpyHostToDevice, stream));
      DS_CUDA_CHECK(cudaStreamSynchronize(stream));  // before the host vectors go
    }
    DS_CUDA_CHECK(cudaMemsetAsync(c.pointer, 0, max_c * 4, stream));
    DS_CUDA_CHECK(cudaStreamSynchronize(stream));
    return status::ok();
  }
};

/// cuBLAS's own best for a row-major C = A·B: the column-major C^T = B^T·A^T call, with
/// CUBLAS_GEMM_DEFAULT_TENSOR_OP and the compute type (and, for bf16, the storage) that fits.
status cublas_best_gemm(cublasHandle_t handle, const gemm_case& shape,
                        kc::gemm_precision precision, gemm_operands& operands) {
  const float alpha = 1.0f;
  const float beta = 0.0f;
  const int m = static_cast<int>(shape.m);
  const int n = static_cast<int>(shape.n);
  const int k = static_cast<int>(shape.k);
  const bool bf16 = precision == kc::gemm_precision::bf16;
  const void* a = bf16 ? operands.a_bf16.pointer : operands.a.pointer;
  const void* b = bf16 ? operands.b_bf16.pointer : operands.b.pointer;
  const cudaDataType input_type = bf16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute = precision == kc::gemm_precision::tf32
                                        ? CUBLAS_COMPUTE_32F_FAST_TF32
                                        : CUBLAS_COMPUTE_32F;
  DS_CUBLAS_CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, b, input_type,
                               n, a, input_type, k, &beta, operands.c.pointer, CUDA_R_32F, n,
                               compute, CUBLAS_GEMM_DEFAULT_TENSOR_OP));
  return status::ok();
}

const char* baseline_text(kc::gemm_precision precision) {
  switch (precision) {
    case kc::gemm_precision::fp32: return "GemmEx f32, COMPUTE_32F";
    case kc::gemm_precision::tf32: return "GemmEx f32, COMPUTE_32F_FAST_TF32";
    case kc::gemm_precision::bf16: return "GemmEx bf16 A/B, COMPUTE_32F";
  }
  return "";
}

status run_gemm_table(cudaStream_t stream, int repeats) {
  const std::vector<gemm_case> cases = {
    {4096, 4096, 4096}, {8192, 8192, 8192}, {16384, 128, 512}, {16384, 512, 128}};
  std::size_t max_a = 0, max_b = 0, max_c = 0;
  for (const auto& shape : cases) {
    max_a = std::max(max_a, shape.m * shape.k);
    max_b = std::max(max_b, shape.k * shape.n);
    max_c = std::max(max_c, shape.m * shape.n);
  }
  gemm_operands operands;
  if (auto filled = operands.fill(max_a, max_b, max_c, stream); !filled.is_ok())
    return filled;
  kc::blas_handle handle;
  if (auto opened = handle.open(); !opened.is_ok())
    return opened;
  DS_CUBLAS_CHECK(cublasSetStream(handle.get(), stream));

  std::printf("GEMM, row-major C[m,n] = A[m,k] B[k,n], TFLOP/s = 2mnk / median seconds per call "
              "(%d samples)\n", repeats);
  std::printf("  %-18s %-5s %10s %12s %8s  %s\n", "m x n x k", "prec", "ours", "cuBLAS best",
              "ours/best", "cuBLAS best is");
  for (const auto& shape : cases) {
    auto setup = kernels::setup_gemm(false, false, shape.m, shape.n, shape.k);
    if (!setup)
      return setup.error();
    const double flops = 2.0 * static_cast<double>(shape.m) * static_cast<double>(shape.n)
                         * static_cast<double>(shape.k);
    for (auto precision :
         {kc::gemm_precision::fp32, kc::gemm_precision::tf32, kc::gemm_precision::bf16}) {
      const kc::stream_context context{stream, handle.get(), precision};
      auto* a = static_cast<const float*>(operands.a.pointer);
      auto* b = static_cast<const float*>(operands.b.pointer);
      auto* c = static_cast<float*>(operands.c.pointer);
      double ours = 0;
      if (auto timed = median_seconds_per_call(
            [&] { return kc::gemm(setup.value(), c, a, b, 1.0f, 0.0f, context); }, stream,
            repeats, ours);
          !timed.is_ok())
        return timed;
      double best = 0;
      if (auto timed = median_seconds_per_call(
            [&] { return cublas_best_gemm(handle.get(), shape, precision, operands); }, stream,
            repeats, best);
          !timed.is_ok())
        return timed;
      const std::string name = std::to_string(shape.m) + "x" + std::to_string(shape.n) + "x"
                               + std::to_string(shape.k);
      std::printf("  %-18s %-5s %10.1f %12.1f %8.2f  %s\n", name.c_str(),
                  std::string{kc::to_string(precision)}.c_str(), flops / ours / 1e12,
                  flops / best / 1e12, best / ours, baseline_text(precision));
      std::fflush(stdout);
    }
  }
  return status::ok();
}

status run_copy_table(cudaStream_t stream, int repeats) {
  constexpr std::size_t bytes = std::size_t{256} << 20;
  memory_pools pools;  // pinned: cudaHostAlloc, since a GPU is present
  auto pinned = pools.pinned().allocate(bytes);
  std::vector<std::byte> pageable(bytes);
  std::memset(pinned.data(), 1, bytes);  // touch every page before timing
  std::memset(pageable.data(), 1, bytes);
  device_block device;
  if (auto allocated = device.allocate(bytes); !allocated.is_ok())
    return allocated;

  std::printf("copy %zu MiB with cudaMemcpyAsync, GB/s = 10^9 bytes / median seconds (%d "
              "samples)\n", bytes >> 20, repeats);
  std::printf("  %-16s %10s %10s %8s\n", "direction", "pinned", "pageable", "ratio");
  for (bool to_device : {true, false}) {
    double seconds[2] = {0, 0};
    int column = 0;
    for (void* host : {static_cast<void*>(pinned.data()), static_cast<void*>(pageable.data())}) {
      auto copy = [&]() -> status {
        if (to_device)
          DS_CUDA_CHECK(cudaMemcpyAsync(device.pointer, host, bytes, cudaMemcpyHostToDevice,
                                        stream));
        else
          DS_CUDA_CHECK(cudaMemcpyAsync(host, device.pointer, bytes, cudaMemcpyDeviceToHost,
                                        stream));
        return status::ok();
      };
      if (auto timed = median_seconds_per_call(copy, stream, repeats, seconds[column++]);
          !timed.is_ok())
        return timed;
    }
    const double gigabytes = static_cast<double>(bytes) / 1e9;
    std::printf("  %-16s %10.1f %10.1f %8.2f\n", to_device ? "host -> device" : "device -> host",
                gigabytes / seconds[0], gigabytes / seconds[1], seconds[1] / seconds[0]);
  }
  return status::ok();
}

status describe_device() {
  cudaDeviceProp properties{};
  DS_CUDA_CHECK(cudaGetDeviceProperties(&properties, 0));
  int runtime = 0;
  int driver = 0;
  DS_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  DS_CUDA_CHECK(cudaDriverGetVersion(&driver));
  std::printf("GPU cuda:0: %s, compute capability %d.%d, %.1f GiB; CUDA runtime %d.%d, driver "
              "%d.%d\n", properties.name, properties.major, properties.minor,
              static_cast<double>(properties.totalGlobalMem) / (1u << 30), runtime / 1000,
              runtime % 1000 / 10, driver / 1000, driver % 1000 / 10);
  return status::ok();
}

status run_all(int repeats) {
  DS_CUDA_CHECK(cudaSetDevice(0));
  if (auto described = describe_device(); !described.is_ok())
    return described;
  cudaStream_t stream = nullptr;
  DS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  auto result = run_gemm_table(stream, repeats);
  if (result.is_ok())
    result = run_copy_table(stream, repeats);
  (void)cudaStreamSynchronize(stream);
  (void)cudaStreamDestroy(stream);
  return result;
}

} // namespace

int run_gpu_bench(const gpu_bench_options& options) {
  if (kc::cuda_devices() == 0) {
    std::printf("ds-bench gpu: skipped: %s\n", std::string{kc::cuda_unavailable_reason()}.c_str());
    return gpu_bench_skipped;
  }
  auto result = run_all(std::max(1, options.repeats));
  if (!result.is_ok()) {
    std::fprintf(stderr, "ds-bench gpu: %s\n", result.message().c_str());
    return 1;
  }
  return 0;
}

} // namespace ds::bench
