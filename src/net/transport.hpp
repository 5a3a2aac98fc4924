#pragma once
/// The interface a rank uses to exchange buffers with its peers, by rank number.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dsflow/buffer.hpp"
#include "dsflow/memory.hpp"
#include "net/net_error.hpp"

namespace ds::net {

/// Tags at or above this value are reserved for the transport's own protocol.
inline constexpr std::uint64_t max_user_tag = (std::uint64_t{1} << 62) - 1;

/// What a finished `send` or `recv` reports to its handler.
struct completion {
  int peer = -1;
  std::uint64_t tag = 0;
  /// The received bytes (a `recv` that succeeded); empty for a `send`, whose
  /// buffer the transport has released by the time the handler runs.
  buffer payload;
  /// Set when the operation failed; names the call, provider, peer and tag.
  std::optional<net_error> error;

  bool ok() const noexcept { return !error.has_value(); }
};

/// Called once per operation, on a thread the transport owns (see `transport`).
using completion_handler = std::function<void(completion)>;

/// Counters of one transport; all monotonic since construction.
struct transport_stats {
  std::uint64_t eager_sends = 0;         ///< payloads sent as one tagged message
  std::uint64_t rma_sends = 0;           ///< payloads read by the receiver (zero-copy)
  std::uint64_t bytes_sent = 0;          ///< payload bytes of completed sends
  std::uint64_t bytes_received = 0;      ///< payload bytes of completed receives
  std::uint64_t registrations = 0;       ///< memory blocks registered with the fabric
  std::uint64_t registration_hits = 0;   ///< lookups answered by the registration cache
  std::uint64_t eagain_retries = 0;      ///< posts retried after FI_EAGAIN
};

/// One rank's connection to the other ranks of a job.
///
/// Life cycle: construct, publish `local_address()` through the rendezvous,
/// call `add_peers()` once with every rank's address (this rank's own included;
/// its position is this rank's number), then `send`/`recv` freely, then destroy.
///
/// Matching and order: a `recv(peer, tag)` takes the next message that `peer`
/// sent with `tag`. Messages of one (sender, tag) pair complete their receives
/// in the order they were sent, whatever their sizes; different tags and
/// different peers are independent.
///
/// Threading contract:
/// - `send`, `recv`, `stats` and `local_address` may be called from any thread,
///   concurrently. They never block on the network and never run a handler
///   inline: they queue the operation and return.
/// - Handlers run on one thread owned by the transport (the progress thread of
///   `libfabric_transport`, the delivery thread of the others), one at a time.
///   A handler must be short and must not block: forward the completion to its
///   owner (e.g. send a message to an actor) and return. It may call `send` and
///   `recv` on the same transport. It must not destroy the transport.
/// - The destructor fails every unfinished operation with `net_errc::closed`
///   (handlers run before it returns), then joins the thread. Destroy it from
///   any thread but the transport's own.
///
/// Ownership: `send` keeps its handle to `payload` until the operation is
/// finished (for a large payload: until the receiver acknowledged reading it),
/// and the bytes must not change meanwhile. A received buffer belongs to the
/// handler; it comes from the `pool` passed to `recv`, which must outlive the
/// transport's use of it.
class transport {
public:
  virtual ~transport() = default;

  /// This rank's endpoint name: opaque bytes for the rendezvous to exchange.
  virtual std::vector<std::byte> local_address() const = 0;

  /// Connects to every rank. Throws `net_error` (`invalid_argument` when this
  /// rank's own address is missing or an address is malformed or of another
  /// provider; `fabric` when the provider refuses one), naming the rank.
  virtual void add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) = 0;

  /// This rank's number and the job's size (valid after `add_peers`).
  virtual int rank() const = 0;
  virtual int world_size() const = 0;

