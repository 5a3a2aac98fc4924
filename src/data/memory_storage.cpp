#include "data/memory_storage.hpp"

#include <algorithm>

namespace ds::data {

void memory_storage::put(const std::string& object, std::vector<std::byte> bytes) {
  std::lock_guard guard{mutex_};
  objects_[object] = std::move(bytes);
}

const std::vector<std::byte>& memory_storage::find(const std::string& object) const {
  auto found = objects_.find(object);
  if (found == objects_.end())
    throw storage_error{"cannot open " + object + ": no such object in memory storage"};
  return found->second;
}

std::uint64_t memory_storage::size(const std::string& object) {
  std::lock_guard guard{mutex_};
  return find(object).size();
}

void memory_storage::read(const std::string& object, std::uint64_t offset,
                          std::span<std::byte> out) {
  std::lock_guard guard{mutex_};
  const auto& bytes = find(object);
  if (offset > bytes.size() || out.size() > bytes.size() - offset)
    throw storage_error{"short read of " + object + " (offset " + std::to_string(offset)
                        + ", length " + std::to_string(out.size()) + "): the object has "
                        + std::to_string(bytes.size()) + " bytes"};
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
}

} // namespace ds::data
