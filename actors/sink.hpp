#pragma once
/// `sink`: the end of a pipeline; counts, checks order and checksums.

#include <cstdint>
#include <optional>

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Consumes blobs in sequence order (the runtime restores it), verifies each
/// digest, and at the end checks the count. A corrupt blob throws (the item
/// is retried, then reported); a wrong count or order fails the run at close.
class sink final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;
  void close(emitter& out) override;

private:
  bool verify_ = true;
  std::int64_t expect_count_ = -1;
  std::optional<item_key> last_;
  counter* received_ = nullptr;  ///< kept in the replica's metrics: survives a restart
  counter* checked_ = nullptr;
  const logger* log_ = nullptr;
};

} // namespace ds::actors
