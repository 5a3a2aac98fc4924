#include "data/shard_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

#include "checksum.hpp"
#include "data/byte_io.hpp"
#include "data/shard_header.hpp"

namespace ds::data {

shard_writer::shard_writer(std::string path, std::vector<field_spec> fields)
  : path_(std::move(path)), temp_path_(path_ + ".tmp"), fields_(std::move(fields)),
    raw_bytes_(fields_.size()), stored_bytes_(fields_.size()) {
  if (auto problem = check_fields(fields_); !problem.empty())
    throw std::runtime_error{path_ + ": " + problem};
  std::vector<std::byte> header;
  try {
    header = encode_header(fields_);
  } catch (const std::length_error& error) {
    throw std::runtime_error{path_ + ": " + error.what()};
  }
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr)
    throw std::runtime_error{"cannot create " + temp_path_ + ": " + std::strerror(errno)};
  write(header);
}

shard_writer::~shard_writer() {
  if (file_ == nullptr)
    return;
  std::fclose(file_);
  std::remove(temp_path_.c_str());
}

void shard_writer::write(std::span<const std::byte> bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw std::runtime_error{"cannot write " + temp_path_ + " at offset "
                             + std::to_string(position_) + ": " + std::strerror(errno)};
  position_ += bytes.size();
}

void shard_writer::add(const std::vector<std::span<const std::byte>>& values) {
  auto record = offsets_.size();
  auto fail = [&](const std::string& what) {
    return std::runtime_error{path_ + ": record " + std::to_string(record) + ": " + what};
  };
  if (file_ == nullptr)
    throw fail("the shard is already finished");
  if (values.size() != fields_.size())
    throw fail(std::to_string(values.size()) + " values for " + std::to_string(fields_.size())
               + " fields");
  scratch_.clear();
  byte_writer put{scratch_};
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto& field = fields_[i];
    auto value = values[i];
    auto in_field = [&](const std::string& what) { return fail("field '" + field.name + "': " + what); };
    auto unit = fixed_bytes(field);
    auto variable = has_variable_dimension(field);
    if (value.size() > std::numeric_limits<std::uint32_t>::max())
      throw in_field(std::to_string(value.size()) + " bytes, a value holds at most 4 GiB");
    if ((!variable && value.size() != unit)
        || (variable && (unit == 0 ? !value.empty() : value.size() % unit != 0)))
      throw in_field(std::to_string(value.size()) + " bytes do not fit the shape "
                     + shape_to_string(field.shape) + " of " + std::string{to_string(field.type)}
                     + (variable ? " (a multiple of " : " (exactly ") + std::to_string(unit)
                     + " bytes)");
    auto entry = scratch_.size();
    put.u32(static_cast<std::uint32_t>(value.size()));
    put.u32(0);  // stored_size, patched once encoded
    put.u8(static_cast<std::uint8_t>(field.codec));
    auto codec_id = field.codec;
    if (codec_id != codecs::codec_id::raw) {
      const auto* codec = codecs::find_codec(codec_id);
      if (codec == nullptr)
        throw in_field("codec id " + std::to_string(static_cast<unsigned>(codec_id))
                       + " is not built into this dsflow");
      auto params = field.params;
      params.dictionary = field.dictionary;
      if (auto status = codec->encode(value, params, scratch_); !status)
        throw in_field(std::string{codec->name()} + ": " + status.to_string());
      // Encoding that does not shrink a value (a one-byte label, noise) is
      // dropped: the value is stored raw, which every reader can decode.
      if (scratch_.size() - entry - field_entry_prefix_size >= value.size()) {
        scratch_.resize(entry + field_entry_prefix_size);
        scratch_[entry + 8] = std::byte{static_cast<std::uint8_t>(codecs::codec_id::raw)};
        codec_id = codecs::codec_id::raw;
      }
    }
    if (codec_id == codecs::codec_id::raw)
      put.bytes(value);
    auto stored = scratch_.size() - entry - field_entry_prefix_size;
    put.patch_u32(entry + 4, static_cast<std::uint32_t>(stored));
    raw_bytes_[i] += value.size();
    stored_bytes_[i] += stored;
  }
  put.u64(xxh64(scratch_));
  offsets_.push_back(position_);
  write(scratch_);
}

void shard_writer::finish() {
  if (file_ == nullptr)
    throw std::runtime_error{path_ + ": finish called twice"};
  scratch_.clear();
  byte_writer put{scratch_};
  auto index_offset = position_;
  for (auto offset : offsets_)
    put.u64(offset);
  put.u64(offsets_.size());
  put.u64(index_offset);
  put.u64(xxh64(scratch_));
  put.bytes(std::as_bytes(std::span{index_magic}));
  write(scratch_);
  // Flushed and synced before the rename, so the name never points at a
  // shard whose bytes are still only in the page cache of a crashed host.
  auto* file = std::exchange(file_, nullptr);
  bool ok = std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
  auto error = errno;
  ok = std::fclose(file) == 0 && ok;
  if (!ok || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    error = ok ? errno : error;
    std::remove(temp_path_.c_str());
    throw std::runtime_error{"cannot finish " + path_ + ": " + std::strerror(error)};
  }
}

} // namespace ds::data
