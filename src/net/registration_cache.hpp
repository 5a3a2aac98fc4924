#pragma once
/// Memory registrations kept per pool block, so each block is registered once.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "dsflow/buffer.hpp"

struct fid_domain;
struct fid_mr;

namespace ds::net {

/// What a transfer needs to know of a registered buffer.
struct registered_range {
  void* descriptor = nullptr;         ///< fi_mr_desc, for FI_MR_LOCAL providers
  std::uint64_t key = 0;              ///< fi_mr_key, for the peer's RMA
  std::uint64_t remote_address = 0;   ///< what the peer passes to fi_read for `data()`
};

/// Registers whole pool blocks (`buffer::block()`) with a domain on first use
/// and answers later lookups for any slice of them from the cache.
///
/// A block freed by its pool (a block-free listener) has its registration
/// dropped at once, so a new block at the same address is registered afresh;
/// the `fi_close` itself is deferred to `close_released`, on the owner's thread.
///
/// Threading: `lookup` and `close_released` only on the thread that owns the
/// domain; the free listener may run on any thread.
class registration_cache {
public:
  registration_cache(fid_domain* domain, std::string provider, bool virtual_addresses,
                     bool provider_keys);
  /// Closes every registration. The domain must still be open.
  ~registration_cache();
  registration_cache(const registration_cache&) = delete;
  registration_cache& operator=(const registration_cache&) = delete;

  /// The registration covering `payload` (host memory from a pool). Throws
  /// `net_error` for device memory or a failed `fi_mr_reg`.
  registered_range lookup(const buffer& payload);
  /// Closes registrations of blocks freed since the last call.
  void close_released() noexcept;

  std::uint64_t registrations() const noexcept { return registrations_; }
  std::uint64_t hits() const noexcept { return hits_; }

private:
  struct entry {
    fid_mr* region;
    std::size_t size;
  };

  fid_domain* domain_;
  std::string provider_;
  bool virtual_addresses_;
  bool provider_keys_;
  std::uint64_t next_requested_key_ = 1;
  std::uint64_t registrations_ = 0;
  std::uint64_t hits_ = 0;
  std::mutex mutex_;  ///< guards entries_ and released_ against the free listener
  std::map<const std::byte*, entry> entries_;
  std::vector<fid_mr*> released_;
  std::uint64_t listener_id_ = 0;
};

} // namespace ds::net
