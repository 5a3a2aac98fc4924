#pragma once
/// `batch_sink`: the end of a data-only pipeline; counts batches and fingerprints them.

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Consumes batches in order, counts batches and samples, and chains an xxh64
/// over every field's bytes: two runs that made the same batches end with the
/// same `batch_digest` (logged at close and kept as a custom metric), whatever
/// their replica counts. Checks `expect_batches` / `expect_samples` at close.
class batch_sink final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;

private:
  std::int64_t expect_batches_ = -1;
  std::int64_t expect_samples_ = -1;
  counter* batches_ = nullptr;  ///< counters live in the replica's metrics: they survive restarts
  counter* samples_ = nullptr;
  counter* digest_ = nullptr;
  const logger* log_ = nullptr;
};

} // namespace ds::actors
