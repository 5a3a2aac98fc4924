#pragma once
/// A transport wrapper that drops, delays or fails chosen sends and kills peers.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/handler_thread.hpp"
#include "net/transport.hpp"

namespace ds::net {

/// Wraps any transport (in memory or libfabric) to inject faults for tests.
///
/// Sends are numbered from 1 in the order `send` is called on this wrapper.
/// A fault is armed for one send number:
/// - `drop_send(n)`: send n never reaches the inner transport, and its handler
///   reports success — a message lost on the wire, as the sender sees it;
/// - `fail_send(n)`: send n is not sent and its handler reports
///   `net_errc::injected`;
/// - `delay_send(n, d)`: send n reaches the inner transport `d` later (later
///   sends to the same peer and tag are held behind it, so order holds).
///
/// `kill_peer(p)` makes peer p dead from now on: sends to it and receives from
/// it fail with `peer_failed`, including receives already waiting.
///
/// Threading: as `transport`. Every handler — injected or forwarded from the
/// inner transport — runs on this wrapper's own handler thread, one at a time.
class fault_injecting_transport final : public transport {
public:
  explicit fault_injecting_transport(std::unique_ptr<transport> inner);
  /// Destroys the inner transport (its unfinished operations fail with
  /// `closed`), fails sends still being delayed with `closed`, then joins.
  ~fault_injecting_transport() override;

  using transport::recv;
  using transport::send;

  void drop_send(std::uint64_t send_number);
  void fail_send(std::uint64_t send_number);
  void delay_send(std::uint64_t send_number, std::chrono::milliseconds delay);
  void kill_peer(int peer);
  /// Sends seen so far (the number the next send gets, minus one).
  std::uint64_t sends_seen() const;

  std::vector<std::byte> local_address() const override { return inner_->local_address(); }
  void add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) override {
    inner_->add_peers(std::move(addresses_by_rank));
  }
  int rank() const override { return inner_->rank(); }
  int world_size() const override { return inner_->world_size(); }
  void send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done) override;
  void recv(int peer, std::uint64_t tag, memory_pool& pool, completion_handler on_done) override;
  void recv_into(int peer, std::uint64_t tag, buffer destination,
                 completion_handler on_done) override {
    recv_into_by_copy(peer, tag, std::move(destination), std::move(on_done));
  }
  transport_stats stats() const override { return inner_->stats(); }
  std::string name() const override { return "fault_injecting(" + inner_->name() + ")"; }

protected:
  void fail_operations_with(int peer, const std::string& reason) override;

private:
  enum class fault { none, drop, fail, delay };
  struct armed_fault {
    fault kind = fault::none;
    std::chrono::milliseconds delay{0};
  };
  struct pending_recv {
    int peer;
    std::uint64_t tag;
    completion_handler on_done;
  };
  struct held_send {
    std::uint64_t tag;
    buffer payload;
    completion_handler on_done;
  };
  using route = std::pair<int, std::uint64_t>;

  void forward_send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done);
  void release_held(route key);
  /// Marks `peer` dead: its waiting receives and all later operations fail with `why`.
  void mark_dead(int peer, const std::string& why);
  void finish_recv(std::uint64_t id, completion done);
  completion dead_peer(int peer, std::uint64_t tag, const char* call) const;

  std::unique_ptr<transport> inner_;
  mutable std::mutex mutex_;
  std::uint64_t sends_seen_ = 0;
  std::map<std::uint64_t, armed_fault> faults_;
  std::map<int, std::string> dead_peers_;  ///< rank → the text its failures carry
  std::uint64_t next_recv_id_ = 0;
  std::map<std::uint64_t, pending_recv> pending_recvs_;
  std::map<route, std::vector<held_send>> held_;  ///< sends queued behind a delayed one
  bool closing_ = false;
  handler_thread handlers_{"fault_injecting"};
};

} // namespace ds::net
