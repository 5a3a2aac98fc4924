#include "cpu/attention.hpp"

#include "cpu/gemm.hpp"
#include "shape_check.hpp"

#include <algorithm>
#include <cmath>

namespace ds::kernels {

namespace {

void forward_reference(const attention_shape& s, float* out, float* probs, const float* q,
                       const float* k, const float* v) noexcept {
  const std::size_t seq = s.seq;
  const std::size_t dim = s.head_dim;
  for (std::size_t head = 0; head < s.batch * s.heads; ++head) {
    const float* qh = q + head * seq * dim;
    const float* kh = k + head * seq * dim;
    const float* vh = v + head * seq * dim;
    for (std::size_t i = 0; i < seq; ++i) {
      float* p = probs + (head * seq + i) * seq;
      double max = -INFINITY;
      for (std::size_t j = 0; j <= i; ++j) {
        double dot = 0.0;
        for (std::size_t d = 0; d < dim; ++d)
          dot += static_cast<double>(qh[i * dim + d]) * kh[j * dim + d];
        p[j] = static_cast<float>(dot * s.scale);
        max = std::max(max, static_cast<double>(p[j]));
      }
      double sum = 0.0;
      for (std::size_t j = 0; j <= i; ++j)
        sum += std::exp(p[j] - max);
      for (std::size_t j = 0; j < seq; ++j)
        p[j] = j <= i ? static_cast<float>(std::exp(p[j] - max) / sum) : 0.0f;
      for (std::size_t d = 0; d < dim; ++d) {
        double acc = 0.0;
        for (std::size_t j = 0; j <= i; ++j)
          acc += static_cast<double>(p[j]) * vh[j * dim + d];
        out[(head * seq + i) * dim + d] = static_cast<float>(acc);
      }
    }
  }
}

// dS_ij = P_ij (dP_ij - sum_l P_il dP_il) is the softmax backward; scale enters dq and dk.
void backward_reference(const attention_shape& s, float* dq, float* dk, float* dv,
                        const float* dout, const float* q, const float* k, const float* v,
                        const float* probs) noexcept {
  const std::size_t seq = s.seq;
  const std::size_t dim = s.head_dim;
  const std::size_t total = s.batch * s.heads * seq * dim;
  std::fill_n(dq, total, 0.0f);
  std::fill_n(dk, total, 0.0f);
  std::fill_n(dv, total, 0.0f);
  for (std::size_t head = 0; head < s.batch * s.heads; ++head) {
    const std::size_t base = head * seq * dim;
    for (std::size_t i = 0; i < seq; ++i) {
      const float* p = probs + (head * seq + i) * seq;
      const float* go = dout + base + i * dim;
      double weighted = 0.0;
      for (std::size_t j = 0; j <= i; ++j) {
        double dp = 0.0;
        for (std::size_t d = 0; d < dim; ++d)
          dp += static_cast<double>(go[d]) * v[base + j * dim + d];
        weighted += p[j] * dp;
      }
      for (std::size_t j = 0; j <= i; ++j) {
        double dp = 0.0;
        for (std::size_t d = 0; d < dim; ++d)
          dp += static_cast<double>(go[d]) * v[base + j * dim + d];
        const float ds = static_cast<float>(p[j] * (dp - weighted)) * s.scale;
        for (std::size_t d = 0; d < dim; ++d) {
          dq[base + i * dim + d] += ds * k[base + j * dim + d];
          dk[base + j * dim + d] += ds * q[base + i * dim + d];
          dv[base + j * dim + d] += p[j] * go[d];
        }
      }
    }
  }
}

void forward_blas(const attention_shape& s, float* out, float* probs, const float* q,
                  const float* k, const float* v) noexcept {
  const std::size_t seq = s.seq;
  const std::size_t dim = s.head_dim;
  const gemm_shape scores{false, true, seq, seq, dim};
  const gemm_shape mix{false, false, seq, dim, seq};
  for (std::size_t head = 0; head < s.batch * s.heads; ++head) {
    float* p = probs + head * seq * seq;
    gemm(scores, p, q + head * seq * dim, k + head * seq * dim, s.scale, 0.0f, backend::blas);
    for (std::size_t i = 0; i < seq; ++i) {
      float* row = p + i * seq;
      const float max = *std::max_element(row, row + i + 1);
      float sum = 0.0f;
      for (std::size_t j = 0; j <= i; ++j) {
        row[j] = std::exp(row[j] - max);
        sum += row[j];
      }
      const float inv = 1.0f / sum;
      for (std::size_t j = 0; j <= i; ++j)
        row[j] *= inv;
      std::fill(row + i + 1, row + seq, 0.0f);
    }
    gemm(mix, out + head * seq * dim, p, v + head * seq * dim, 1.0f, 0.0f, backend::blas);
  }
}

void backward_blas(const attention_shape& s, float* dq, float* dk, float* dv, const float* dout,
                   const float* q, const float* k, const float* v, const float* probs,
                   float* dscores) noexcept {
  const std::size_t seq = s.seq;
  const std::size_t dim = s.head_dim;
  const gemm_shape value_grad{true, false, seq, dim, seq};   // dV = P^seq dO
  const gemm_shape prob_grad{false, true, seq, seq, dim};    // dP = dO V^seq
  const gemm_shape query_grad{false, false, seq, dim, seq};  // dQ = scale dS K
  const gemm_shape key_grad{true, false, seq, dim, seq};     // dK = scale dS^seq Q
  for (std::size_t head = 0; head < s.batch * s.heads; ++head) {
    const std::size_t base = head * seq * dim;
    const float* p = probs + head * seq * seq;
    gemm(value_grad, dv + base, p, dout + base, 1.0f, 0.0f, backend::blas);
    gemm(prob_grad, dscores, dout + base, v + base, 1.0f, 0.0f, backend::blas);
    for (std::size_t i = 0; i < seq; ++i) {
      float* row = dscores + i * seq;
      float weighted = 0.0f;
      for (std::size_t j = 0; j <= i; ++j)
        weighted += p[i * seq + j] * row[j];
      for (std::size_t j = 0; j <= i; ++j)
        row[j] = p[i * seq + j] * (row[j] - weighted);
      std::fill(row + i + 1, row + seq, 0.0f);
    }
    gemm(query_grad, dq + base, dscores, k + base, s.scale, 0.0f, backend::blas);
    gemm(key_grad, dk + base, dscores, q + base, s.scale, 0.0f, backend::blas);
  }
}

} // namespace

result<attention_shape> setup_attention(std::size_t batch, std::size_t heads,
                                        std::size_t seq, std::size_t head_dim) {
  shape_check check{"attention"};
  check.require(batch > 0, "batch", "> 0", batch);
  check.require(heads > 0, "heads", "> 0", heads);
  check.require(seq > 0, "seq", "> 0", seq);
  check.require(head_dim > 0, "head_dim", "> 0", head_dim);
  // The blas backend's GEMMs take 32-bit sizes.
  check.require(seq <= 0x7fffffff, "seq", "<= 2^31-1", seq);
  check.require(head_dim <= 0x7fffffff, "head_dim", "<= 2^31-1", head_dim);
  if (check.failed())
    return check.error();
  const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim)));
  return attention_shape{batch, heads, seq, head_dim, scale, seq * seq};
}

void attention_forward(const attention_shape& shape, float* out, float* probs, const float* q,
                       const float* k, const float* v, backend on) noexcept {
  if (resolve(op::attention_forward, on) == backend::blas)
    forward_blas(shape, out, probs, q, k, v);
  else
    forward_reference(shape, out, probs, q, k, v);
}

void attention_backward(const attention_shape& shape, float* dq, float* dk, float* dv,
                        const float* dout, const float* q, const float* k, const float* v,
                        const float* probs, float* scratch, backend on) noexcept {
  if (resolve(op::attention_backward, on) == backend::blas)
    backward_blas(shape, dq, dk, dv, dout, q, k, v, probs, scratch);
  else
    backward_reference(shape, dq, dk, dv, dout, q, k, v, probs);
}

} // namespace ds::kernels
