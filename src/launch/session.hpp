#pragma once
/// Joining the job: rendezvous, the address table, liveness of the other ranks, barrier, broadcast.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ds::launch {

struct session_options {
  int rank = 0;
  int world_size = 1;
  std::string coordinator;  ///< "host:port" of rank 0; rank 0 listens on its port
  std::string job_token;    ///< the same secret on every rank; never logged
  /// This rank's transport endpoint address, opaque to the launch layer (libfabric's
  /// `fi_getname` bytes once the transport exists; empty until then). At most 64 KiB.
  std::vector<std::byte> address;
  std::chrono::milliseconds rendezvous_timeout{60000};  ///< runtime.rendezvous_timeout_ms
  std::chrono::milliseconds heartbeat_interval{1000};   ///< runtime.heartbeat_interval_ms
  std::chrono::milliseconds heartbeat_timeout{10000};   ///< runtime.heartbeat_timeout_ms
};

/// One lost rank: `why` is a whole sentence that starts with "rank N", e.g.
/// "rank 2 died (its connection to the coordinator closed without a goodbye)".
struct peer_loss {
  int rank = 0;
  std::string why;
};

/// This process's membership in a job of `world_size` ranks.
///
/// `join` blocks until every rank has joined (or fails); afterwards a background thread
/// sends heartbeats to the coordinator and hears about lost ranks. A session ends with
/// `finish` (this rank is done) or `fail` (this rank failed; the others are told);
/// destroying it without either counts as `fail`. With world_size 1 there is no network
/// at all: the table holds the own address, barrier and broadcast return at once.
///
/// Collectives (`barrier`, `broadcast`) must be called by every rank in the same order,
/// from one thread at a time. The other members may be called from any thread.
class session {
public:
  /// Rank 0 first starts the coordinator on the coordinator's port (see `coordinator`).
  /// Every rank then connects (retrying until the rendezvous timeout), proves the job
  /// token, sends its address, and waits for the table.
  /// Throws `launch_error`: cannot listen or connect, refused (wrong or missing token,
  /// duplicate rank, ...), or timed out, naming the ranks that never arrived.
  static std::unique_ptr<session> join(session_options options);

  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  int rank() const noexcept;
  int world_size() const noexcept;
  /// Every rank's address, indexed by rank (this rank's own included).
  const std::vector<std::vector<std::byte>>& addresses() const noexcept;

  /// Calls `callback(rank, why)` once per lost rank, on the session's thread (or at once,
  /// on the caller's thread, for losses already known). A rank is lost when it dies, stops
  /// sending heartbeats for longer than the heartbeat timeout, or fails; rank 0 is also
  /// lost when the coordinator's connection closes or falls silent. The callback must not
  /// block for long and must not call `finish`/`fail`.
  void on_peer_lost(std::function<void(int rank, const std::string& why)> callback);

  /// The losses so far (empty while every rank is alive).
  std::vector<peer_loss> losses() const;

  /// Returns true when every rank has called `barrier`, false as soon as `stop_waiting`
  /// (polled every 100 ms) returns true. Throws `launch_error` when a rank is lost or after
  /// `timeout`.
  bool barrier(std::chrono::milliseconds timeout, const std::function<bool()>& stop_waiting = {});

  /// Rank `root`'s `data` (at most 1 MiB), on every rank; other ranks' `data` is ignored.
  /// Throws `launch_error` when a rank is lost or after `timeout`.
  std::vector<std::byte> broadcast(int root, std::span<const std::byte> data,
                                   std::chrono::milliseconds timeout);

  /// This rank is done. Rank 0 first waits (it serves the others' heartbeats) until every
  /// other rank has finished or been lost, or `stop_waiting` (polled every 100 ms) returns
  /// true. Idempotent.
  void finish(const std::function<bool()>& stop_waiting = {});

  /// This rank failed: the others are told "rank N failed: why". Idempotent.
  void fail(const std::string& why);

  struct state;

private:
  explicit session(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

} // namespace ds::launch
