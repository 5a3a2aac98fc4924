#pragma once
/// Where shard bytes come from: local files now; cache tiers and remote stores later.

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace ds::data {

/// A read failed: names the object, the byte range and the cause.
class storage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Random-access reads of named objects (shard files). Thread-safe: replicas
/// of the shard reader share one instance.
class storage {
public:
  virtual ~storage() = default;
  /// Size of `object` in bytes; throws `storage_error` when it cannot be opened.
  virtual std::uint64_t size(const std::string& object) = 0;
  /// Fills `out` with the bytes at `offset`; throws `storage_error` on a short
  /// read or an I/O error (never returns partial data).
  virtual void read(const std::string& object, std::uint64_t offset, std::span<std::byte> out) = 0;
  /// A hint that these bytes will be read soon (read-ahead); may do nothing.
  virtual void will_need(const std::string& object, std::uint64_t offset, std::uint64_t length) {
    (void) object, (void) offset, (void) length;
  }
};

/// Local files through `pread`, with a cache of open descriptors, and
/// `posix_fadvise(WILLNEED)` for read-ahead.
std::shared_ptr<storage> make_local_storage();

} // namespace ds::data
