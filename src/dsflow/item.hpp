#pragma once
/// An item: one message plus the key that orders it in the stream.

#include <compare>
#include <cstdint>

#include "dsflow/message.hpp"

namespace ds {

/// Position of an item in its stream.
///
/// Sources number their items densely from 0. A stage that emits one item per
/// input keeps the input's key, so a consumer that needs order can restore it
/// whatever the replica count upstream. A stage that emits k > 1 items for one
/// whole input numbers them `part` 0..k-1 and marks the last one `final`.
struct item_key {
  std::uint64_t seq = 0;
  std::uint32_t part = 0;
  bool final = true;

  friend auto operator<=>(const item_key&, const item_key&) = default;
};

/// One unit of work handed to `stage::process`.
struct item {
  item_key key;
  message_ptr payload;
};

} // namespace ds
