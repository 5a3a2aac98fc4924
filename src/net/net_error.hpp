#pragma once
/// The error type of the transport layer.

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>

namespace ds::net {

/// What went wrong, coarse enough to act on.
enum class net_errc : std::uint8_t {
  fabric,            ///< a libfabric call or completion failed (see the message)
  invalid_argument,  ///< bad peer, tag, address or option
  peer_failed,       ///< the peer is gone or was killed (fault injection)
  injected,          ///< a fault injected on purpose by `fault_injecting_transport`
  closed,            ///< the transport shut down before the operation finished
};

const char* to_string(net_errc code) noexcept;
std::ostream& operator<<(std::ostream& out, net_errc code);

/// A transport failure: thrown by synchronous calls and carried by failed
/// completions. `what()` names the call, the provider, the peer and tag where
/// known, the converted code and `file:line`, e.g.
/// `fi_tsend (provider tcp;ofi_rxm, peer 1, tag 42): -FI_EAGAIN Resource
/// temporarily unavailable at src/net/libfabric_transport.cpp:120`.
class net_error : public std::runtime_error {
public:
  net_error(net_errc code, std::string message, int peer = -1, std::uint64_t tag = no_tag,
            int fabric_code = 0);

  static constexpr std::uint64_t no_tag = ~std::uint64_t{0};

  net_errc code() const noexcept { return code_; }
  int peer() const noexcept { return peer_; }
  std::uint64_t tag() const noexcept { return tag_; }
  /// The libfabric return code (negative, e.g. -FI_EAGAIN), or 0.
  int fabric_code() const noexcept { return fabric_code_; }

private:
  net_errc code_;
  int peer_;
  std::uint64_t tag_;
  int fabric_code_;
};

/// "(peer 1, tag 42)" style context, empty parts left out.
std::string describe_peer_tag(int peer, std::uint64_t tag);

} // namespace ds::net