  /// Sends `payload` to `peer` under `tag` (≤ `max_user_tag`); `on_done` runs
  /// when the buffer is no longer needed. Throws `net_error`
  /// (`invalid_argument`) for a bad peer or tag; every later failure arrives
  /// through `on_done`.
  virtual void send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done) = 0;

  /// Receives the next message from `peer` under `tag` into a buffer from
  /// `pool`. Throws `net_error` (`invalid_argument`) for a bad peer or tag.
  virtual void recv(int peer, std::uint64_t tag, memory_pool& pool,
                    completion_handler on_done) = 0;

  /// Receives the next message from `peer` under `tag` into `destination`, which must
  /// stay untouched until the handler runs; the completion's payload is `destination`.
  /// A message of another size fails with `invalid_argument` naming both sizes. The
  /// transports in memory receive into a scratch block and copy (`recv_into_by_copy`);
  /// `libfabric_transport` reads a large payload straight into `destination` (which must
  /// come from a `memory_pool`, so that it can be registered). Throws as `recv`.
  virtual void recv_into(int peer, std::uint64_t tag, buffer destination,
                         completion_handler on_done) = 0;

  virtual transport_stats stats() const = 0;

  /// A short name for logs, e.g. "libfabric(tcp;ofi_rxm)" or "inproc".
  virtual std::string name() const = 0;

  /// Conveniences for tests and tools: the handler fulfils a future.
  std::future<completion> send(int peer, std::uint64_t tag, buffer payload);
  std::future<completion> recv(int peer, std::uint64_t tag, memory_pool& pool);

  /// Declares `peer` lost: the launcher found its process dead or silent
  /// (`ds::launch::session::on_peer_lost`). Every unfinished send to it and receive
  /// from it, and every later one, fails with `peer_failed` naming the rank and
  /// `reason`; every watcher (a collective in progress, which needs all ranks) is told
  /// at once. Only the first call per peer counts. Any thread, including a handler.
  void fail_peer(int peer, const std::string& reason);
  /// The error of the first peer declared lost, if any.
  std::optional<net_error> lost_peer() const;

  using loss_watcher = std::function<void(const net_error&)>;
  /// Calls `watcher` when a peer is declared lost (at once, on this thread, when one
  /// already was), on the thread that calls `fail_peer`; it must be short and must not
  /// call `fail_peer`, `watch_losses` or `unwatch_losses`. Returns the id for
  /// `unwatch_losses`.
  std::uint64_t watch_losses(loss_watcher watcher);
  /// Stops calling a watcher; after it returns the watcher is not running and will not run.
  void unwatch_losses(std::uint64_t id);

protected:
  /// `recv_into` as a `recv` into a scratch block plus a copy. It is not the default body
  /// of `recv_into` on purpose: with no virtual function defined out of line, every user of
  /// this interface (libdsflow's cross-rank links too) has its own copy of the vtable and
  /// type info, and needs nothing of this library at link time.
  void recv_into_by_copy(int peer, std::uint64_t tag, buffer destination,
                         completion_handler on_done);

  /// Fails this implementation's unfinished and later operations with `peer`, each with
  /// `lost_peer_error(call, peer, tag, reason)`; handlers run as usual (on the transport's
  /// thread, never inline). Called once per peer, by `fail_peer`.
  virtual void fail_operations_with(int peer, const std::string& reason) = 0;

private:
  // One mutex for all three: watchers run under it, which is what lets
  // `unwatch_losses` promise that a watcher is not running once it returns.
  mutable std::mutex loss_mutex_;
  std::set<int> lost_peers_;
  std::optional<net_error> first_loss_;
  std::map<std::uint64_t, loss_watcher> watchers_;
  std::uint64_t next_watcher_ = 0;
};

/// Waits for `result` at most `timeout`; throws `net_error` (`closed`) naming
/// `what` on timeout, so a test that would hang fails instead.
completion wait_for(std::future<completion>& result, std::chrono::milliseconds timeout,
                    const std::string& what);

/// The error of an operation with a peer declared lost (`peer_failed`), e.g.
/// `recv (peer 2, tag 7): rank 2 was declared lost: rank 2 died (...)`.
net_error lost_peer_error(const std::string& call, int peer, std::uint64_t tag,
                          const std::string& reason);

/// Throws `net_error` (`invalid_argument`) unless 0 ≤ peer < world_size and
/// tag ≤ max_user_tag; `call` names the operation in the message.
void check_peer_and_tag(const char* call, int peer, std::uint64_t tag, int world_size);

} // namespace ds::net
