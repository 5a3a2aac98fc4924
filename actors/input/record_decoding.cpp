#include "input/record_decoding.hpp"

#include "codec.hpp"

namespace ds::actors {
namespace {

std::string record_name(const data::shard_reader& shard, std::uint64_t record) {
  return shard.path() + ": record " + std::to_string(record);
}

/// The field's shape for this record: a variable dimension (-1) takes what
/// the raw size leaves for it.
std::vector<std::int64_t> record_shape(const data::field_spec& field, std::uint32_t raw_size,
                                       const std::string& where) {
  std::int64_t fixed = 1;
  int variable = -1;
  for (std::size_t d = 0; d < field.shape.size(); ++d) {
    if (field.shape[d] < 0)
      variable = static_cast<int>(d);
    else
      fixed *= field.shape[d];
  }
  auto elements = static_cast<std::int64_t>(raw_size / size_of(field.type));
  if (raw_size % size_of(field.type) != 0 || (fixed != 0 && elements % fixed != 0)
      || (variable < 0 && elements != fixed))
    throw corrupt_record(where + ": field '" + field.name + "' has " + std::to_string(raw_size)
                         + " bytes, which does not fit its shape");
  auto shape = field.shape;
  if (variable >= 0)
    shape[static_cast<std::size_t>(variable)] = fixed == 0 ? 0 : elements / fixed;
  return shape;
}

} // namespace

std::vector<std::pair<std::string, tensor>> decode_record(const data::shard_reader& shard,
                                                          std::uint64_t index,
                                                          std::span<const std::byte> stored,
                                                          memory_pool& pool) {
  std::vector<data::encoded_field> fields;
  try {
    fields = shard.parse_record(index, stored);
  } catch (const data::shard_error& e) {
    throw corrupt_record(e.what());  // already names the file and the record
  }
  const auto where = record_name(shard, index);
  std::vector<std::pair<std::string, tensor>> decoded;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const auto& spec = shard.fields()[f];
    const auto& encoded = fields[f];
    const auto* codec = codecs::find_codec(encoded.codec);
    if (codec == nullptr)
      throw corrupt_record(where + ": field '" + spec.name + "' names unknown codec id "
                           + std::to_string(static_cast<int>(encoded.codec)));
    auto shape = record_shape(spec, encoded.raw_size, where);
    auto bytes = pool.allocate(encoded.raw_size);
    auto params = spec.params;
    params.dictionary = spec.dictionary;
    if (auto status = codec->decode(encoded.stored, params, bytes.bytes()); !status)
      throw corrupt_record(where + ": field '" + spec.name + "' (" + std::string(codec->name())
                           + "): " + status.to_string());
    decoded.emplace_back(spec.name, tensor{std::move(bytes), spec.type, std::move(shape)});
  }
  return decoded;
}

} // namespace ds::actors
