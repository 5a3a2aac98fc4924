#pragma once
/// Embedding gather and scatter-add on device memory: the CUDA twin of cpu/embedding.hpp (same
/// rules for an id outside [0, vocab): a zero row forward, skipped backward). `ids` is device
/// memory. Calling convention: cuda/context.hpp.
///
/// NOT deterministic: the backward adds with float atomicAdd, so when an id repeats, the order
/// of its additions (and so the last bits of that row) can change from run to run. The CPU
/// reference is the deterministic choice; a sort-by-id backward is the fix if bit-identical
/// GPU runs are ever required.

#include "cpu/embedding.hpp"
#include "cuda/context.hpp"

#include <cstdint>

namespace ds::kernels::cuda {

/// out[count,dim] = table[ids[i], :].
status embedding_forward(const embedding_shape& shape, float* out, const float* table,
                         const std::int32_t* ids, const stream_context& on);

/// dtable[ids[i], :] += dout[i, :]. Accumulates: the caller zeroes dtable first.
status embedding_backward(const embedding_shape& shape, float* dtable, const float* dout,
                          const std::int32_t* ids, const stream_context& on);

} // namespace ds::kernels::cuda
