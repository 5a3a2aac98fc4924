#pragma once
/// The sampler's order: a deterministic shuffle per epoch, partitioned across ranks.

#include <cstdint>
#include <string>
#include <vector>

namespace ds::actors {

/// How records that do not divide evenly across ranks are handled.
enum class partition_mode : std::uint8_t {
  pad,   ///< every rank gets ceil(N / world) records; the last few repeat from the start
  drop,  ///< every rank gets floor(N / world) records; the remainder is left out
};

/// Where a sampler is: enough to continue the exact order after a restart.
struct sampler_state {
  std::uint32_t epoch = 0;
  std::uint64_t position = 0;  ///< next position within this rank's slice of the epoch
  std::uint64_t seed = 0;
  std::uint64_t dataset_size = 0;
  std::uint32_t rank = 0;
  std::uint32_t world_size = 1;

  /// "sampler-v1 epoch=E position=P seed=S size=N rank=R world=W"
  std::string to_text() const;
  /// Parses `to_text`'s format; throws `std::invalid_argument` naming the problem.
  static sampler_state from_text(const std::string& text);
};

/// The record order of one rank, epoch after epoch.
///
/// Epoch e's order is a Fisher–Yates shuffle driven by xoshiro256** seeded
/// from (seed, e) — our own generator and bounded draw, so the order is the
/// same on every platform and standard library. Rank r takes positions
/// r, r + W, r + 2W, ... of that order: the ranks' slices are disjoint and of
/// equal length, so no rank waits for another at the end of an epoch.
/// Not thread-safe (one per sampler).
class sampler_order {
public:
  /// Throws `std::invalid_argument` for an empty dataset, rank ≥ world, or a
  /// `drop` partition that leaves a rank with nothing.
  sampler_order(std::uint64_t dataset_size, std::uint64_t seed, bool shuffle, std::uint32_t rank,
                std::uint32_t world_size, partition_mode mode);

  /// Records this rank visits per epoch.
  std::uint64_t per_rank() const noexcept { return per_rank_; }
  /// The dataset index at `position` of this rank's slice of `epoch`.
  std::uint64_t at(std::uint32_t epoch, std::uint64_t position);

  /// The next index, advancing the position (and the epoch at its end).
  std::uint64_t next();
  sampler_state state() const;
  /// Continues from `saved`; throws `std::invalid_argument` naming the field
  /// when it belongs to another dataset size, seed, rank or world size.
  void restore(const sampler_state& saved);

private:
  void build_epoch(std::uint32_t epoch);

  std::uint64_t size_;
  std::uint64_t seed_;
  bool shuffle_;
  std::uint32_t rank_;
  std::uint32_t world_;
  std::uint64_t per_rank_;
  std::uint32_t epoch_ = 0;
  std::uint64_t position_ = 0;
  std::uint32_t built_epoch_ = 0;
  bool built_ = false;
  std::vector<std::uint64_t> order_;
};

} // namespace ds::actors
