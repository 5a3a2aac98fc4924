#pragma once
/// The rendezvous protocol's messages and their byte layout (big-endian, length-prefixed).
///
/// rank → coordinator: hello, heartbeat, goodbye, barrier, broadcast.
/// coordinator → rank: refused, aborted, table, heartbeat, peer_lost, barrier_done, broadcast.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ds::launch::wire {

enum class kind : std::uint8_t {
  hello = 1,         ///< magic, version, rank, world size, job token, endpoint address
  refused = 2,       ///< reason; the coordinator closes the connection after it
  aborted = 3,       ///< reason; the rendezvous failed for everyone (e.g. timed out)
  table = 4,         ///< every rank's address, by rank
  heartbeat = 5,     ///< empty, both ways
  peer_lost = 6,     ///< rank, reason
  goodbye = 7,       ///< ok flag, reason: this rank leaves (finished, or failed)
  barrier = 8,       ///< sequence number
  barrier_done = 9,  ///< sequence number
  broadcast = 10,    ///< sequence number, root, bytes (root → coordinator → everyone)
};

inline constexpr std::uint32_t protocol_version = 1;
/// Limits: an address, a broadcast, and any message before the peer proved the token.
inline constexpr std::size_t max_address_bytes = 64 * 1024;
inline constexpr std::size_t max_broadcast_bytes = 1024 * 1024;
inline constexpr std::size_t max_hello_bytes = max_address_bytes + 4096;
inline constexpr std::size_t max_message_bytes = 64 * 1024 * 1024;

using bytes = std::vector<std::byte>;

struct hello {
  std::uint32_t version = protocol_version;
  std::uint32_t rank = 0;
  std::uint32_t world_size = 0;
  std::string token;
  bytes address;
};

/// Appends fields; `take()` yields the payload.
class writer {
public:
  writer& u8(std::uint8_t value);
  writer& u32(std::uint32_t value);
  writer& u64(std::uint64_t value);
  writer& blob(std::span<const std::byte> value);  ///< u32 length + bytes
  writer& text(const std::string& value);          ///< u32 length + bytes
  bytes take() { return std::move(out_); }

private:
  bytes out_;
};

/// Reads fields in order; throws `launch_error` ("malformed ...") past the end.
class reader {
public:
  explicit reader(std::span<const std::byte> in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  bytes blob();
  std::string text();
  bool at_end() const noexcept { return pos_ == in_.size(); }

private:
  std::span<const std::byte> take(std::size_t n);
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

bytes encode_hello(const hello& message);
/// Throws `launch_error` when the payload is not a dsflow hello (wrong magic or layout).
hello decode_hello(std::span<const std::byte> payload);

bytes encode_table(const std::vector<bytes>& addresses);
std::vector<bytes> decode_table(std::span<const std::byte> payload);

} // namespace ds::launch::wire
