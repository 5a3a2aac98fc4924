#include "net/inproc_transport.hpp"

#include <cstring>
#include <deque>
#include <map>
#include <utility>

#include "net/handler_thread.hpp"

namespace ds::net {

class inproc_hub {
public:
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::weak_ptr<inproc_transport::endpoint>> endpoints;
};

std::shared_ptr<inproc_hub> make_inproc_hub() {
  return std::make_shared<inproc_hub>();
}

namespace {

using match_key = std::pair<int, std::uint64_t>;  // (sender rank, tag)

/// A message queued at its receiver before a `recv` took it.
struct arrived_message {
  buffer payload;
  std::uint64_t sender_id = 0;
  completion_handler sender_done;  ///< set while the sender waits for the match (large sends)
};

completion failure(int peer, std::uint64_t tag, net_errc code, const std::string& text) {
  completion done{peer, tag, {}, net_error(code, text + " (" + describe_peer_tag(peer, tag) + ")",
                                          peer, tag)};
  return done;
}

} // namespace

/// One rank's state; every field but `handlers` is guarded by the hub's mutex.
struct inproc_transport::endpoint {
  endpoint(std::uint64_t endpoint_id, std::size_t threshold)
    : id(endpoint_id), eager_threshold(threshold), handlers("inproc#" + std::to_string(id)) {}

  std::uint64_t id;
  std::size_t eager_threshold;
  int rank = -1;
  std::vector<std::uint64_t> peer_ids;
  std::map<match_key, std::deque<arrived_message>> arrived;
  std::map<match_key, std::deque<completion_handler>> posted;
  std::map<int, std::string> lost_peers;  ///< rank → why it was declared lost
  transport_stats stats;
  handler_thread handlers;
};

namespace {

using endpoint = inproc_transport::endpoint;

std::shared_ptr<endpoint> find(inproc_hub& hub, std::uint64_t id) {
  auto found = hub.endpoints.find(id);
  return found == hub.endpoints.end() ? nullptr : found->second.lock();
}

std::vector<std::byte> encode_id(std::uint64_t id) {
  std::vector<std::byte> bytes(sizeof id + 7);
  std::memcpy(bytes.data(), "inproc:", 7);
  std::memcpy(bytes.data() + 7, &id, sizeof id);
  return bytes;
}

std::uint64_t decode_id(const std::vector<std::byte>& bytes, std::size_t rank) {
  std::uint64_t id = 0;
  if (bytes.size() != sizeof id + 7 || std::memcmp(bytes.data(), "inproc:", 7) != 0)
    throw net_error(net_errc::invalid_argument,
                    "inproc add_peers: the address of rank " + std::to_string(rank)
                      + " is not an inproc address (" + std::to_string(bytes.size())
                      + " bytes); every rank of a job must use the same transport",
                    static_cast<int>(rank));
  std::memcpy(&id, bytes.data() + 7, sizeof id);
  return id;
}

/// Counts a finished send and runs its handler on the sender's thread (hub mutex held).
void finish_send(endpoint& sender, int peer, std::uint64_t tag, std::size_t size,
                 completion_handler on_done) {
  sender.stats.bytes_sent += size;
  sender.handlers.post([on_done = std::move(on_done), peer, tag] { on_done({peer, tag, {}, {}}); });
}

} // namespace

inproc_transport::inproc_transport(std::shared_ptr<inproc_hub> hub, std::size_t eager_threshold)
  : hub_(std::move(hub)) {
  std::lock_guard guard{hub_->mutex};
  self_ = std::make_shared<endpoint>(hub_->next_id++, eager_threshold);
  hub_->endpoints.emplace(self_->id, self_);
}

inproc_transport::~inproc_transport() {
  {
    std::lock_guard guard{hub_->mutex};
    hub_->endpoints.erase(self_->id);
    auto& self = *self_;
    for (auto& [key, handlers] : self.posted)
      for (auto& on_done : handlers)
        self.handlers.post([on_done = std::move(on_done), key = key] {
          on_done(failure(key.first, key.second, net_errc::closed,
                          "inproc recv: the transport shut down"));
        });
    self.posted.clear();
    for (auto& [key, queue] : self.arrived)
      for (auto& message : queue)
        if (message.sender_done)
          if (auto sender = find(*hub_, message.sender_id))
            sender->handlers.post([on_done = std::move(message.sender_done), key = key,
                                   rank = self.rank] {
              on_done(failure(rank, key.second, net_errc::peer_failed,
                              "inproc send: the receiver shut down before taking the message"));
            });
    self.arrived.clear();
    for (auto& [id, weak] : hub_->endpoints) {
      auto other = weak.lock();
      if (!other)
        continue;
      // Large sends of ours still waiting at a receiver fail here, as the
      // receiver's read of a dead sender's memory would.
      for (auto& [key, queue] : other->arrived)
        std::erase_if(queue, [&](arrived_message& message) {
          if (message.sender_id != self.id || !message.sender_done)
            return false;
          self.handlers.post([on_done = std::move(message.sender_done), peer = other->rank,
                              tag = key.second] {
            on_done(failure(peer, tag, net_errc::closed, "inproc send: the transport shut down"));
          });
          return true;
        });
      // Receives waiting for us would wait forever.
      for (auto& [key, handlers] : other->posted) {
        if (key.first != self.rank || self.rank < 0)
          continue;
        for (auto& on_done : handlers)
          other->handlers.post([on_done = std::move(on_done), key = key] {
            on_done(failure(key.first, key.second, net_errc::peer_failed,
                            "inproc recv: the sender shut down"));
          });
        handlers.clear();
      }
    }
  }
  self_->handlers.flush();
}

std::vector<std::byte> inproc_transport::local_address() const {
  return encode_id(self_->id);
}

void inproc_transport::add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) {
  std::vector<std::uint64_t> ids;
  int own_rank = -1;
  for (std::size_t rank = 0; rank < addresses_by_rank.size(); ++rank) {
    ids.push_back(decode_id(addresses_by_rank[rank], rank));
    if (ids.back() == self_->id) {
      if (own_rank >= 0)
        throw net_error(net_errc::invalid_argument,
                        "inproc add_peers: this rank's address appears twice (ranks "
                          + std::to_string(own_rank) + " and " + std::to_string(rank) + ")");
      own_rank = static_cast<int>(rank);
    }
  }
  if (own_rank < 0)
    throw net_error(net_errc::invalid_argument,
                    "inproc add_peers: this rank's own address is not among the "
                      + std::to_string(addresses_by_rank.size()) + " addresses");
  std::lock_guard guard{hub_->mutex};
  self_->rank = own_rank;
  self_->peer_ids = std::move(ids);
}

