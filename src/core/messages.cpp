#include "dsflow/messages.hpp"

namespace ds {

namespace {

std::size_t field_bytes(const std::vector<std::pair<std::string, tensor>>& fields) noexcept {
  std::size_t total = 0;
  for (const auto& [name, values] : fields)
    total += values.nbytes();
  return total;
}

} // namespace

std::size_t sample::payload_bytes() const noexcept {
  return field_bytes(fields);
}

std::size_t batch::payload_bytes() const noexcept {
  return field_bytes(fields);
}

std::size_t train_state::payload_bytes() const noexcept {
  std::size_t total = params.nbytes();
  for (const auto& moment : optimizer_moments)
    total += moment.nbytes();
  return total;
}

} // namespace ds
