#pragma once
/// A replica's waiting input: first-come order, or key order for ordered stages.

#include <cstddef>
#include <deque>
#include <map>
#include <optional>

#include "flow/link_sender.hpp"

namespace ds::flow {

/// An input item with the link it came on (its credit goes back there).
struct queued_item {
  item it;
  inbound_id from = 0;
};

/// Holds input until the replica processes it.
///
/// In ordered mode it restores the sources' order: it releases the item whose
/// key follows the last one released — (seq, part + 1) after a non-final part,
/// (seq + 1, 0) after a final one — and holds everything else back. Gap items
/// (no payload) take their place in that order, so a record skipped or failed
/// upstream never stalls the stream. Not thread-safe: owned by one replica.
class input_queue {
public:
  explicit input_queue(bool ordered) : ordered_(ordered) {}

  /// Throws `std::logic_error` when an ordered queue sees a key twice or one
  /// already released (a runtime bug, never user input).
  void push(queued_item entry);
  /// The next item in order, if it has arrived.
  std::optional<queued_item> pop();
  bool ready() const noexcept;
  /// All items waiting, including those held back for order.
  std::size_t size() const noexcept { return ordered_ ? held_.size() : fifo_.size(); }
  bool empty() const noexcept { return size() == 0; }
  bool ordered() const noexcept { return ordered_; }
  /// The key an ordered queue waits for next.
  item_key expected() const noexcept { return next_; }

private:
  bool ordered_;
  std::deque<queued_item> fifo_;
  std::map<item_key, queued_item> held_;
  item_key next_{0, 0, false};
};

} // namespace ds::flow