int inproc_transport::rank() const {
  std::lock_guard guard{hub_->mutex};
  return self_->rank;
}

int inproc_transport::world_size() const {
  std::lock_guard guard{hub_->mutex};
  return static_cast<int>(self_->peer_ids.size());
}

void inproc_transport::send(int peer, std::uint64_t tag, buffer payload,
                            completion_handler on_done) {
  std::lock_guard guard{hub_->mutex};
  auto& self = *self_;
  check_peer_and_tag("inproc send", peer, tag, static_cast<int>(self.peer_ids.size()));
  if (auto lost = self.lost_peers.find(peer); lost != self.lost_peers.end()) {
    self.handlers.post([on_done = std::move(on_done), error = lost_peer_error("inproc send", peer, tag, lost->second),
                        peer, tag] { on_done({peer, tag, {}, error}); });
    return;
  }
  auto receiver = find(*hub_, self.peer_ids[static_cast<std::size_t>(peer)]);
  if (!receiver) {
    self.handlers.post([on_done = std::move(on_done), peer, tag] {
      on_done(failure(peer, tag, net_errc::peer_failed, "inproc send: the peer is gone"));
    });
    return;
  }
  auto size = payload.size();
  bool large = size > self.eager_threshold;
  ++(large ? self.stats.rma_sends : self.stats.eager_sends);
  match_key key{self.rank, tag};
  auto& waiting = receiver->posted[key];
  if (!waiting.empty()) {
    receiver->stats.bytes_received += size;
    receiver->handlers.post([on_recv = std::move(waiting.front()), payload = std::move(payload),
                             rank = self.rank, tag]() mutable {
      on_recv({rank, tag, std::move(payload), {}});
    });
    waiting.pop_front();
    finish_send(self, peer, tag, size, std::move(on_done));
    return;
  }
  arrived_message message{std::move(payload), self.id, {}};
  if (large)
    message.sender_done = std::move(on_done);  // finishes when a recv takes it
  else
    finish_send(self, peer, tag, size, std::move(on_done));
  receiver->arrived[key].push_back(std::move(message));
}

