#include "input/decoder.hpp"

#include "dsflow/messages.hpp"
#include "input/dataset_key.hpp"
#include "input/record_decoding.hpp"

namespace ds::actors {

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
  auto decoded = std::make_shared<sample>();
  decoded->epoch = rec.epoch;
  decoded->sequence = rec.sequence;
  decoded->shard = rec.shard;
  decoded->index = rec.index;
  try {
    decoded->fields = decode_record(dataset_->shards()[rec.shard], rec.index, rec.bytes.bytes(), *pool_);
  } catch (const corrupt_record& corrupt) {
    if (!skip_corrupt_)
      throw stage_fatal_error(corrupt.what());
    skipped_->add();
    ctx_->report_skipped(corrupt.what());
    return;
  }
  out.emit(out_, std::move(decoded));
}

} // namespace ds::actors
