#include "net/net_error.hpp"

#include <ostream>

namespace ds::net {

const char* to_string(net_errc code) noexcept {
  switch (code) {
    case net_errc::fabric:
      return "fabric";
    case net_errc::invalid_argument:
      return "invalid_argument";
    case net_errc::peer_failed:
      return "peer_failed";
    case net_errc::injected:
      return "injected";
    case net_errc::closed:
      return "closed";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, net_errc code) {
  return out << to_string(code);
}

net_error::net_error(net_errc code, std::string message, int peer, std::uint64_t tag,
                     int fabric_code)
  : std::runtime_error(std::move(message)), code_(code), peer_(peer), tag_(tag),
    fabric_code_(fabric_code) {}

std::string describe_peer_tag(int peer, std::uint64_t tag) {
  std::string text;
  if (peer >= 0)
    text += "peer " + std::to_string(peer);
  if (tag != net_error::no_tag)
    text += (text.empty() ? "tag " : ", tag ") + std::to_string(tag);
  return text;
}

} // namespace ds::net
