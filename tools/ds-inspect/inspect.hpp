#pragma once
// ds-inspect's check of one shard: schema, sizes, and every record verified.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "data/storage.hpp"

namespace ds::inspect {

/// Prints `path`'s header, schema and sizes to `out` and each bad record (or
/// the reason the shard cannot be opened) to `problems`, one line each.
/// Returns the number of problems found; never throws for a bad shard.
std::uint64_t inspect_shard(const std::shared_ptr<data::storage>& store, const std::string& path,
                            std::ostream& out, std::ostream& problems);

} // namespace ds::inspect
