#include "idx_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace ds::pack {

namespace {

/// Closes the gzFile on every path out of `read_idx`.
class gz_file {
public:
  explicit gz_file(const std::string& path) : file_(gzopen(path.c_str(), "rb")) {}
  ~gz_file() {
    if (file_ != nullptr)
      gzclose(file_);
  }
  gz_file(const gz_file&) = delete;
  gz_file& operator=(const gz_file&) = delete;

  gzFile get() const noexcept { return file_; }

  /// Reads up to `size` bytes; returns how many were read, throws on a zlib error.
  std::size_t read(std::byte* out, std::size_t size, const std::string& path) {
    std::size_t total = 0;
    while (total < size) {
      // gzread takes an unsigned count: read huge files in 1 GiB steps.
      auto step = static_cast<unsigned>(std::min<std::size_t>(size - total, std::size_t{1} << 30));
      int got = gzread(file_, out + total, step);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw std::runtime_error(path + ": cannot read (" + message + ")");
      }
      if (got == 0)
        break;
      total += static_cast<std::size_t>(got);
    }
    return total;
  }

private:
  gzFile file_;
};

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", value);
  return text;
}

std::uint32_t big_endian(const std::array<std::byte, 4>& bytes) {
  std::uint32_t value = 0;
  for (auto byte : bytes)
    value = (value << 8) | std::to_integer<std::uint32_t>(byte);
  return value;
}

} // namespace

std::size_t idx_array::record_size() const noexcept {
  std::size_t size = 1;
  for (std::size_t i = 1; i < dims.size(); ++i)
    size *= static_cast<std::size_t>(dims[i]);
  return size;
}

idx_array read_idx(const std::string& path, std::optional<int> rank) {
  gz_file file{path};
  if (file.get() == nullptr)
    throw std::runtime_error(path + ": cannot open");
  std::array<std::byte, 4> word{};
  if (file.read(word.data(), word.size(), path) != word.size())
    throw std::runtime_error(path + ": not an IDX file (shorter than its 4-byte magic)");
  auto magic = big_endian(word);
  if ((magic >> 16) != 0)
    throw std::runtime_error(path + ": not an IDX file (magic " + hex(magic)
                             + " does not start with two zero bytes)");
  if (((magic >> 8) & 0xff) != 0x08)
    throw std::runtime_error(path + ": IDX element type " + hex((magic >> 8) & 0xff)
                             + " is not supported (only 0x08, unsigned bytes)");
  auto dim_count = static_cast<int>(magic & 0xff);
  if (rank && dim_count != *rank)
    throw std::runtime_error(path + ": magic " + hex(magic) + " says " + std::to_string(dim_count)
                             + " dimensions, expected "
                             + hex(0x0800u | static_cast<unsigned>(*rank))
                             + " (" + std::to_string(*rank) + " dimensions)");
  if (dim_count == 0)
    throw std::runtime_error(path + ": IDX file with zero dimensions");
  idx_array result;
  std::size_t total = 1;
  for (int i = 0; i < dim_count; ++i) {
    if (file.read(word.data(), word.size(), path) != word.size())
      throw std::runtime_error(path + ": truncated header (dimension " + std::to_string(i + 1)
                               + " of " + std::to_string(dim_count) + " missing)");
    auto dim = big_endian(word);
    if (dim == 0)
      throw std::runtime_error(path + ": dimension " + std::to_string(i + 1) + " is zero");
    if (total > std::numeric_limits<std::size_t>::max() / dim)
      throw std::runtime_error(path + ": dimensions overflow the address space");
    total *= dim;
    result.dims.push_back(dim);
  }
  result.data.resize(total);
  auto got = file.read(result.data.data(), total, path);
  if (got != total)
    throw std::runtime_error(path + ": truncated data (" + std::to_string(got) + " of "
                             + std::to_string(total) + " bytes the dimensions promise)");
  std::byte extra{};
  if (file.read(&extra, 1, path) != 0)
    throw std::runtime_error(path + ": trailing bytes after the " + std::to_string(total)
                             + " data bytes the dimensions promise");
  return result;
}

} // namespace ds::pack