void inproc_transport::recv(int peer, std::uint64_t tag, memory_pool&, completion_handler on_done) {
  std::lock_guard guard{hub_->mutex};
  auto& self = *self_;
  check_peer_and_tag("inproc recv", peer, tag, static_cast<int>(self.peer_ids.size()));
  if (auto lost = self.lost_peers.find(peer); lost != self.lost_peers.end()) {
    self.handlers.post([on_done = std::move(on_done), error = lost_peer_error("inproc recv", peer, tag, lost->second),
                        peer, tag] { on_done({peer, tag, {}, error}); });
    return;
  }
  match_key key{peer, tag};
  auto& queue = self.arrived[key];
  if (!queue.empty()) {
    auto message = std::move(queue.front());
    queue.pop_front();
    self.stats.bytes_received += message.payload.size();
    if (message.sender_done)
      if (auto sender = find(*hub_, message.sender_id))
        finish_send(*sender, self.rank, tag, message.payload.size(),
                    std::move(message.sender_done));
    self.handlers.post([on_done = std::move(on_done), payload = std::move(message.payload), peer,
                        tag]() mutable { on_done({peer, tag, std::move(payload), {}}); });
    return;
  }
  if (!find(*hub_, self.peer_ids[static_cast<std::size_t>(peer)])) {
    self.handlers.post([on_done = std::move(on_done), peer, tag] {
      on_done(failure(peer, tag, net_errc::peer_failed, "inproc recv: the peer is gone"));
    });
    return;
  }
  self.posted[key].push_back(std::move(on_done));
}

void inproc_transport::fail_operations_with(int peer, const std::string& reason) {
  std::lock_guard guard{hub_->mutex};
  auto& self = *self_;
  if (peer < 0 || peer >= static_cast<int>(self.peer_ids.size()))
    return;
  self.lost_peers.emplace(peer, reason);
  for (auto& [key, handlers] : self.posted) {
    if (key.first != peer)
      continue;
    for (auto& on_done : handlers)
      self.handlers.post([on_done = std::move(on_done), error = lost_peer_error("inproc recv", peer, key.second, reason),
                          peer, tag = key.second] { on_done({peer, tag, {}, error}); });
    handlers.clear();
  }
  // Large sends of ours that the lost peer has not taken: it never will.
  if (auto receiver = find(*hub_, self.peer_ids[static_cast<std::size_t>(peer)]))
    for (auto& [key, queue] : receiver->arrived)
      std::erase_if(queue, [&](arrived_message& message) {
        if (message.sender_id != self.id || !message.sender_done)
          return false;
        self.handlers.post([on_done = std::move(message.sender_done), error = lost_peer_error("inproc send", peer, key.second, reason),
                            peer, tag = key.second] { on_done({peer, tag, {}, error}); });
        return true;
      });
}

transport_stats inproc_transport::stats() const {
  std::lock_guard guard{hub_->mutex};
  return self_->stats;
}

std::vector<std::unique_ptr<transport>> make_inproc_world(int world_size,
                                                          std::size_t eager_threshold) {
  auto hub = make_inproc_hub();
  std::vector<std::unique_ptr<transport>> ranks;
  std::vector<std::vector<std::byte>> addresses;
  for (int rank = 0; rank < world_size; ++rank) {
    ranks.push_back(std::make_unique<inproc_transport>(hub, eager_threshold));
    addresses.push_back(ranks.back()->local_address());
  }
  for (auto& rank : ranks)
    rank->add_peers(addresses);
  return ranks;
}

} // namespace ds::net
