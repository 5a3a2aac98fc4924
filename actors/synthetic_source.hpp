#pragma once
/// `synthetic_source`: N blobs of a given size, optionally rate-limited.

#include <chrono>
#include <cstdint>

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Emits `count` blobs of `size` bytes filled with a pattern derived from
/// (`seed`, sequence number), each carrying its xxh64 digest, so a `sink` can
/// verify that nothing was corrupted or reordered on the way.
class synthetic_source final : public source {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  bool produce(emitter& out) override;

private:
  memory_pool* pool_ = nullptr;
  port_id out_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t seed_ = 0;
  bool fill_ = true;
  double rate_ = 0;
  std::uint64_t produced_ = 0;
  std::chrono::steady_clock::time_point started_;
};

/// Fills `bytes` with the pattern for item `seq` (also used by tests).
void fill_pattern(std::span<std::byte> bytes, std::uint64_t seed, std::uint64_t seq) noexcept;

} // namespace ds::actors
