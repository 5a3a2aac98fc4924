#pragma once
/// A transport between threads of one process, for unit tests.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/transport.hpp"

namespace ds::net {

class inproc_hub;

/// Ranks that are endpoints of one `inproc_hub`, in one process.
///
/// It behaves as `libfabric_transport` does — same matching, order, errors and
/// threading contract — but moves buffer handles: the receiver gets the very
/// block the sender sent (no byte is copied, and `pool` in `recv` is unused).
/// A send of at most `eager_threshold` bytes finishes once queued at the
/// receiver; a larger one finishes when a `recv` has taken it, as a zero-copy
/// send finishes on the receiver's ack. Sending to an endpoint that was
/// destroyed fails with `peer_failed`.
class inproc_transport final : public transport {
public:
  explicit inproc_transport(std::shared_ptr<inproc_hub> hub,
                            std::size_t eager_threshold = 16 * 1024);
  ~inproc_transport() override;

  using transport::recv;
  using transport::send;

  std::vector<std::byte> local_address() const override;
  void add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) override;
  int rank() const override;
  int world_size() const override;
  void send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done) override;
  void recv(int peer, std::uint64_t tag, memory_pool& pool, completion_handler on_done) override;
  void recv_into(int peer, std::uint64_t tag, buffer destination,
                 completion_handler on_done) override {
    recv_into_by_copy(peer, tag, std::move(destination), std::move(on_done));
  }
  transport_stats stats() const override;
  std::string name() const override { return "inproc"; }

  struct endpoint;

protected:
  void fail_operations_with(int peer, const std::string& reason) override;

private:
  std::shared_ptr<inproc_hub> hub_;
  std::shared_ptr<endpoint> self_;
};

/// Makes the shared state the endpoints of one test meet in.
std::shared_ptr<inproc_hub> make_inproc_hub();

/// Makes `world_size` connected endpoints (addresses exchanged), rank i at index i.
std::vector<std::unique_ptr<transport>> make_inproc_world(int world_size,
                                                          std::size_t eager_threshold = 16 * 1024);

} // namespace ds::net
