#include "cuda/embedding.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

__device__ bool valid_id(std::int32_t id, std::size_t vocab) {
  return id >= 0 && static_cast<std::size_t>(id) < vocab;
}

__global__ void gather_kernel(std::size_t vocab, std::size_t dim, std::size_t count, float* out,
                              const float* table, const std::int32_t* ids) {
  const std::size_t total = count * dim;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::int32_t id = ids[i / dim];
    out[i] = valid_id(id, vocab) ? table[static_cast<std::size_t>(id) * dim + i % dim] : 0.0f;
  }
}

__global__ void scatter_add_kernel(std::size_t vocab, std::size_t dim, std::size_t count,
                                   float* dtable, const float* dout, const std::int32_t* ids) {
  const std::size_t total = count * dim;
  for (std::size_t i = global_thread(); i < total; i += grid_threads()) {
    const std::int32_t id = ids[i / dim];
    if (valid_id(id, vocab))
      atomicAdd(dtable + static_cast<std::size_t>(id) * dim + i % dim, dout[i]);
  }
}

} // namespace

status embedding_forward(const embedding_shape& shape, float* out, const float* table,
                         const std::int32_t* ids, const stream_context& on) {
  const std::size_t total = shape.count * shape.dim;
  gather_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    shape.vocab, shape.dim, shape.count, out, table, ids);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status embedding_backward(const embedding_shape& shape, float* dtable, const float* dout,
                          const std::int32_t* ids, const stream_context& on) {
  const std::size_t total = shape.count * shape.dim;
  scatter_add_kernel<<<blocks_for(total, elementwise_threads), elementwise_threads, 0,
                       on.stream>>>(shape.vocab, shape.dim, shape.count, dtable, dout, ids);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
