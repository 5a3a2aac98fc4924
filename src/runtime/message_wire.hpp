#pragma once
/// How the items of a cross-rank edge travel: a header of keys and message fields, followed by
/// each payload buffer as a message of its own, so the transport moves large payloads zero-copy.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "dsflow/buffer.hpp"
#include "dsflow/item.hpp"
#include "dsflow/memory.hpp"

namespace ds::runtime {

/// A frame that cannot be encoded (a message type without a wire form, device memory) or
/// decoded (a damaged or foreign header). The message says which item and field.
class wire_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What a frame carries on a link; a link's frames arrive in the order they were sent.
enum class frame_kind : std::uint8_t {
  items = 1,   ///< items, then `payload_count` payload messages
  end = 2,     ///< the producer's end of stream
  credit = 3,  ///< credits returned by the consumer (the other direction)
};

/// A frame ready to send: the header (one message), then each payload (one message each).
struct outgoing_frame {
  buffer header;
  std::vector<buffer> payloads;
};

/// A received header, parsed as far as the transport needs before the payloads arrive.
struct frame_header {
  frame_kind kind = frame_kind::items;
  std::uint32_t payload_count = 0;  ///< `items`: payload messages that follow
  bool cut = false;                 ///< `end`: the stream was cut short by an interrupt
  std::uint32_t credits = 0;        ///< `credit`: how many
};

/// Whether messages of `type` can cross ranks (the built-in message types can).
bool has_wire_form(std::string_view type) noexcept;

/// Encodes `items` into a header from `pool` plus their payload buffers, shared, not copied
/// (a buffer used by several tensors goes once). Throws `wire_error` for a message type
/// without a wire form or a payload in device memory.
outgoing_frame encode_items(std::span<const item> items, memory_pool& pool);
outgoing_frame encode_end(bool cut, memory_pool& pool);
outgoing_frame encode_credit(std::uint32_t count, memory_pool& pool);

/// Parses the fixed part of a header. Throws `wire_error` when it is not one.
frame_header read_frame_header(std::span<const std::byte> header);

/// Rebuilds the items of an `items` frame over the received `payloads` (moved in, not
/// copied). Throws `wire_error` naming the item and field when the header is damaged or
/// refers to a payload that did not come.
std::vector<item> decode_items(std::span<const std::byte> header, std::vector<buffer> payloads);

} // namespace ds::runtime
