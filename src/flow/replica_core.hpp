#pragma once
/// One stage replica's life without the actor around it: input, output, keys, failures.

#include <chrono>
#include <deque>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline_plan.hpp"
#include "dsflow/stage.hpp"
#include "flow/input_queue.hpp"
#include "flow/outbox.hpp"

namespace ds::flow {

/// What a replica needs to know about its place in the graph.
struct replica_setup {
  const stage_plan* plan = nullptr;
  std::uint32_t replica = 0;
  replica_metrics* metrics = nullptr;
  memory_pools* pools = nullptr;
  placement where;
  std::size_t upstream_links = 0;  ///< producer replicas that will end their stream here
  /// Per inbound link: whether it feeds a feedback input (empty = none does).
  std::vector<bool> feedback_inbounds;
};

/// The state machine of one stage replica, driven by its actor.
///
/// The actor feeds events in (`receive`, `credit`, `upstream_ended`, `restart`)
/// and calls `pump` to do work; everything that leaves goes through the
/// `link_sender`. Feedback links (a loop's closing edge) are served first and
/// do not hold back `close`; after `close` the replica discards what still
/// arrives on them until they end, so their producer never blocks on credit. Output keys: sources and ordered stages number each port's
/// output densely; other stages keep the input's key (one output), split it into
/// parts (several), or forward a gap (none) so ordered consumers downstream
/// never wait for a key that will not come. Not thread-safe.
class replica_core final : private emitter {
public:
  enum class state {
    starting,  ///< `start` not yet called
    running,
    failed,    ///< the stage threw; waiting for the supervisor's `restart`
    finished,  ///< closed and end of stream sent
  };

  replica_core(replica_setup setup, link_sender& sender);
  ~replica_core() override;

  outbox& routes() noexcept { return outbox_; }

  /// Opens the stage. Afterwards check `current_state()` (open may fail).
  void start();
  void receive(inbound_id from, item it);
  void credit(route_id route, std::uint32_t count);
  /// `cut`: that stream was stopped early by an interrupt (see `context::input_cut_short`).
  void upstream_ended(inbound_id from, bool cut = false);
  /// Sources stop producing and close (first SIGINT).
  void stop_producing();
  /// Replaces the stage with a fresh instance, opens it and retries the item
  /// that was in flight (once; a second failure reports it as failed).
  void restart();

  /// Does up to `budget` units of work; returns true when more work is ready
  /// right now (the actor should yield and call again).
  bool pump(std::size_t budget);

  state current_state() const noexcept { return state_; }
  /// Why the stage failed last (valid in state `failed`).
  const std::string& failure() const noexcept { return failure_; }
  /// A failure that restarting cannot mend (a source, or `close`).
  bool failure_is_final() const noexcept { return failure_is_final_; }
  /// Items given up after their retry, as "item 12.0: reason" lines; cleared.
  std::vector<std::string> take_failed_items();
  /// Inputs the stage chose to drop (`context::report_skipped`); cleared.
  std::vector<std::string> take_skipped_items();
  std::uint64_t declared_total_items() const noexcept;
  const std::string& name() const noexcept { return log_.name(); }

private:
  enum class phase { idle, busy, blocked };

  void emit(port_id port, message_ptr msg) override;
  void open_stage();
  void process_next(bool feedback);
  bool is_feedback(inbound_id from) const noexcept;
  bool all_regular_ended() const noexcept;
  void discard_after_close();
  void process_entry(queued_item entry, int attempt);
  void produce_once();
  void close_stage();
  void forward_outputs(const item_key* input_key);
  void forward_gap(const item_key& key);
  void return_credit(inbound_id from, bool flush_all);
  void flush_credits();
  void fail(std::string what, bool final);
  void enter(phase next);
  bool renumbers() const noexcept;

  replica_setup setup_;
  link_sender& sender_;
  logger log_;
  context context_;
  std::unique_ptr<stage> stage_;
  source* source_ = nullptr;
  outbox outbox_;
  input_queue inputs_;
  std::deque<queued_item> feedback_;  ///< feedback items, delivered ahead of `inputs_`
  std::vector<std::string> port_types_;
  std::vector<std::vector<message_ptr>> emitted_;  ///< per port, during one call
  std::vector<std::uint64_t> next_seq_;           ///< per port, when renumbering
  std::vector<std::uint32_t> pending_credits_;    ///< per inbound link
  std::uint32_t credit_batch_ = 1;
  std::size_t upstream_ended_ = 0;
  std::size_t feedback_links_ = 0;
  std::size_t feedback_ended_ = 0;
  bool end_sent_ = false;
  bool producing_ = true;
  bool closed_ = false;
  state state_ = state::starting;
  std::optional<queued_item> in_flight_;
  int in_flight_attempts_ = 0;
  std::string failure_;
  bool failure_is_final_ = false;
  std::vector<std::string> failed_items_;
  phase phase_ = phase::idle;
  std::chrono::steady_clock::time_point phase_since_;
};

} // namespace ds::flow
