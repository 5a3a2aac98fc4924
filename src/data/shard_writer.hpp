#pragma once
/// Writing a shard: header with the field schema, records, index footer.

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "data/shard_format.hpp"

namespace ds::data {

/// Writes one shard file. Records are encoded with their field's codec and
/// checksummed; `finish` writes the index footer and renames the temporary
/// file into place, so a crashed writer never leaves a valid-looking shard.
/// Throws `std::runtime_error` naming the file (and record) on any failure;
/// after a write error the writer is to be destroyed, not finished.
/// A value whose encoding is not smaller than the value is stored raw
/// (codec id 0 in that record). Not thread-safe.
class shard_writer {
public:
  shard_writer(std::string path, std::vector<field_spec> fields);
  ~shard_writer();  ///< removes the temporary file when `finish` was not called
  shard_writer(const shard_writer&) = delete;
  shard_writer& operator=(const shard_writer&) = delete;

  /// Appends one record: one raw value per field, in field order. A value's
  /// size must match its field's fixed shape (variable dimensions take any size).
  void add(const std::vector<std::span<const std::byte>>& values);
  void finish();

  std::uint64_t records() const noexcept { return offsets_.size(); }
  /// Raw and stored bytes so far, per field (for the compression report).
  const std::vector<std::uint64_t>& raw_bytes() const noexcept { return raw_bytes_; }
  const std::vector<std::uint64_t>& stored_bytes() const noexcept { return stored_bytes_; }

private:
  void write(std::span<const std::byte> bytes);

  std::string path_;
  std::string temp_path_;
  std::vector<field_spec> fields_;
  std::FILE* file_ = nullptr;
  std::uint64_t position_ = 0;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint64_t> raw_bytes_;
  std::vector<std::uint64_t> stored_bytes_;
  std::vector<std::byte> scratch_;
};

} // namespace ds::data
