#pragma once
/// What libfabric transports put on the wire: tag layout, descriptors, acks, addresses.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ds::net::wire {

/// The top two tag bits say what a tagged message is; the rest is the user tag.
/// A user receive matches kinds `eager` and `descriptor` (it ignores bit 62),
/// never `ack`, so one posted receive takes whichever form the sender chose.
inline constexpr std::uint64_t kind_shift = 62;
inline constexpr std::uint64_t eager = std::uint64_t{0} << kind_shift;
inline constexpr std::uint64_t descriptor = std::uint64_t{1} << kind_shift;
inline constexpr std::uint64_t ack = std::uint64_t{2} << kind_shift;
inline constexpr std::uint64_t user_tag_mask = (std::uint64_t{1} << kind_shift) - 1;
/// Ignore mask of a user receive: eager and descriptor both match.
inline constexpr std::uint64_t user_receive_ignore = descriptor;

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
