#include "net/libfabric_transport.hpp"

#include <cstdlib>

#include "net/fabric_engine.hpp"

namespace ds::net {

std::string resolve_provider(std::string_view requested) {
  if (!requested.empty())
    return std::string(requested);
  if (const char* from_environment = std::getenv("FI_PROVIDER");
      from_environment != nullptr && *from_environment != '\0')
    return from_environment;
  return "tcp;ofi_rxm";
}

bool libfabric_available(const libfabric_options& options, std::string* why) {
  return fabric_provider_available({resolve_provider(options.provider), options.domain}, why);
}

libfabric_transport::libfabric_transport(libfabric_options options)
  : engine_(std::make_unique<engine>(std::move(options))) {}

libfabric_transport::~libfabric_transport() = default;

std::vector<std::byte> libfabric_transport::local_address() const {
  return engine_->local_address();
}

void libfabric_transport::add_peers(std::vector<std::vector<std::byte>> addresses_by_rank) {
  engine_->add_peers(std::move(addresses_by_rank));
}

int libfabric_transport::rank() const {
  return engine_->rank();
}

int libfabric_transport::world_size() const {
  return engine_->world_size();
}

void libfabric_transport::send(int peer, std::uint64_t tag, buffer payload,
                               completion_handler on_done) {
  engine_->send(peer, tag, std::move(payload), std::move(on_done));
}

void libfabric_transport::recv(int peer, std::uint64_t tag, memory_pool& pool,
                               completion_handler on_done) {
  engine_->recv(peer, tag, pool, std::move(on_done));
}

void libfabric_transport::recv_into(int peer, std::uint64_t tag, buffer destination,
                                    completion_handler on_done) {
  engine_->recv_into(peer, tag, std::move(destination), std::move(on_done));
}

void libfabric_transport::fail_operations_with(int peer, const std::string& reason) {
  engine_->fail_peer(peer, reason);
}

transport_stats libfabric_transport::stats() const {
  return engine_->stats();
}

std::string libfabric_transport::name() const {
  return "libfabric(" + engine_->provider() + ")";
}

const std::string& libfabric_transport::provider() const noexcept {
  return engine_->provider();
}

} // namespace ds::net
