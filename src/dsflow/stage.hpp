#pragma once
/// The stage API: what a custom actor implements. No CAF types here.

#include <cstdint>
#include <string>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

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
  int rank = 0;        ///< the rank (process) it runs on
  int world_size = 1;  ///< ranks in the job
  /// The stage's copies across ranks and this one's index: a stage on every
  /// rank (the default) has `world_size` data-parallel copies, each taking its
  /// share of the data; a stage pinned with `rank:` is the only copy (0 of 1).
  int copy = 0;
  int copies = 1;
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

  /// Records an input the stage chose to drop (e.g. a corrupt record under
  /// `on_corrupt: skip`); every such line appears in the run summary, so
  /// nothing is dropped silently. `what` names the record and the reason.
  void report_skipped(std::string what) { skipped_.push_back(std::move(what)); }
  /// The skipped-record reports not yet collected (the runtime drains them).
  std::vector<std::string> take_skipped() { return std::exchange(skipped_, {}); }

  /// True in `close` when the input ended early because an interrupt stopped a source
  /// upstream (the first SIGINT drains), not at its natural end: a stage that groups input
  /// (a batcher) then knows its last, partial group is not a real one.
  bool input_cut_short() const noexcept { return input_cut_short_; }
  /// Set by the runtime (for a source: when it is stopped while it still had items).
  void mark_input_cut_short() noexcept { input_cut_short_ = true; }

private:
  const stage_config& config_;
  replica_metrics& metrics_;
  memory_pools& pools_;
  const logger& log_;
  placement where_;
  const stage_schema& schema_;
  std::uint64_t total_items_ = 0;
  std::vector<std::string> skipped_;
  bool input_cut_short_ = false;
};

/// Thrown by a stage when the run cannot go on (a restart would fail the same
/// way), e.g. corrupt input under `on_corrupt: fail`. The runtime stops the run
/// with this message, naming the stage; it neither restarts nor retries.
class stage_fatal_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
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

  /// False while the stage must hear from a feedback input before it can take more regular
  /// input (compute waiting for the parameters of the previous step). The runtime then
  /// delivers only feedback items; regular items wait in the queue with their credits held,
  /// so upstream stays bounded by the window. Queried between calls, never during one.
  virtual bool ready_for_input() const { return true; }
};

/// A stage with no inputs. The runtime calls `produce` whenever every output
/// edge has credit; it emits zero or more items and returns false once done.
class source : public stage {
public:
  virtual bool produce(emitter& out) = 0;
  void process(const item&, emitter&) final;
};

} // namespace ds
