#include "input/decoder.hpp"

#include "codec.hpp"
#include "dsflow/messages.hpp"
#include "input/dataset_key.hpp"

namespace ds::actors {
namespace {

/// Why a record cannot be decoded, naming its shard and record; becomes
/// fatal or a skip report.
struct corrupt_record {
  std::string what;
};

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
    throw corrupt_record{where + ": field '" + field.name + "' has " + std::to_string(raw_size)
                         + " bytes, which does not fit its shape"};
  auto shape = field.shape;
  if (variable >= 0)
    shape[static_cast<std::size_t>(variable)] = fixed == 0 ? 0 : elements / fixed;
  return shape;
}

} // namespace

stage_schema decoder::schema() {
  return schema_builder("decoder",
                        "Verifies each record's checksum and decodes its fields into tensors.")
    .input("in", "record", "records as stored")
    .output("out", "sample", "decoded records: one tensor per field")
    .key_string("dataset", std::nullopt, {}, "folder of *.dsshard files (made by ds-pack)")
    .key_string("on_corrupt", "fail", {"fail", "skip"},
                "a corrupt record: `fail` stops the run naming shard and record; `skip` drops it and reports it in the summary");
}

void decoder::open(context& ctx) {
  dataset_ = open_dataset_of(ctx);
  pool_ = &ctx.pools().host();
  out_ = ctx.output("out");
  skip_corrupt_ = ctx.config().get_string("on_corrupt") == "skip";
  skipped_ = &ctx.metrics().custom("skipped_corrupt");
  ctx_ = &ctx;
}

void decoder::process(const item& in, emitter& out) {
  const auto& rec = message_as<record>(in.payload);
  if (rec.shard >= dataset_->shards().size())
    throw stage_fatal_error("record names shard " + std::to_string(rec.shard) + " but '"
                            + dataset_->folder() + "' has "
                            + std::to_string(dataset_->shards().size()));
  const auto& shard = dataset_->shards()[rec.shard];
  auto decoded = std::make_shared<sample>();
  decoded->epoch = rec.epoch;
  decoded->shard = rec.shard;
  decoded->index = rec.index;
  try {
    std::vector<data::encoded_field> fields;
    try {
      fields = shard.parse_record(rec.index, rec.bytes.bytes());
    } catch (const data::shard_error& e) {
      throw corrupt_record{e.what()};  // already names the file and the record
    }
    const auto where = record_name(shard, rec.index);
    for (std::size_t f = 0; f < fields.size(); ++f) {
      const auto& spec = shard.fields()[f];
      const auto& encoded = fields[f];
      const auto* codec = codecs::find_codec(encoded.codec);
      if (codec == nullptr)
        throw corrupt_record{where + ": field '" + spec.name + "' names unknown codec id "
                             + std::to_string(static_cast<int>(encoded.codec))};
      auto shape = record_shape(spec, encoded.raw_size, where);
      auto bytes = pool_->allocate(encoded.raw_size);
      auto params = spec.params;
      params.dictionary = spec.dictionary;
      if (auto status = codec->decode(encoded.stored, params, bytes.bytes()); !status)
        throw corrupt_record{where + ": field '" + spec.name + "' (" + std::string(codec->name())
                             + "): " + status.to_string()};
      decoded->fields.emplace_back(spec.name, tensor{std::move(bytes), spec.type, std::move(shape)});
    }
  } catch (const corrupt_record& corrupt) {
    if (!skip_corrupt_)
      throw stage_fatal_error(corrupt.what);
    skipped_->add();
    ctx_->report_skipped(corrupt.what);
    return;
  }
  out.emit(out_, std::move(decoded));
}

} // namespace ds::actors
