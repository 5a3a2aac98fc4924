#pragma once
/// The transport over libfabric: tagged messages for small payloads, RMA reads for large ones.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "net/transport.hpp"

namespace ds::net {

/// Knobs of a `libfabric_transport`. Every rank of a job must use the same
/// provider and `eager_threshold` (`add_peers` checks both).
struct libfabric_options {
  /// "tcp;ofi_rxm", "shm", "verbs;ofi_rxm", ... Empty: `FI_PROVIDER`, else "tcp;ofi_rxm".
  std::string provider;
  /// The provider's domain (for tcp: the interface, e.g. "lo"). Empty: its first.
  std::string domain;
  /// Payloads of at most this many bytes go as one tagged message; larger ones
  /// are read by the receiver straight from the sender's memory.
  std::size_t eager_threshold = 16 * 1024;
  /// Receives posted to the provider ahead of arrivals, per (peer, tag); each
  /// holds an `eager_threshold` buffer from the receive's pool.
  std::size_t receive_depth = 8;
  /// Large payloads are read in pieces of at most this size.
  std::size_t rma_chunk = 8 * 1024 * 1024;
  /// Longest sleep of the idle progress thread (it polls: tcp and shm need
  /// manual progress). Bounds the added latency of a message to an idle rank.
  std::chrono::microseconds max_idle_sleep{500};
};

/// The provider a transport would use for `requested`: itself when not
/// empty, else `FI_PROVIDER`, else "tcp;ofi_rxm". A launcher that knows all
/// ranks share a node may pass "shm".
std::string resolve_provider(std::string_view requested);

/// Whether `options.provider` (resolved) can run a transport here; when not,
/// `why` (if given) receives the error naming the provider and code.
bool libfabric_available(const libfabric_options& options, std::string* why = nullptr);

/// A rank's endpoint on a libfabric provider (RDM endpoint, tagged messages, RMA).
///
/// Protocol: a payload of at most `eager_threshold` bytes is sent with
/// `fi_tsend` from the caller's buffer. A larger one is registered (once per
/// pool block), and a 32-byte descriptor (address, length, key) goes instead;
/// the receiver `fi_read`s into a buffer from its pool and acknowledges, and
/// the send finishes on that ack. The send path never copies payload bytes
/// (`ds::payload_bytes_copied()` stays 0, and the buffer stays held until the ack). Transfers in flight when a peer
/// dies fail with the provider's error once the provider notices.
///
/// Threading: as `transport`; handlers run on the progress thread, which is
/// also the only thread that calls libfabric (FI_THREAD_DOMAIN). `send`/`recv`
/// queue work for it and wake it.
class libfabric_transport final : public transport {
public:
  /// Opens the provider and starts the progress thread. Throws `net_error`
  /// naming the failed `fi_*` call and the provider.
  explicit libfabric_transport(libfabric_options options = {});
  ~libfabric_transport() override;

  using transport::recv;
  using transport::send;

  std::vector<std::byte> local_address() const override;
  void add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) override;
  int rank() const override;
  int world_size() const override;
  void send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done) override;
  void recv(int peer, std::uint64_t tag, memory_pool& pool, completion_handler on_done) override;
  void recv_into(int peer, std::uint64_t tag, buffer destination,
                 completion_handler on_done) override;
  transport_stats stats() const override;
  std::string name() const override;

  /// The provider in use, as libfabric names it (e.g. "tcp;ofi_rxm").
  const std::string& provider() const noexcept;

  class engine;

protected:
  void fail_operations_with(int peer, const std::string& reason) override;

private:
  std::unique_ptr<engine> engine_;
};

} // namespace ds::net
