#include "net/transport.hpp"

#include <cstring>
#include <memory>

namespace ds::net {

std::future<completion> transport::send(int peer, std::uint64_t tag, buffer payload) {
  auto promise = std::make_shared<std::promise<completion>>();
  auto result = promise->get_future();
  send(peer, tag, std::move(payload),
       [promise](completion done) { promise->set_value(std::move(done)); });
  return result;
}

std::future<completion> transport::recv(int peer, std::uint64_t tag, memory_pool& pool) {
  auto promise = std::make_shared<std::promise<completion>>();
  auto result = promise->get_future();
  recv(peer, tag, pool, [promise](completion done) { promise->set_value(std::move(done)); });
  return result;
}

void transport::recv_into_by_copy(int peer, std::uint64_t tag, buffer destination,
                                  completion_handler on_done) {
  // Leaked on purpose: a transport destroyed during static destruction may still
  // finish a receive into it.
  static auto* scratch = new memory_pool(make_host_allocator());
  recv(peer, tag, *scratch, [destination, on_done = std::move(on_done)](completion done) {
    if (done.ok() && done.payload.size() != destination.size()) {
      done.error = net_error(net_errc::invalid_argument,
                             "recv_into (" + describe_peer_tag(done.peer, done.tag) + "): "
                               + std::to_string(done.payload.size())
                               + " bytes arrived for a destination of "
                               + std::to_string(destination.size()),
                             done.peer, done.tag);
    } else if (done.ok()) {
      std::memcpy(destination.data(), done.payload.data(), destination.size());
    }
    done.payload = done.ok() ? destination : buffer{};
    on_done(std::move(done));
  });
}

void transport::fail_peer(int peer, const std::string& reason) {
  {
    std::lock_guard guard{loss_mutex_};
    if (lost_peers_.contains(peer))
      return;
    lost_peers_.insert(peer);
    net_error lost(net_errc::peer_failed,
                   "rank " + std::to_string(peer) + " was declared lost: " + reason, peer);
    if (!first_loss_)
      first_loss_ = lost;
    for (auto& [id, watcher] : watchers_)
      watcher(lost);
  }
  fail_operations_with(peer, reason);
}

std::optional<net_error> transport::lost_peer() const {
  std::lock_guard guard{loss_mutex_};
  return first_loss_;
}

std::uint64_t transport::watch_losses(loss_watcher watcher) {
  std::lock_guard guard{loss_mutex_};
  auto id = next_watcher_++;
  if (first_loss_)
    watcher(*first_loss_);
  watchers_.emplace(id, std::move(watcher));
  return id;
}

void transport::unwatch_losses(std::uint64_t id) {
  std::lock_guard guard{loss_mutex_};
  watchers_.erase(id);
}

completion wait_for(std::future<completion>& result, std::chrono::milliseconds timeout,
                    const std::string& what) {
  if (result.wait_for(timeout) != std::future_status::ready)
    throw net_error(net_errc::closed,
                    what + ": no completion within " + std::to_string(timeout.count()) + " ms");
  return result.get();
}

net_error lost_peer_error(const std::string& call, int peer, std::uint64_t tag,
                          const std::string& reason) {
  return net_error(net_errc::peer_failed,
                   call + " (" + describe_peer_tag(peer, tag) + "): rank " + std::to_string(peer)
                     + " was declared lost: " + reason,
                   peer, tag);
}

void check_peer_and_tag(const char* call, int peer, std::uint64_t tag, int world_size) {
  if (world_size == 0)
    throw net_error(net_errc::invalid_argument,
                    std::string(call) + ": no peers yet; call add_peers first", peer, tag);
  if (peer < 0 || peer >= world_size)
    throw net_error(net_errc::invalid_argument,
                    std::string(call) + ": peer " + std::to_string(peer)
                      + " is not a rank of this job (world size " + std::to_string(world_size)
                      + ")",
                    peer, tag);
  if (tag > max_user_tag)
    throw net_error(net_errc::invalid_argument,
                    std::string(call) + ": tag " + std::to_string(tag)
                      + " uses the two top bits the transport reserves (max "
                      + std::to_string(max_user_tag) + ")",
                    peer, tag);
}

} // namespace ds::net
