// ds-bench: benchmark programs; each prints ratios measured side by side in one run.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "allreduce_bench.hpp"
#include "data_bench.hpp"
#include "dsflow_build_config.hpp"
#include "gpu_bench.hpp"
#include "kernels_bench.hpp"
#include "optimizer_bench.hpp"
#include "pingpong_bench.hpp"
#include "runtime_bench.hpp"
#include "train_bench.hpp"

namespace {

const char* const usage = R"(usage: ds-bench BENCHMARK [--repeats N] [--quick] [--images DIR] [--text DIR]
                          [--params N] [--threads T] [--epochs N] [--lm]
                          [--ranks N] [--provider P] [--copy-in-out] [--segment BYTES]
                          [--spin US] [--round-trips N]

benchmarks:
  runtime   per-hop overhead against a plain loop, replica scaling,
            peak memory under a slow consumer
  data      the input pipeline against a bare decode loop (1 and 2 decoders),
            and every codec's size and speed on the packed datasets
            (--images DIR, default data/fashion-mnist/train;
             --text DIR, default data/fortunes/train)
  optimizer Adam, AdamW and SGD-momentum steps against a STREAM triad measured
            in the same run, at 1 thread and at T (default: all cores)
            (--params N, default 16777216 = 2^24; --repeats default 11)
  kernels   every CPU kernel on each backend at training shapes, and the
            dispatched backend's speedup over the reference
  train     configs/default.yaml end to end: samples/s, data stall, parameter
            wait and test accuracy for 1 replica x 2 BLAS threads, 2 replicas x 1,
            and delay 1 (--epochs N, default 2; --lm adds one epoch of
            fortunes_lm.yaml, several minutes; --repeats default 3)
  allreduce ring allreduce of 4 KiB .. 64 MiB float32 between 2 and 4 forked ranks over
            libfabric shm and tcp (loopback): median time, algbw, busbw, against
            memcpy measured in the same run (--repeats default 11; --quick: up to
            4 MiB, 2 ranks; --ranks 2|4 and --provider shm|'tcp;ofi_rxm' pick one;
            in place on a pool buffer, or --copy-in-out: the std::span overload;
            --segment BYTES: collective_options::segment_bytes, default 1 MiB;
            --spin US: collective_options::spin, default 100)
  pingpong  the transport's round trip of 1 B .. 16 KiB between 2 forked ranks over
            shm and tcp (loopback): median, p10, p90 and half the median, which is
            fi_pingpong's usec/xfer (--round-trips N, default 2000; --provider P)
  gpu       on cuda:0: GEMM TFLOP/s of dsflow's cuBLAS path (fp32, tf32, bf16)
            against cuBLAS's best, and 256 MiB host<->device copies from pinned
            and pageable memory (--repeats default 11). Without CUDA in the
            build or without a GPU: one line, exit 77 (skipped)
)";

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  ds::bench::runtime_bench_options options;
  ds::bench::data_bench_options data_options;
  ds::bench::optimizer_bench_options optimizer_options;
  ds::bench::kernels_bench_options kernels_options;
  ds::bench::train_bench_options train_options;
  ds::bench::allreduce_bench_options allreduce_options;
  ds::bench::gpu_bench_options gpu_options;
  ds::bench::pingpong_bench_options pingpong_options;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = data_options.quick = allreduce_options.quick = true;
    } else if (arg == "--repeats" && i + 1 < argc) {
      options.repeats = data_options.repeats = optimizer_options.repeats =
        kernels_options.repeats = train_options.repeats = allreduce_options.repeats =
        gpu_options.repeats = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--epochs" && i + 1 < argc) {
      train_options.epochs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--lm") {
      train_options.language_model = true;
    } else if (arg == "--params" && i + 1 < argc) {
      optimizer_options.params = std::max(1ull, std::strtoull(argv[++i], nullptr, 10));
    } else if (arg == "--threads" && i + 1 < argc) {
      optimizer_options.threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (arg == "--ranks" && i + 1 < argc) {
      allreduce_options.ranks = std::atoi(argv[++i]);
    } else if (arg == "--provider" && i + 1 < argc) {
      allreduce_options.provider = pingpong_options.provider = argv[++i];
    } else if (arg == "--segment" && i + 1 < argc) {
      allreduce_options.segment_bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--spin" && i + 1 < argc) {
      allreduce_options.spin_us = std::atol(argv[++i]);
    } else if (arg == "--copy-in-out") {
      allreduce_options.copy_in_out = true;
    } else if (arg == "--round-trips" && i + 1 < argc) {
      pingpong_options.round_trips = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--images" && i + 1 < argc) {
      data_options.image_dataset = argv[++i];
    } else if (arg == "--text" && i + 1 < argc) {
      data_options.text_dataset = argv[++i];
    } else {
      std::fprintf(stderr, "ds-bench: unknown argument '%s'\n%s", arg.c_str(), usage);
      return 2;
    }
  }
  std::string which = argv[1];
  try {
    if (which == "allreduce")
      return ds::bench::run_allreduce_bench(allreduce_options);
    if (which == "pingpong")
      return ds::bench::run_pingpong_bench(pingpong_options);
    if (which == "runtime")
      return ds::bench::run_runtime_bench(options);
    if (which == "data")
      return ds::bench::run_data_bench(data_options);
    if (which == "optimizer")
      return ds::bench::run_optimizer_bench(optimizer_options);
    if (which == "kernels")
      return ds::bench::run_kernels_bench(kernels_options);
    if (which == "train")
      return ds::bench::run_train_bench(train_options);
    if (which == "gpu") {
#if DSFLOW_HAVE_CUDA
      return ds::bench::run_gpu_bench(gpu_options);
#else
      (void)gpu_options;
      std::printf("ds-bench gpu: skipped: this build has no CUDA (meson option cuda disabled, "
                  "or nvcc/cudart/cublas not found)\n");
      return ds::bench::gpu_bench_skipped;
#endif
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ds-bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "ds-bench: unknown benchmark '%s'\n%s", which.c_str(), usage);
  return 2;
}
