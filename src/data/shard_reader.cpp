#include "data/shard_reader.hpp"

#include <algorithm>
#include <cstring>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/shard_header.hpp"

namespace ds::data {

namespace {

std::string hex(std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string result = "0x";
  for (int shift = 60; shift >= 0; shift -= 4)
    result += digits[(value >> shift) & 0xf];
  return result;
}

bool starts_with_magic(std::span<const std::byte> bytes, const char (&magic)[8]) {
  // An empty or short file matches a prefix of the magic: it is reported as
  // truncated, not as some other file type.
  return bytes.empty() || std::memcmp(bytes.data(), magic, std::min<std::size_t>(bytes.size(), 8)) == 0;
}

} // namespace

shard_reader::shard_reader(std::shared_ptr<storage> store, std::string path)
  : store_(std::move(store)), path_(std::move(path)) {
  auto fail = [this](const std::string& what) { return shard_error{path_ + ": " + what}; };
  auto file_size = store_->size(path_);
  auto smallest = header_prefix_size + checksum_size + footer_size;

  // Magic and version first, so another file type or version gets its own
  // message rather than a checksum mismatch.
  std::vector<std::byte> prefix(std::min<std::uint64_t>(file_size, header_prefix_size));
  store_->read(path_, 0, prefix);
  if (!starts_with_magic(prefix, shard_magic))
    throw fail("not a dsflow shard (no DSSHARD magic at byte 0)");
  if (prefix.size() < header_prefix_size)
    throw fail("truncated: " + std::to_string(file_size) + " bytes, a shard has at least "
               + std::to_string(smallest));
  byte_reader get{prefix};
  get.bytes("magic", 8);
  auto version = get.u32("version");
  if (version != shard_version)
    throw fail("version " + std::to_string(version) + ", this dsflow reads version "
               + std::to_string(shard_version));
  auto header_length = get.u32("header length");
  if (file_size < smallest)
    throw fail("truncated: " + std::to_string(file_size) + " bytes, a shard has at least "
               + std::to_string(smallest));
  if (header_length < header_prefix_size + checksum_size || header_length > file_size - footer_size)
    throw fail("header length " + std::to_string(header_length) + " does not fit a file of "
               + std::to_string(file_size) + " bytes (truncated?)");

  std::vector<std::byte> header(header_length);
  store_->read(path_, 0, header);
  auto body = std::span<const std::byte>{header}.first(header_length - checksum_size);
  auto stored_sum = byte_reader{std::span<const std::byte>{header}.last(checksum_size)}.u64("sum");
  if (auto sum = xxh64(body); sum != stored_sum)
    throw fail("header checksum mismatch (stored " + hex(stored_sum) + ", computed " + hex(sum)
               + ")");
  fields_ = decode_fields(header, path_);

  std::vector<std::byte> footer(footer_size);
  store_->read(path_, file_size - footer_size, footer);
  byte_reader tail{footer};
  auto count = tail.u64("record count");
  auto index_offset = tail.u64("index offset");
  auto index_sum = tail.u64("index checksum");
  if (!starts_with_magic(tail.bytes("index magic", 8), index_magic))
    throw fail("no DSINDEX magic in the last 8 bytes (truncated, or the writer never finished)");
  // The index lies between the last record and the footer's checksum.
  auto index_room = file_size - footer_size;
  if (index_offset < header_length || index_offset > index_room
      || count != (index_room - index_offset) / 8 || (index_room - index_offset) % 8 != 0)
    throw fail("index of " + std::to_string(count) + " records at offset "
               + std::to_string(index_offset) + " does not fit a file of "
               + std::to_string(file_size) + " bytes (truncated?)");

  // The index checksum covers the offsets, the record count and the index offset.
  std::vector<std::byte> index(index_room - index_offset + 16);
  store_->read(path_, index_offset, index);
  if (auto sum = xxh64(index); sum != index_sum)
    throw fail("index checksum mismatch (stored " + hex(index_sum) + ", computed " + hex(sum)
               + ")");
  byte_reader offsets{index};
  locations_.resize(count);
  auto minimum = fields_.size() * field_entry_prefix_size + checksum_size;
  for (std::uint64_t i = 0; i < count; ++i)
    locations_[i].offset = offsets.u64("record offset");
  for (std::uint64_t i = 0; i < count; ++i) {
    auto& location = locations_[i];
    auto end = i + 1 < count ? locations_[i + 1].offset : index_offset;
    if ((i == 0 && location.offset != header_length) || location.offset > end
        || end - location.offset < minimum)
      throw fail("record " + std::to_string(i) + ": offset " + std::to_string(location.offset)
                 + " to " + std::to_string(end) + " is not a record (records follow the header"
                 + " back to back, each at least " + std::to_string(minimum) + " bytes)");
    location.length = end - location.offset;
  }
  if (count == 0 && index_offset != header_length)
    throw fail(std::to_string(index_offset - header_length)
               + " bytes between the header and the index of an empty shard");
}

record_location shard_reader::location(std::uint64_t record) const {
  if (record >= locations_.size())
    throw shard_error{path_ + ": record " + std::to_string(record) + " out of range (the shard has "
                      + std::to_string(locations_.size()) + " records)"};
  return locations_[record];
}

void shard_reader::read_record(std::uint64_t record, std::span<std::byte> out) const {
  auto where = location(record);
  if (out.size() != where.length)
    throw shard_error{path_ + ": record " + std::to_string(record) + ": buffer of "
                      + std::to_string(out.size()) + " bytes for a record of "
                      + std::to_string(where.length)};
  store_->read(path_, where.offset, out);
}

} // namespace ds::data
