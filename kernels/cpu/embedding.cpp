#include "cpu/embedding.hpp"

#include "shape_check.hpp"

#include <algorithm>

namespace ds::kernels {

namespace {

bool valid_id(std::int32_t id, std::size_t vocab) noexcept {
  return id >= 0 && static_cast<std::size_t>(id) < vocab;
}

} // namespace

result<embedding_shape> setup_embedding(std::size_t vocab, std::size_t dim,
                                        std::size_t count) {
  shape_check check{"embedding"};
  check.require(vocab > 0, "vocab", "> 0", vocab);
  check.require(vocab <= 0x7fffffff, "vocab", "<= 2^31-1 (int32 ids)", vocab);
  check.require(dim > 0, "dim", "> 0", dim);
  check.require(count > 0, "count", "> 0", count);
  if (check.failed())
    return check.error();
  return embedding_shape{vocab, dim, count};
}

// Only a reference backend: a gather is bound by memory traffic, and std::copy already
// compiles to wide moves.
void embedding_forward(const embedding_shape& shape, float* out, const float* table,
                       const std::int32_t* ids, backend) noexcept {
  for (std::size_t i = 0; i < shape.count; ++i) {
    float* row = out + i * shape.dim;
    if (valid_id(ids[i], shape.vocab))
      std::copy_n(table + static_cast<std::size_t>(ids[i]) * shape.dim, shape.dim, row);
    else
      std::fill_n(row, shape.dim, 0.0f);
  }
}

void embedding_backward(const embedding_shape& shape, float* dtable, const float* dout,
                        const std::int32_t* ids, backend) noexcept {
  for (std::size_t i = 0; i < shape.count; ++i) {
    if (!valid_id(ids[i], shape.vocab))
      continue;
    float* row = dtable + static_cast<std::size_t>(ids[i]) * shape.dim;
    const float* grad = dout + i * shape.dim;
    for (std::size_t d = 0; d < shape.dim; ++d)
      row[d] += grad[d];
  }
}

} // namespace ds::kernels
