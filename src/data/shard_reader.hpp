#pragma once
/// Reading a shard: validated header and index, records by number in O(1).

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/shard_format.hpp"
#include "data/storage.hpp"

namespace ds::data {

/// A shard is truncated, corrupt or of another version. The message names the
/// file, the record (when there is one) and what is wrong.
class shard_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// One field of one record, still encoded.
struct encoded_field {
  codecs::codec_id codec = codecs::codec_id::raw;
  std::uint32_t raw_size = 0;
  std::span<const std::byte> stored;  ///< points into the record's bytes
};

/// The header and index of one shard, read once; records are then fetched by
/// number through `storage`. Thread-safe after construction (read-only).
class shard_reader {
public:
  /// Reads and checks magic, version, header checksum, footer and index (four
  /// reads, whatever the record count); throws `shard_error` naming `path` and
  /// the problem, or `storage_error` when the file cannot be read at all.
  shard_reader(std::shared_ptr<storage> store, std::string path);

  const std::string& path() const noexcept { return path_; }
  const std::vector<field_spec>& fields() const noexcept { return fields_; }
  std::uint64_t record_count() const noexcept { return locations_.size(); }
  /// Throws `shard_error` for a record number past the end.
  record_location location(std::uint64_t record) const;

  /// Reads record `record`'s bytes as stored (fields, then checksum) into
  /// `out`, which must be `location(record).length` bytes. Throws
  /// `storage_error` / `shard_error`.
  void read_record(std::uint64_t record, std::span<std::byte> out) const;

  /// Verifies the checksum of a record's bytes (exactly `location(record).length`
  /// of them) and every size against the record and the field's shape, then
  /// splits them into fields; throws `shard_error` naming the file, the record
  /// and what is wrong. Never reads outside `bytes`.
  std::vector<encoded_field> parse_record(std::uint64_t record,
                                          std::span<const std::byte> bytes) const;

private:
  std::shared_ptr<storage> store_;
  std::string path_;
  std::vector<field_spec> fields_;
  std::vector<record_location> locations_;
};

} // namespace ds::data
