#pragma once
/// `decoder`: verifies each record's checksum and decodes its fields into tensors.

#include <memory>

#include "data/dataset.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Turns a `record` into a `sample`: checks the record's checksum and layout,
/// decodes every field with the codec and dictionary its shard declares, and
/// wraps the bytes as tensors of the field's dtype and shape. Any number of
/// replicas. A corrupt record either stops the run (`on_corrupt: fail`) or is
/// skipped and reported in the run summary (`skip`); never dropped silently.
class decoder final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;

private:
  std::shared_ptr<const data::dataset> dataset_;
  memory_pool* pool_ = nullptr;
  port_id out_ = 0;
  bool skip_corrupt_ = false;
  counter* skipped_ = nullptr;
  context* ctx_ = nullptr;
};

} // namespace ds::actors
