#include "net/transport.hpp"

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

completion wait_for(std::future<completion>& result, std::chrono::milliseconds timeout,
                    const std::string& what) {
  if (result.wait_for(timeout) != std::future_status::ready)
    throw net_error(net_errc::closed,
                    what + ": no completion within " + std::to_string(timeout.count()) + " ms");
  return result.get();
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
