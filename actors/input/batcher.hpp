#pragma once
/// `batcher`: samples in sequence order → fixed-size batches of tensors.

#include <map>
#include <string>
#include <vector>

#include "dsflow/messages.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"
#include "input/field_transform.hpp"

namespace ds::actors {

/// Gathers `batch_size` samples (delivered in sequence order by the runtime,
/// so batches are the same whatever the decoder replica count) into one
/// tensor per field with a leading batch dimension, applying each field's
/// transform on the way. A batch never spans two epochs. Every sample of a
/// field must have the same shape; a different one stops the run naming the
/// shard and record.
class batcher final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;

private:
  struct field_slot {
    std::string name;
    dtype in_type;
    dtype out_type;
    std::vector<std::int64_t> shape;  ///< one sample's
    std::size_t elements = 0;         ///< per sample
    field_transform transform;
    buffer storage;                   ///< the batch being filled
  };

  void start_batch(const ds::sample& first);
  void emit_batch(emitter& out);

  memory_pool* pool_ = nullptr;
  port_id out_ = 0;
  std::size_t batch_size_ = 1;
  bool drop_last_ = false;
  std::map<std::string, field_transform> transforms_;
  std::vector<field_slot> slots_;
  std::size_t filled_ = 0;
  std::uint32_t epoch_ = 0;
  std::uint64_t step_ = 0;
  std::uint64_t sequence_end_ = 0;
  context* ctx_ = nullptr;
  counter* dropped_ = nullptr;
};

} // namespace ds::actors
