#pragma once
/// `shard_reader`: fetches each requested record's stored bytes.

#include <memory>

#include "data/dataset.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Reads the record a `sample_ref` names into a pool buffer, through the
/// dataset's storage (local files now; cache tiers later implement the same
/// interface). On open it hints the OS to read the shards ahead, up to
/// `read_ahead_mb`, so shuffled access is served from memory.
class shard_reader final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;

private:
  std::shared_ptr<const data::dataset> dataset_;
  memory_pool* pool_ = nullptr;
  port_id out_ = 0;
};

} // namespace ds::actors
