#pragma once
/// The ends of cross-rank edges on this rank: actors that stand in for a replica on another
/// rank, moving items, end of stream and credits over the transport.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/runtime_messages.hpp"

namespace ds::net {
class transport;
}

namespace ds::runtime {

struct link_end_info;

/// Transport tags of cross-rank links: this bit plus the link's number. Collectives keep
/// bit 61 (`net::collective_tag_bit`), so the two never match each other's messages.
inline constexpr std::uint64_t link_tag_bit = std::uint64_t{1} << 60;

/// The link ends of one rank.
///
/// Every rank numbers the cross-rank links of a plan the same way (job_graph.cpp), so link
/// `n` uses tag `link_tag_bit | n` on both ranks. A link's items travel as frames
/// (message_wire.hpp) from the producer's rank; its credits come back on the same tag the
/// other way. A producer replica sends to an *outbound* end as if it were the consumer; a
/// consumer grants credit to an *inbound* end as if it were the producer. Flow control is
/// therefore the local one: the producer never has more items in flight than the window.
///
/// Transport handlers only forward completions to the end's actor, through a gate that
/// `close` shuts before the actor system goes away; decoding happens on the actor.
class remote_links {
public:
  /// `pool` supplies received buffers and frame headers; it and `net` must outlive every
  /// operation the links post (in ds-run: the transport, which is destroyed last).
  remote_links(caf::actor_system& system, net::transport& net, memory_pool& pool,
               caf::actor job);
  ~remote_links();

  /// The stand-in for consumer `inbound` on rank `peer`, fed by local `producer` on `route`.
  caf::actor add_outbound(std::uint64_t link, int peer, caf::actor producer,
                          flow::route_id route, std::string edge);
  /// The stand-in for producer `route` on rank `peer`, feeding local `consumer` on `inbound`.
  caf::actor add_inbound(std::uint64_t link, int peer, caf::actor consumer,
                         flow::inbound_id inbound, std::string edge);

  /// Posts the first receive of every end. Call after the local replicas have their init,
  /// so that nothing from another rank can reach a replica before it.
  void start();
  /// Stops delivering completions to the actors. Operations already posted stay with the
  /// transport (which fails them when it is destroyed); their handlers then do nothing.
  void close();

  /// The ends' actors, which live until the job sends them an exit.
  const std::vector<caf::actor>& actors() const noexcept { return actors_; }
  bool empty() const noexcept { return ends_.empty(); }

private:
  caf::actor add_end(bool outbound, std::uint64_t link, int peer, caf::actor local,
                     std::uint32_t index, std::string edge);

  caf::actor_system& system_;
  net::transport& net_;
  memory_pool& pool_;
  caf::actor job_;
  std::vector<std::shared_ptr<const link_end_info>> ends_;
  std::vector<caf::actor> actors_;
};

} // namespace ds::runtime
