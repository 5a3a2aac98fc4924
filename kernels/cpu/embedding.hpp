#pragma once
/// Embedding lookup (gather) and its backward (scatter-add) over a row-major table [vocab, dim].
///
/// `ids` holds `count` int32 row indices. An id outside [0, vocab) is a data error the noexcept
/// run functions cannot throw: the forward writes a zero row for it and the backward skips it,
/// so a bad token cannot corrupt the table. Single-threaded, reentrant.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>

namespace ds::kernels {

struct embedding_shape {
  std::size_t vocab = 0;
  std::size_t dim = 0;
  std::size_t count = 0;
};

/// The validated shape, or an invalid_argument status naming the op and the zero dimension.
result<embedding_shape> setup_embedding(std::size_t vocab, std::size_t dim, std::size_t count);

/// out[count,dim] = table[ids[i], :].
void embedding_forward(const embedding_shape& shape, float* out, const float* table,
                       const std::int32_t* ids,
                       backend on = dispatch(op::embedding_forward)) noexcept;

/// dtable[ids[i], :] += dout[i, :]. Accumulates: the caller zeroes dtable first, which lets
/// tied embeddings add several contributions. Repeated ids add up.
void embedding_backward(const embedding_shape& shape, float* dtable, const float* dout,
                        const std::int32_t* ids,
                        backend on = dispatch(op::embedding_backward)) noexcept;

} // namespace ds::kernels
