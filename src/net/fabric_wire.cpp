#include "net/fabric_wire.hpp"

#include <cstring>

#include "net/net_error.hpp"

namespace ds::net::wire {

namespace {

constexpr char magic[] = {'d', 's', 'f', 'a', 'b', '1'};

void put(std::vector<std::byte>& out, const void* data, std::size_t size) {
  if (size == 0)
    return;
  auto used = out.size();
  out.resize(used + size);
  std::memcpy(out.data() + used, data, size);
}

} // namespace

std::vector<std::byte> encode(const endpoint_address& address) {
  std::vector<std::byte> out;
  put(out, magic, sizeof magic);
  auto provider_length = static_cast<std::uint32_t>(address.provider.size());
  put(out, &provider_length, sizeof provider_length);
  put(out, address.provider.data(), address.provider.size());
  put(out, &address.eager_threshold, sizeof address.eager_threshold);
  auto raw_length = static_cast<std::uint32_t>(address.raw.size());
  put(out, &raw_length, sizeof raw_length);
  put(out, address.raw.data(), address.raw.size());
  return out;
}

endpoint_address decode(const std::vector<std::byte>& bytes, std::size_t rank) {
  std::size_t at = 0;
  auto fail = [&](const std::string& why) {
    return net_error(net_errc::invalid_argument,
                     "add_peers: the address of rank " + std::to_string(rank) + " ("
                       + std::to_string(bytes.size()) + " bytes) is not a libfabric transport "
                       + "address: " + why,
                     static_cast<int>(rank));
  };
  auto take = [&](void* into, std::size_t size) {
    if (bytes.size() - at < size)
      throw fail("it ends early");
    std::memcpy(into, bytes.data() + at, size);
    at += size;
  };
  char seen[sizeof magic];
  take(seen, sizeof seen);
  if (std::memcmp(seen, magic, sizeof magic) != 0)
    throw fail("wrong magic (another transport, or not an address)");
  endpoint_address address;
  std::uint32_t provider_length = 0;
  take(&provider_length, sizeof provider_length);
  if (provider_length > 256)
    throw fail("provider name of " + std::to_string(provider_length) + " bytes");
  address.provider.resize(provider_length);
  take(address.provider.data(), provider_length);
  take(&address.eager_threshold, sizeof address.eager_threshold);
  std::uint32_t raw_length = 0;
  take(&raw_length, sizeof raw_length);
  if (raw_length > 4096)
    throw fail("endpoint name of " + std::to_string(raw_length) + " bytes");
  address.raw.resize(raw_length);
  take(address.raw.data(), raw_length);
  if (at != bytes.size())
    throw fail(std::to_string(bytes.size() - at) + " bytes left over");
  return address;
}

} // namespace ds::net::wire
