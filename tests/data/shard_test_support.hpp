#pragma once
// Helpers shared by the data tests and the test-vector generator.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../support/test_text.hpp"
#include "data/shard_writer.hpp"

namespace ds::test {

/// A fresh folder under the system temp folder, unique per process and name.
inline std::filesystem::path scratch_folder(const std::string& name) {
  auto folder = std::filesystem::temp_directory_path()
                / ("dsflow-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  return folder;
}

inline std::vector<std::byte> to_bytes(std::string_view text) {
  auto view = std::as_bytes(std::span{text.data(), text.size()});
  return {view.begin(), view.end()};
}

template <class T>
std::vector<std::byte> to_bytes(const std::vector<T>& values) {
  auto view = std::as_bytes(std::span{values});
  return {view.begin(), view.end()};
}

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::vector<char> chars{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  auto view = std::as_bytes(std::span{chars});
  return {view.begin(), view.end()};
}

inline void write_file(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline data::field_spec make_field(std::string name, dtype type, std::vector<std::int64_t> shape,
                                   codecs::codec_id codec = codecs::codec_id::raw) {
  data::field_spec field;
  field.name = std::move(name);
  field.type = type;
  field.shape = std::move(shape);
  field.codec = codec;
  return field;
}

/// Writes a shard of `records`, each one value per field.
inline void write_shard(const std::filesystem::path& path, std::vector<data::field_spec> fields,
                        const std::vector<std::vector<std::vector<std::byte>>>& records) {
  data::shard_writer writer{path.string(), std::move(fields)};
  for (const auto& record : records) {
    std::vector<std::span<const std::byte>> values(record.begin(), record.end());
    writer.add(values);
  }
  writer.finish();
}

} // namespace ds::test
