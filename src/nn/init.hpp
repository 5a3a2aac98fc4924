#pragma once
/// Deterministic weight initialization: a splitmix64 generator, He/Kaiming uniform fill, and
/// a uniform fill of given standard deviation.
///
/// Both are defined here, bit for bit, instead of using `std::uniform_real_distribution`, whose
/// output the standard leaves to the library: the same seed must give the same weights on every
/// platform and compiler, so runs and ranks can be compared and replayed.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ds::nn {

/// Vigna's splitmix64: 64-bit state, passes BigCrush, any seed (including 0) is fine.
/// Not thread-safe; give each thread its own.
class splitmix64 {
public:
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [low, high): the top 24 bits give every float in [0, 1) on a 2^-24 grid.
  float uniform(float low, float high) noexcept {
    const float unit = static_cast<float>(next() >> 40) * 0x1.0p-24f;
    return low + (high - low) * unit;
  }

private:
  std::uint64_t state_;
};

/// Fills `weights` from U(-bound, bound), bound = gain * sqrt(3 / fan_in) (He et al. 2015 in
/// its uniform form; gain sqrt(2) for ReLU-like activations, 1 for a linear output), drawing
/// in element order. `fan_in` must be > 0.
inline void he_uniform(std::span<float> weights, std::size_t fan_in, float gain,
                       splitmix64& rng) noexcept {
  const float bound = gain * std::sqrt(3.0f / static_cast<float>(fan_in));
  for (auto& w : weights)
    w = rng.uniform(-bound, bound);
}

/// Fills `weights` from U(-stddev sqrt(3), stddev sqrt(3)), whose standard deviation is
/// `stddev`, drawing in element order. Transformers use a fixed small one (GPT-2's 0.02)
/// rather than He: their layer norms, not the fan-in, keep activations at unit scale.
inline void uniform_with_std(std::span<float> weights, float stddev, splitmix64& rng) noexcept {
  const float bound = stddev * std::sqrt(3.0f);
  for (auto& w : weights)
    w = rng.uniform(-bound, bound);
}

} // namespace ds::nn
