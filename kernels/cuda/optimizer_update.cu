#include "cuda/optimizer_update.cuh"

#include "cuda/launch.cuh"

namespace ds::kernels::cuda {

namespace {

using namespace detail;

__global__ void sgd_kernel(std::size_t size, float learning_rate, float momentum,
                           float weight_decay, float* p, float* v, const float* g) {
  for (std::size_t i = global_thread(); i < size; i += grid_threads()) {
    const float velocity = momentum * v[i] + (g[i] + weight_decay * p[i]);
    v[i] = velocity;
    p[i] -= learning_rate * velocity;
  }
}

__global__ void adam_kernel(std::size_t size, adam_constants k, float* p, float* m, float* v,
                            const float* g) {
  for (std::size_t i = global_thread(); i < size; i += grid_threads()) {
    const float param = p[i];
    const float grad = g[i] + k.l2 * param;
    const float first = k.b1 * m[i] + (1.0f - k.b1) * grad;
    const float second = k.b2 * v[i] + (1.0f - k.b2) * grad * grad;
    m[i] = first;
    v[i] = second;
    const float denom = sqrtf(second * k.inv_corr2) + k.eps;
    p[i] = param * k.shrink - k.lr * (first * k.inv_corr1) / denom;
  }
}

} // namespace

status sgd_update(const sgd_step& step, float* param, float* velocity, const float* gradient,
                  const stream_context& on) {
  sgd_kernel<<<blocks_for(step.size, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    step.size, step.learning_rate, step.momentum, step.weight_decay, param, velocity, gradient);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

status adam_update(const adam_step& step, float* param, float* first_moment,
                   float* second_moment, const float* gradient, const stream_context& on) {
  adam_kernel<<<blocks_for(step.size, elementwise_threads), elementwise_threads, 0, on.stream>>>(
    step.size, adam_constants_of(step), param, first_moment, second_moment, gradient);
  DS_CUDA_CHECK_LAUNCH();
  return status::ok();
}

} // namespace ds::kernels::cuda
