#pragma once
// A small dataset of {image: u8[4,4] zstd, label: u8 raw} records in a fresh temporary
// folder, for tests that run the input or training pipeline on real shards.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>

#include "data/shard_writer.hpp"

namespace ds::test {

struct image_label {
  std::array<std::uint8_t, 16> image{};
  std::uint8_t label = 0;
};

/// Writes `shards` shards of `per_shard` records; record r (counted over all shards) is
/// `make(r)`. Returns the folder (under the temp directory, unique per process and `name`).
inline std::string write_image_label_dataset(const std::string& name, std::uint64_t shards,
                                             std::uint64_t per_shard,
                                             const std::function<image_label(std::uint64_t)>& make) {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("dsflow-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<data::field_spec> fields(2);
  fields[0].name = "image";
  fields[0].type = dtype::u8;
  fields[0].shape = {4, 4};
  fields[0].codec = codecs::codec_id::zstd;
  fields[1].name = "label";
  fields[1].type = dtype::u8;
  fields[1].codec = codecs::codec_id::raw;
  for (std::uint64_t s = 0; s < shards; ++s) {
    data::shard_writer writer{(dir / ("part-" + std::to_string(s) + ".dsshard")).string(), fields};
    for (std::uint64_t r = 0; r < per_shard; ++r) {
      const auto record = make(s * per_shard + r);
      writer.add({std::as_bytes(std::span{record.image}), std::as_bytes(std::span{&record.label, 1})});
    }
    writer.finish();
  }
  return dir.string();
}

/// `records` learnable records: class r % classes lights up its own quarter of the 4×4 image
/// (bright rows), every pixel gets deterministic noise. A small MLP learns it in a few epochs.
inline std::string write_blobs_dataset(const std::string& name, std::uint64_t records, int classes) {
  std::uint64_t noise = 12345;
  return write_image_label_dataset(name, 1, records, [&](std::uint64_t r) {
    image_label made;
    made.label = static_cast<std::uint8_t>(r % static_cast<std::uint64_t>(classes));
    for (std::size_t i = 0; i < 16; ++i) {
      noise = noise * 6364136223846793005ULL + 1442695040888963407ULL;
      const int lit = static_cast<int>(i) / 4 == made.label ? 150 : 40;
      made.image[i] = static_cast<std::uint8_t>(lit + static_cast<int>((noise >> 33) % 90));
    }
    return made;
  });
}

} // namespace ds::test
