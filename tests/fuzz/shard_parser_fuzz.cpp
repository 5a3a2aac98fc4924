// Fuzz target for the shard parser: the input is a whole shard file. Opening it
// and parsing every record must end in success or a shard_error; anything else
// (a crash, an out-of-bounds read, a storage_error from reading past the file's
// end, another exception) is a finding. Seeds: tests/data/fuzz/shard_parser_fuzz/,
// copies of tests/data/shards/.
//
// Most mutations are caught by a checksum, which would leave the checks behind
// it unexercised; so each input also runs a second time with every checksum
// recomputed to match the mutated bytes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/memory_storage.hpp"
#include "data/shard_reader.hpp"

namespace {

using bytes = std::vector<std::byte>;

std::uint64_t u64_at(const bytes& file, std::size_t at) {
  return ds::data::byte_reader{std::span{file}.subspan(at, 8)}.u64("u64");
}

void put_u64_at(bytes& file, std::size_t at, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i)
    file[at + i] = static_cast<std::byte>(value >> (8 * i));
}

/// Recomputes the header and index checksums where the stored lengths allow.
void repair_checksums(bytes& file) {
  if (file.size() < 32)
    return;
  auto header_length = u64_at(file, 12) & 0xffffffffu;
  if (header_length >= 8 && header_length <= file.size())
    put_u64_at(file, header_length - 8,
               ds::xxh64(std::span{file}.first(header_length - 8)));
  auto index_offset = u64_at(file, file.size() - 24);
  if (index_offset <= file.size() - 16)
    put_u64_at(file, file.size() - 16,
               ds::xxh64(std::span{file}.subspan(index_offset, file.size() - 16 - index_offset)));
}

void parse_all(const bytes& file, bool fix_record_checksums) {
  auto store = std::make_shared<ds::data::memory_storage>();
  store->put("fuzz.dsshard", file);
  try {
    ds::data::shard_reader reader{store, "fuzz.dsshard"};
    bytes record;
    for (std::uint64_t i = 0; i < reader.record_count(); ++i) {
      record.resize(reader.location(i).length);
      reader.read_record(i, record);
      if (fix_record_checksums && record.size() >= 8)
        put_u64_at(record, record.size() - 8,
                   ds::xxh64(std::span{record}.first(record.size() - 8)));
      try {
        reader.parse_record(i, record);
      } catch (const ds::data::shard_error&) {
        // A bad record does not stop the others from being parsed.
      }
    }
  } catch (const ds::data::shard_error&) {
    // Refusing the file is the expected answer to most inputs.
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto* first = reinterpret_cast<const std::byte*>(data);
  bytes file(first, first + size);
  parse_all(file, false);
  repair_checksums(file);
  parse_all(file, true);
  return 0;
}
