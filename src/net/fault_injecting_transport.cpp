#include "net/fault_injecting_transport.hpp"

#include <utility>

namespace ds::net {

fault_injecting_transport::fault_injecting_transport(std::unique_ptr<transport> inner)
  : inner_(std::move(inner)) {
  if (!inner_)
    throw net_error(net_errc::invalid_argument, "fault_injecting_transport: no inner transport");
}

fault_injecting_transport::~fault_injecting_transport() {
  {
    std::lock_guard guard{mutex_};
    closing_ = true;
  }
  inner_.reset();      // fails its unfinished operations; their handlers queue on ours
  handlers_.flush();   // delayed sends now fail with `closed`
}

void fault_injecting_transport::drop_send(std::uint64_t send_number) {
  std::lock_guard guard{mutex_};
  faults_[send_number] = {fault::drop, {}};
}

void fault_injecting_transport::fail_send(std::uint64_t send_number) {
  std::lock_guard guard{mutex_};
  faults_[send_number] = {fault::fail, {}};
}

void fault_injecting_transport::delay_send(std::uint64_t send_number,
                                           std::chrono::milliseconds delay) {
  std::lock_guard guard{mutex_};
  faults_[send_number] = {fault::delay, delay};
}

void fault_injecting_transport::kill_peer(int peer) {
  mark_dead(peer, "the peer was killed by fault injection");
}

void fault_injecting_transport::fail_operations_with(int peer, const std::string& reason) {
  mark_dead(peer, "rank " + std::to_string(peer) + " was declared lost: " + reason);
  inner_->fail_peer(peer, reason);  // frees what the inner transport holds for it
}

void fault_injecting_transport::mark_dead(int peer, const std::string& why) {
  std::vector<pending_recv> failed;
  {
    std::lock_guard guard{mutex_};
    dead_peers_.emplace(peer, why);
    for (auto entry = pending_recvs_.begin(); entry != pending_recvs_.end();) {
      if (entry->second.peer == peer) {
        failed.push_back(std::move(entry->second));
        entry = pending_recvs_.erase(entry);
      } else {
        ++entry;
      }
    }
  }
  for (auto& waiting : failed)
    handlers_.post([this, waiting = std::move(waiting)] {
      waiting.on_done(dead_peer(waiting.peer, waiting.tag, "recv"));
    });
}

std::uint64_t fault_injecting_transport::sends_seen() const {
  std::lock_guard guard{mutex_};
  return sends_seen_;
}

completion fault_injecting_transport::dead_peer(int peer, std::uint64_t tag,
                                                const char* call) const {
  // Runs on the handler thread, after the peer was marked (without mutex_ held).
  std::string why;
  {
    std::lock_guard guard{mutex_};
    why = dead_peers_.at(peer);
  }
  return {peer, tag, {},
          net_error(net_errc::peer_failed,
                    std::string(call) + " (" + describe_peer_tag(peer, tag) + ", " + name()
                      + "): " + why,
                    peer, tag)};
}

void fault_injecting_transport::send(int peer, std::uint64_t tag, buffer payload,
                                     completion_handler on_done) {
  check_peer_and_tag("send", peer, tag, inner_->world_size());
  std::unique_lock guard{mutex_};
  auto number = ++sends_seen_;
  armed_fault armed;
  if (auto found = faults_.find(number); found != faults_.end()) {
    armed = found->second;
    faults_.erase(found);
  }
  if (dead_peers_.contains(peer)) {
    guard.unlock();
    handlers_.post([this, on_done = std::move(on_done), peer, tag] {
      on_done(dead_peer(peer, tag, "send"));
    });
    return;
  }
  if (armed.kind == fault::drop) {
    guard.unlock();
    handlers_.post([on_done = std::move(on_done), peer, tag] { on_done({peer, tag, {}, {}}); });
    return;
  }
  if (armed.kind == fault::fail) {
    guard.unlock();
    handlers_.post([on_done = std::move(on_done), peer, tag, number] {
      on_done({peer, tag, {},
               net_error(net_errc::injected,
                         "send (" + describe_peer_tag(peer, tag) + "): send #"
                           + std::to_string(number) + " failed by fault injection",
                         peer, tag)});
    });
    return;
  }
  route key{peer, tag};
  if (auto held = held_.find(key); held != held_.end()) {
    held->second.push_back({tag, std::move(payload), std::move(on_done)});
    return;
  }
  if (armed.kind == fault::delay) {
    held_[key];  // later sends on this route wait behind this one
    guard.unlock();
    handlers_.post_at(handler_thread::clock::now() + armed.delay,
                      [this, peer, tag, payload = std::move(payload),
                       on_done = std::move(on_done), key]() mutable {
                        forward_send(peer, tag, std::move(payload), std::move(on_done));
                        release_held(key);
                      });
    return;
  }
  guard.unlock();
  forward_send(peer, tag, std::move(payload), std::move(on_done));
}

void fault_injecting_transport::forward_send(int peer, std::uint64_t tag, buffer payload,
                                             completion_handler on_done) {
  {
    std::lock_guard guard{mutex_};
    if (closing_) {
      handlers_.post([on_done = std::move(on_done), peer, tag] {
        on_done({peer, tag, {},
                 net_error(net_errc::closed,
                           "send (" + describe_peer_tag(peer, tag)
                             + "): the transport shut down while the send was delayed",
                           peer, tag)});
      });
      return;
    }
  }
  inner_->send(peer, tag, std::move(payload),
               [this, on_done = std::move(on_done)](completion done) mutable {
                 handlers_.post([on_done = std::move(on_done), done = std::move(done)]() mutable {
                   on_done(std::move(done));
                 });
               });
}

void fault_injecting_transport::release_held(route key) {
  std::vector<held_send> sends;
  {
    std::lock_guard guard{mutex_};
    auto held = held_.find(key);
    if (held == held_.end())
      return;
    sends = std::move(held->second);
    held_.erase(held);
  }
  for (auto& send : sends)
    forward_send(key.first, send.tag, std::move(send.payload), std::move(send.on_done));
}

void fault_injecting_transport::recv(int peer, std::uint64_t tag, memory_pool& pool,
                                     completion_handler on_done) {
  check_peer_and_tag("recv", peer, tag, inner_->world_size());
  std::uint64_t id = 0;
  {
    std::lock_guard guard{mutex_};
    if (dead_peers_.contains(peer)) {
      handlers_.post([this, on_done = std::move(on_done), peer, tag] {
        on_done(dead_peer(peer, tag, "recv"));
      });
      return;
    }
    id = next_recv_id_++;
    pending_recvs_.emplace(id, pending_recv{peer, tag, std::move(on_done)});
  }
  inner_->recv(peer, tag, pool, [this, id](completion done) mutable {
    handlers_.post([this, id, done = std::move(done)]() mutable { finish_recv(id, std::move(done)); });
  });
}

void fault_injecting_transport::finish_recv(std::uint64_t id, completion done) {
  completion_handler on_done;
  {
    std::lock_guard guard{mutex_};
    auto found = pending_recvs_.find(id);
    if (found == pending_recvs_.end())
      return;  // already failed by kill_peer
    on_done = std::move(found->second.on_done);
    pending_recvs_.erase(found);
  }
  on_done(std::move(done));
}

} // namespace ds::net
