#pragma once
/// What libfabric transports put on the wire: tag layout, descriptors, acks, addresses.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ds::net::wire {

/// The top two tag bits are the transport's; a user tag fits below them.
/// Payloads and descriptors travel under the user tag itself, so one posted
/// receive (exact tag, no ignore bits) takes whichever form the sender chose;
/// a descriptor is told apart by its remote CQ data. Acks use tag `ack`.
///
/// Why not a tag bit and an ignore mask for descriptors: shm in libfabric 1.17
/// does not apply a receive's ignore mask to messages that arrived before the
/// receive was posted (they are never matched, or matched out of order).
inline constexpr std::uint64_t kind_shift = 62;
inline constexpr std::uint64_t ack = std::uint64_t{2} << kind_shift;
inline constexpr std::uint64_t user_tag_mask = (std::uint64_t{1} << kind_shift) - 1;
/// Remote CQ data marking a tagged message as an `rma_descriptor`.
inline constexpr std::uint64_t descriptor_data = 1;

/// Sent instead of a large payload: where the receiver reads it from.
struct rma_descriptor {
  std::uint64_t transfer_id;     ///< echoed in the ack
  std::uint64_t remote_address;  ///< virtual address, or offset in the region without FI_MR_VIRT_ADDR
  std::uint64_t length;
  std::uint64_t key;
};

/// The receiver's answer once it read (or failed to read) a large payload.
struct rma_ack {
  std::uint64_t transfer_id;
  std::int32_t status;  ///< 0, or the libfabric code of the failed read
  std::uint32_t reserved;
};

static_assert(sizeof(rma_descriptor) == 32 && sizeof(rma_ack) == 16);

/// A rank's address as the rendezvous carries it: the provider and eager
/// threshold (checked by `add_peers`, since ranks must agree on both) and the
/// provider's raw endpoint name.
struct endpoint_address {
  std::string provider;
  std::uint64_t eager_threshold = 0;
  std::vector<std::byte> raw;
};

std::vector<std::byte> encode(const endpoint_address& address);
/// Throws `net_error` (`invalid_argument`) naming `rank` when malformed.
endpoint_address decode(const std::vector<std::byte>& bytes, std::size_t rank);

} // namespace ds::net::wire
