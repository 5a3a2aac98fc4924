#include "input/shard_reader.hpp"

#include <algorithm>

#include "dsflow/messages.hpp"
#include "input/dataset_key.hpp"

namespace ds::actors {

stage_schema shard_reader::schema() {
  return schema_builder("shard_reader", "Reads each requested record's stored bytes from its shard.")
    .input("in", "sample_ref", "records to read")
    .output("out", "record", "the records' bytes as stored (still encoded)")
    .key_string("dataset", std::nullopt, {}, "folder of *.dsshard files (made by ds-pack)")
    .key_int("read_ahead_mb", 256, 0, 1 << 20, "shard bytes to ask the OS to read ahead at open");
}

void shard_reader::open(context& ctx) {
  dataset_ = open_dataset_of(ctx);
  pool_ = &ctx.pools().host();
  out_ = ctx.output("out");
  auto budget = static_cast<std::uint64_t>(ctx.config().get_int("read_ahead_mb")) << 20;
  for (const auto& shard : dataset_->shards()) {
    if (budget == 0)
      break;
    auto size = dataset_->store()->size(shard.path());
    dataset_->store()->will_need(shard.path(), 0, std::min(size, budget));
    budget -= std::min(size, budget);
  }
}

void shard_reader::process(const item& in, emitter& out) {
  const auto& ref = message_as<sample_ref>(in.payload);
  if (ref.shard >= dataset_->shards().size())
    throw stage_fatal_error("sample_ref names shard " + std::to_string(ref.shard) + " but '"
                            + dataset_->folder() + "' has "
                            + std::to_string(dataset_->shards().size()));
  const auto& shard = dataset_->shards()[ref.shard];
  auto where = shard.location(ref.record);
  auto bytes = pool_->allocate(where.length);
  shard.read_record(ref.record, bytes.bytes());
  auto rec = std::make_shared<record>();
  rec->epoch = ref.epoch;
  rec->sequence = ref.sequence;
  rec->shard = ref.shard;
  rec->index = ref.record;
  rec->bytes = std::move(bytes);
  out.emit(out_, std::move(rec));
}

} // namespace ds::actors
