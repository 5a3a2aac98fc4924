#pragma once
/// Shard bytes held in memory: for tests, fuzzing and tools that build shards
/// without touching the disk.

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "data/storage.hpp"

namespace ds::data {

/// Named byte vectors behind the `storage` interface. Thread-safe.
class memory_storage final : public storage {
public:
  /// Adds or replaces `object`.
  void put(const std::string& object, std::vector<std::byte> bytes);

  /// Throws `storage_error` naming an object that was never put.
  std::uint64_t size(const std::string& object) override;
  /// Throws `storage_error` naming the object and range past its end.
  void read(const std::string& object, std::uint64_t offset, std::span<std::byte> out) override;

private:
  const std::vector<std::byte>& find(const std::string& object) const;

  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::byte>> objects_;
};

} // namespace ds::data
