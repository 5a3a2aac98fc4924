#pragma once
// The checked-in shard test vectors (tests/data/shards/), built by code so a
// test can rebuild them and catch any change to the encoding.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace ds::test {

struct shard_vector {
  std::string name;         ///< file name, "mixed.dsshard"
  std::string description;  ///< the content of the `.txt` next to it
  std::vector<std::byte> bytes;
};

/// Every vector, good ones first. Writes temporary shards under `scratch`.
std::vector<shard_vector> make_shard_vectors(const std::filesystem::path& scratch);

} // namespace ds::test
