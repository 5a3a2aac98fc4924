#pragma once
/// Messages carried on edges: immutable payloads moved between stages by handle.

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ds {

/// Base of every payload carried on an edge.
///
/// A message is immutable once emitted: stages share it by `message_ptr`, so
/// moving it between stages never copies its payload bytes. Subclasses name
/// their type with a stable string; ports declare the type they carry and the
/// planner refuses an edge whose two ends disagree.
class message {
public:
  virtual ~message() = default;

  /// Stable type name, e.g. "blob" or "batch"; equal to the port type.
  virtual std::string_view type_name() const noexcept = 0;

  /// Bytes of payload this message references (for metrics only).
  virtual std::size_t payload_bytes() const noexcept { return 0; }
};

using message_ptr = std::shared_ptr<const message>;

/// Thrown when a message is not of the type a stage expected.
class message_type_error : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// Downcasts `msg` to `T`; throws `message_type_error` naming both types when
/// the message is of another type (a planner bug or a misbehaving plugin).
template <class T>
const T& message_as(const message_ptr& msg) {
  if (auto* typed = dynamic_cast<const T*>(msg.get()))
    return *typed;
  throw message_type_error("expected a '" + std::string(T::type) + "' message, got '"
                           + (msg ? std::string(msg->type_name()) : std::string("null"))
                           + "'");
}

} // namespace ds
