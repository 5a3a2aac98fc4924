#include "cpu/max_pool.hpp"

#include "shape_check.hpp"

#include <algorithm>

namespace ds::kernels {

result<max_pool_shape> setup_max_pool(std::size_t batch, std::size_t channels,
                                      std::size_t height, std::size_t width) {
  shape_check check{"max_pool"};
  check.require(batch > 0, "batch", "> 0", batch);
  check.require(channels > 0, "channels", "> 0", channels);
  check.require(height >= 2, "height", ">= 2", height);
  check.require(width >= 2, "width", ">= 2", width);
  check.require(height * width <= 0x7fffffff, "height * width", "<= 2^31-1 (int32 argmax)",
                height * width);
  if (check.failed())
    return check.error();
  return max_pool_shape{batch, channels, height, width, height / 2, width / 2};
}

// Only a reference backend: pooling reads each input once and is bound by memory traffic.
void max_pool_forward(const max_pool_shape& shape, float* y, std::int32_t* argmax,
                      const float* x, backend) noexcept {
  const std::size_t planes = shape.batch * shape.channels;
  for (std::size_t plane = 0; plane < planes; ++plane) {
    const float* xp = x + plane * shape.height * shape.width;
    const std::size_t out_base = plane * shape.out_height * shape.out_width;
    for (std::size_t p = 0; p < shape.out_height; ++p)
      for (std::size_t q = 0; q < shape.out_width; ++q) {
        std::size_t best = 2 * p * shape.width + 2 * q;
        for (std::size_t candidate : {best + 1, best + shape.width, best + shape.width + 1})
          if (xp[candidate] > xp[best])
            best = candidate;
        y[out_base + p * shape.out_width + q] = xp[best];
        argmax[out_base + p * shape.out_width + q] = static_cast<std::int32_t>(best);
      }
  }
}

void max_pool_backward(const max_pool_shape& shape, float* dx, const float* dy,
                       const std::int32_t* argmax, backend) noexcept {
  const std::size_t planes = shape.batch * shape.channels;
  const std::size_t in_plane = shape.height * shape.width;
  const std::size_t out_plane = shape.out_height * shape.out_width;
  std::fill_n(dx, planes * in_plane, 0.0f);
  // Windows do not overlap, so each input receives at most one gradient.
  for (std::size_t plane = 0; plane < planes; ++plane)
    for (std::size_t i = 0; i < out_plane; ++i)
      dx[plane * in_plane + static_cast<std::size_t>(argmax[plane * out_plane + i])] =
        dy[plane * out_plane + i];
}

} // namespace ds::kernels
