#include "input/sampler_order.hpp"

#include <sstream>
#include <stdexcept>

namespace ds::actors {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// 64×64→128-bit multiply for the unbiased bounded draw (a GCC/Clang extension).
__extension__ using uint128 = unsigned __int128;

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/// xoshiro256**: fast, well tested, and fully specified here.
struct xoshiro256 {
  std::uint64_t s[4];

  explicit xoshiro256(std::uint64_t seed) {
    for (auto& word : s)
      word = splitmix64(seed);
  }
  std::uint64_t operator()() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  /// Uniform in [0, bound) without modulo bias (Lemire's multiply-and-reject).
  std::uint64_t below(std::uint64_t bound) {
    for (;;) {
      auto product = static_cast<uint128>((*this)()) * bound;
      auto low = static_cast<std::uint64_t>(product);
      if (low >= bound || low >= (-bound) % bound)
        return static_cast<std::uint64_t>(product >> 64);
    }
  }
};

} // namespace

sampler_order::sampler_order(std::uint64_t dataset_size, std::uint64_t seed, bool shuffle,
                             std::uint32_t rank, std::uint32_t world_size, partition_mode mode)
  : size_(dataset_size), seed_(seed), shuffle_(shuffle), rank_(rank), world_(world_size) {
  if (size_ == 0)
    throw std::invalid_argument("the dataset has no records");
  if (world_ == 0 || rank_ >= world_)
    throw std::invalid_argument("rank " + std::to_string(rank_) + " is outside world size "
                                + std::to_string(world_));
  per_rank_ = mode == partition_mode::pad ? (size_ + world_ - 1) / world_ : size_ / world_;
  if (per_rank_ == 0)
    throw std::invalid_argument("partition 'drop' leaves no record per rank: "
                                + std::to_string(size_) + " records for "
                                + std::to_string(world_) + " ranks");
}

void sampler_order::build_epoch(std::uint32_t epoch) {
  order_.resize(size_);
  for (std::uint64_t i = 0; i < size_; ++i)
    order_[i] = i;
  if (shuffle_) {
    xoshiro256 rng{seed_ ^ (0xD1B54A32D192ED03ull * (static_cast<std::uint64_t>(epoch) + 1))};
    for (std::uint64_t i = size_ - 1; i > 0; --i)
      std::swap(order_[i], order_[rng.below(i + 1)]);
  }
  built_epoch_ = epoch;
  built_ = true;
}

std::uint64_t sampler_order::at(std::uint32_t epoch, std::uint64_t position) {
  if (!built_ || built_epoch_ != epoch)
    build_epoch(epoch);
  // Padding wraps around to the start of the epoch's order.
  return order_[(rank_ + position * world_) % size_];
}

std::uint64_t sampler_order::next() {
  auto index = at(epoch_, position_);
  if (++position_ == per_rank_) {
    position_ = 0;
    ++epoch_;
  }
  return index;
}

sampler_state sampler_order::state() const {
  return {epoch_, position_, seed_, size_, rank_, world_};
}

void sampler_order::restore(const sampler_state& saved) {
  auto mismatch = [](const char* field, std::uint64_t saved_value, std::uint64_t ours) {
    return std::invalid_argument("sampler state is for " + std::string(field) + " "
                                 + std::to_string(saved_value) + ", this sampler has "
                                 + std::to_string(ours));
  };
  if (saved.dataset_size != size_)
    throw mismatch("dataset size", saved.dataset_size, size_);
  if (saved.seed != seed_)
    throw mismatch("seed", saved.seed, seed_);
  if (saved.rank != rank_)
    throw mismatch("rank", saved.rank, rank_);
  if (saved.world_size != world_)
    throw mismatch("world size", saved.world_size, world_);
  if (saved.position >= per_rank_)
    throw mismatch("position", saved.position, per_rank_);
  epoch_ = saved.epoch;
  position_ = saved.position;
}

std::string sampler_state::to_text() const {
  return "sampler-v1 epoch=" + std::to_string(epoch) + " position=" + std::to_string(position)
         + " seed=" + std::to_string(seed) + " size=" + std::to_string(dataset_size)
         + " rank=" + std::to_string(rank) + " world=" + std::to_string(world_size);
}

sampler_state sampler_state::from_text(const std::string& text) {
  std::istringstream in{text};
  std::string tag;
  in >> tag;
  if (tag != "sampler-v1")
    throw std::invalid_argument("sampler state '" + text + "' does not start with 'sampler-v1'");
  sampler_state state;
  int seen = 0;
  for (std::string field; in >> field;) {
    auto equals = field.find('=');
    if (equals == std::string::npos)
      throw std::invalid_argument("sampler state: '" + field + "' is not name=value");
    auto name = field.substr(0, equals);
    std::uint64_t value = 0;
    try {
      std::size_t used = 0;
      value = std::stoull(field.substr(equals + 1), &used);
      if (used != field.size() - equals - 1)
        throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw std::invalid_argument("sampler state: '" + field + "' has no number");
    }
    if (name == "epoch") state.epoch = static_cast<std::uint32_t>(value);
    else if (name == "position") state.position = value;
    else if (name == "seed") state.seed = value;
    else if (name == "size") state.dataset_size = value;
    else if (name == "rank") state.rank = static_cast<std::uint32_t>(value);
    else if (name == "world") state.world_size = static_cast<std::uint32_t>(value);
    else throw std::invalid_argument("sampler state: unknown field '" + name + "'");
    ++seen;
  }
  if (seen != 6)
    throw std::invalid_argument("sampler state '" + text + "' needs 6 fields, has "
                                + std::to_string(seen));
  return state;
}

} // namespace ds::actors
