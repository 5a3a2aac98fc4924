#pragma once
/// A stored record's bytes → its decoded fields: what the decoder stage does per record,
/// shared with stages that read a dataset themselves (the evaluator).

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "data/shard_reader.hpp"
#include "dsflow/memory.hpp"
#include "dsflow/tensor.hpp"

namespace ds::actors {

/// A record that fails its checksum, its sizes or its codec; the message names the shard
/// file, the record and the field.
class corrupt_record : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Verifies record `index` of `shard` (its stored `bytes`) and decodes every field into a
/// buffer of `pool`. Throws corrupt_record.
std::vector<std::pair<std::string, tensor>> decode_record(const data::shard_reader& shard,
                                                          std::uint64_t index,
                                                          std::span<const std::byte> bytes,
                                                          memory_pool& pool);

} // namespace ds::actors
