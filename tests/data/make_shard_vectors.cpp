// Writes the shard test vectors and their descriptions into a folder:
//   make_shard_vectors tests/data/shards
// Run after a deliberate format change (with a version bump); shard_vectors_test
// fails until the checked-in vectors match what this writes.

#include <exception>
#include <fstream>
#include <iostream>

#include "shard_test_support.hpp"
#include "shard_vectors.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_shard_vectors FOLDER\n";
    return 2;
  }
  try {
    std::filesystem::path folder{argv[1]};
    for (const auto& vector : ds::test::make_shard_vectors(ds::test::scratch_folder("vectors"))) {
      ds::test::write_file(folder / vector.name, vector.bytes);
      std::ofstream{(folder / vector.name).replace_extension(".txt")} << vector.description;
    }
  } catch (const std::exception& error) {
    std::cerr << "make_shard_vectors: " << error.what() << '\n';
    return 1;
  }
}
