#include "flow/input_queue.hpp"

#include <stdexcept>
#include <string>

namespace ds::flow {
namespace {

/// Keys compare on (seq, part) only; `final` says what comes after.
item_key position(const item_key& key) { return {key.seq, key.part, false}; }

std::string to_text(const item_key& key) {
  return std::to_string(key.seq) + "." + std::to_string(key.part);
}

} // namespace

void input_queue::push(queued_item entry) {
  if (!ordered_) {
    fifo_.push_back(std::move(entry));
    return;
  }
  auto key = position(entry.it.key);
  if (key < next_)
    throw std::logic_error("input_queue: item " + to_text(entry.it.key)
                           + " arrived after its position was passed");
  if (!held_.emplace(key, std::move(entry)).second)
    throw std::logic_error("input_queue: item " + to_text(key) + " arrived twice");
}

bool input_queue::ready() const noexcept {
  if (!ordered_)
    return !fifo_.empty();
  return !held_.empty() && held_.begin()->first == next_;
}

std::optional<queued_item> input_queue::pop() {
  if (!ready())
    return std::nullopt;
  if (!ordered_) {
    auto entry = std::move(fifo_.front());
    fifo_.pop_front();
    return entry;
  }
  auto node = held_.extract(held_.begin());
  auto& entry = node.mapped();
  next_ = entry.it.key.final ? item_key{entry.it.key.seq + 1, 0, false}
                             : item_key{entry.it.key.seq, entry.it.key.part + 1, false};
  return std::move(entry);
}

} // namespace ds::flow
