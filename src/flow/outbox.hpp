#pragma once
/// Credit-based routing of a replica's output to the replicas that consume it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "flow/link_sender.hpp"

namespace ds::flow {

/// The output side of one stage replica.
///
/// Each output port feeds one group per consuming stage; each group holds one
/// route per replica of that stage, each route with its own credit window. An
/// item emitted on a port goes to every group (fan-out), and within a group to
/// the route with the most free credits. With no credit anywhere in a group the
/// item waits in that group's queue: the replica is then `blocked()` and must
/// not process more input, so memory stays bounded by the windows.
/// Not thread-safe: owned by one replica.
class outbox {
public:
  /// Adds a port; returns its index (ports are added in schema order).
  std::uint32_t add_port();
  /// Adds a consumer group to `port`; `needs_gaps`: forward gap items to it.
  std::size_t add_group(std::uint32_t port, bool needs_gaps);
  /// Adds a route to a consumer replica with `window` initial credits.
  route_id add_route(std::uint32_t port, std::size_t group, std::uint32_t window);

  /// Sends or queues `it` for every group of `port`. A gap item (no payload)
  /// goes only to groups that need gaps.
  void push(std::uint32_t port, const item& it, link_sender& sender);
  /// Returns `count` credits to `route` and sends what was waiting for them.
  void add_credit(route_id route, std::uint32_t count, link_sender& sender);
  /// Ends the stream on every route. Only valid when `!blocked()`.
  void send_end_of_stream(link_sender& sender, bool cut = false);

  bool blocked() const noexcept { return queued_items_ > 0; }
  std::size_t queued_items() const noexcept { return queued_items_; }
  std::size_t port_count() const noexcept { return ports_.size(); }
  bool port_connected(std::uint32_t port) const noexcept { return !ports_[port].empty(); }
  /// True when any consumer of `port` needs gap items.
  bool port_needs_gaps(std::uint32_t port) const noexcept;
  /// Items sent on `route` and not yet credited back (for tests and metrics).
  std::uint32_t in_flight(route_id route) const noexcept;

private:
  struct route {
    std::uint32_t credits;
    std::uint32_t window;
    std::size_t port;
    std::size_t group;
  };
  struct group {
    std::vector<route_id> routes;
    std::deque<item> waiting;
    bool needs_gaps;
  };

  /// The route of `g` with the most credits, or none when all are at zero.
  route* best_route(group& g, route_id& chosen);
  void drain(group& g, link_sender& sender);

  std::vector<std::vector<group>> ports_;
  std::vector<route> routes_;
  std::size_t queued_items_ = 0;
};

} // namespace ds::flow
