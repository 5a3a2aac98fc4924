#pragma once
/// Fused log-softmax + negative log-likelihood over a batch of logits, and its gradient.
///
/// `logits` is row-major [batch, classes]; `labels` holds `batch` int32 class indices.
/// loss = mean over rows of (logsumexp(logits[r,:]) - logits[r, labels[r]]), accumulated in
/// float64. Fusing avoids materialising log-probabilities and is stable for any finite logits.
/// A label outside [0, classes) is a data error that the noexcept run functions cannot throw:
/// it makes the loss NaN (so training stops visibly) and its gradient row zero.
/// Single-threaded, reentrant.

#include "registry.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>

namespace ds::kernels {

struct cross_entropy_shape {
  std::size_t batch = 0;
  std::size_t classes = 0;
};

/// The validated shape, or an invalid_argument status naming the op and the zero dimension.
result<cross_entropy_shape> setup_cross_entropy(std::size_t batch, std::size_t classes);

/// *loss = mean cross-entropy of the batch.
void cross_entropy_forward(const cross_entropy_shape& shape, float* loss, const float* logits,
                           const std::int32_t* labels,
                           backend on = dispatch(op::cross_entropy_forward)) noexcept;

/// dlogits[batch,classes] = dloss / batch * (softmax(logits) - one_hot(labels)); overwritten.
void cross_entropy_backward(const cross_entropy_shape& shape, float* dlogits,
                            const float* logits, const std::int32_t* labels, float dloss,
                            backend on = dispatch(op::cross_entropy_backward)) noexcept;

} // namespace ds::kernels
