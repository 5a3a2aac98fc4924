#pragma once
/// The stage API: what a custom actor implements. No CAF types here.

#include <cstdint>
#include <string>
#include <string_view>

#include "dsflow/item.hpp"
#include "dsflow/logger.hpp"
#include "dsflow/memory.hpp"
#include "dsflow/metrics.hpp"
#include "dsflow/schema.hpp"
#include "dsflow/stage_config.hpp"

namespace ds {

/// Index of an output port, resolved once in `open` to keep `emit` cheap.
using port_id = std::uint32_t;

/// Where a replica runs.
struct placement {
  int rank = 0;
  int world_size = 1;
  std::string device = "cpu";
  std::uint32_t replica = 0;
  std::uint32_t replicas = 1;
};

/// Receives what a stage produces. Emitted messages must match the port type.
class emitter {
public:
  virtual ~emitter() = default;
  /// Emits `msg` on `port`; throws `std::logic_error` naming the port when the
  /// message type differs from the port's declared type.
  virtual void emit(port_id port, message_ptr msg) = 0;
};

/// What the runtime gives a stage replica: config, metrics, pools, logger, place.
class context {
public:
  context(const stage_config& config, replica_metrics& metrics, memory_pools& pools,
          const logger& log, placement where, const stage_schema& schema)
    : config_(config), metrics_(metrics), pools_(pools), log_(log), where_(std::move(where)),
      schema_(schema) {}

  const stage_config& config() const noexcept { return config_; }
  replica_metrics& metrics() noexcept { return metrics_; }
  memory_pools& pools() noexcept { return pools_; }
  const logger& log() const noexcept { return log_; }
  const placement& where() const noexcept { return where_; }
  const std::string& stage_name() const noexcept { return config_.stage_name(); }

  /// Resolves an output port by name; throws `std::invalid_argument` listing
  /// the declared ports when there is none of that name.
  port_id output(std::string_view port) const;

  /// A source states how many items it will produce (for progress display).
  void declare_total_items(std::uint64_t total) noexcept { total_items_ = total; }
  std::uint64_t declared_total_items() const noexcept { return total_items_; }

private:
  const stage_config& config_;
  replica_metrics& metrics_;
  memory_pools& pools_;
  const logger& log_;
  placement where_;
  const stage_schema& schema_;
  std::uint64_t total_items_ = 0;
};

/// A processing step. The runtime calls `open` once per (re)start, then
/// `process` for each input item on one thread at a time, then `close` at end
/// of stream. Throwing from any of them is a stage failure: the supervisor
/// restarts the replica (a fresh instance) and retries the item once.
class stage {
public:
  virtual ~stage() = default;
  virtual void open(context& ctx) { (void) ctx; }
  virtual void process(const item& in, emitter& out) = 0;
  virtual void close(emitter& out) { (void) out; }
};

/// A stage with no inputs. The runtime calls `produce` whenever every output
/// edge has credit; it emits zero or more items and returns false once done.
class source : public stage {
public:
  virtual bool produce(emitter& out) = 0;
  void process(const item&, emitter&) final;
};

} // namespace ds
