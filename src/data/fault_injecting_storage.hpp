#pragma once
/// A storage wrapper that corrupts, shortens or fails reads on request, so tests
/// can show each layer above refuses bad bytes (LevelDB's FaultInjectionTestEnv).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/storage.hpp"

namespace ds::data {

/// Forwards to another storage, then applies the faults set for an object.
/// It also counts reads, so tests can show which bytes a component touched.
/// Thread-safe.
class fault_injecting_storage final : public storage {
public:
  explicit fault_injecting_storage(std::shared_ptr<storage> inner);

  /// Every later read covering byte `offset` of `object` sees bit `bit` (0..7) flipped.
  void flip_bit(const std::string& object, std::uint64_t offset, int bit);
  /// `object` appears to be `size` bytes long (if it is longer).
  void truncate(const std::string& object, std::uint64_t size);
  /// While `fail` is true, every size and read of `object` throws `storage_error`.
  void fail_reads(const std::string& object, bool fail);
  /// Forgets every fault (not the counters).
  void heal();

  /// Reads so far (of any object) and the bytes they returned.
  std::uint64_t read_count() const;
  std::uint64_t bytes_read() const;

  std::uint64_t size(const std::string& object) override;
  void read(const std::string& object, std::uint64_t offset, std::span<std::byte> out) override;
  void will_need(const std::string& object, std::uint64_t offset, std::uint64_t length) override;

private:
  struct faults {
    std::vector<std::pair<std::uint64_t, int>> flips;  ///< (offset, bit)
    std::uint64_t size_limit = UINT64_MAX;
    bool failing = false;
  };

  /// A copy, so the inner storage is called without holding the lock.
  faults faults_of(const std::string& object) const;

  std::shared_ptr<storage> inner_;
  mutable std::mutex mutex_;
  std::map<std::string, faults> faults_;
  std::uint64_t read_count_ = 0;
  std::uint64_t bytes_read_ = 0;
};

} // namespace ds::data
