#pragma once
/// The seam between flow-control logic and the transport that moves items.

#include <cstdint>

#include "dsflow/item.hpp"

namespace ds::flow {

/// Index of an outgoing link of a replica (one per consumer replica).
using route_id = std::uint32_t;
/// Index of an incoming link of a replica (one per producer replica).
using inbound_id = std::uint32_t;

/// Sends on the links of one replica. The actor wrapper implements it with
/// CAF messages; tests implement it with vectors. Called on the replica's thread.
class link_sender {
public:
  virtual ~link_sender() = default;
  virtual void send_item(route_id route, item it) = 0;
  /// `cut`: the stream ended early (an interrupt stopped a source upstream), not at its
  /// natural end.
  virtual void send_end_of_stream(route_id route, bool cut) = 0;
  virtual void grant_credit(inbound_id inbound, std::uint32_t count) = 0;
  /// Sends what `send_item` may have held back, now: output a stage emits in
  /// the middle of a call (a gradient bucket while backward goes on).
  virtual void flush() {}
};

} // namespace ds::flow
